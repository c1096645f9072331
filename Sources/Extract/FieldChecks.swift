import Pipeline

/// Why one record is rejected: the contract field, the reason code and a message that
/// never holds a CPR number in clear.
struct Rejection: Error, Equatable {
    var field: String?
    var reason: RejectReason
    var message: String
}

/// The checks every validator shares: required values, dates in the source's layouts,
/// CPR numbers, numbers. Each throws the rejection for the first problem it finds.
struct FieldChecks {
    let kind: SourceKind
    let formats: [DateFormat]
    /// The layout nearly every date has, apart: reading it from the array retained the
    /// array around each of four million dates a night.
    private let firstFormat: DateFormat?
    private let names: [String]
    /// The CPR number read last: exports list a child's rows together, and the row before's
    /// child needs no calendar.
    private var lastCPR: CPR?

    init(kind: SourceKind, formats: [DateFormat]) {
        self.kind = kind
        self.formats = formats
        firstFormat = formats.first
        names = kind.fields
    }

    func name(_ i: Int) -> String { names[i] }

    func required(_ r: SourceRecord, _ i: Int) throws(Rejection) -> UnsafeRawBufferPointer {
        guard let v = r.value(i) else { throw missing(i) }
        return v
    }

    func requiredText(_ r: SourceRecord, _ i: Int) throws(Rejection) -> String {
        String(decoding: try required(r, i), as: UTF8.self)
    }

    func optionalText(_ r: SourceRecord, _ i: Int) -> String? {
        r.value(i).map { String(decoding: $0, as: UTF8.self) }
    }

    func requiredDate(_ r: SourceRecord, _ i: Int) throws(Rejection) -> Day {
        try date(try required(r, i), i)
    }

    func optionalDate(_ r: SourceRecord, _ i: Int) throws(Rejection) -> Day? {
        guard let v = r.value(i) else { return nil }
        return try date(v, i)
    }

    /// The source's layouts are tried in order. A text that has a layout's shape but names
    /// no real day (31-02-2015) is `nonexistent_date`; anything else (a year before 1000
    /// too) is `invalid_date`.
    func date(_ v: UnsafeRawBufferPointer, _ i: Int) throws(Rejection) -> Day {
        if let day = firstFormat?.parse(v) { return day }
        for f in formats.dropFirst() {
            if let day = f.parse(v) { return day }
        }
        let text = Echo.text(v)
        let layouts = formats.map(\.rawValue).joined(separator: " or ")
        if let year = formats.lazy.compactMap({ $0.parts(v)?.year }).first {
            guard DateFormat.years.contains(year) else {
                throw Rejection(field: names[i], reason: .invalidDate, message: "\(names[i]) '\(text)' has a year before 1000 (a typo?)")
            }
            throw Rejection(field: names[i], reason: .nonexistentDate, message: "\(names[i]) '\(text)' is no day that exists")
        }
        // The key named: a file of dotted dates rejected whole sent a new steward to the mapping (a trial).
        throw Rejection(field: names[i], reason: .invalidDate, message: "\(names[i]) '\(text)' is not a date (\(layouts): the source's date_formats)")
    }

    private func missing(_ i: Int) -> Rejection {
        Rejection(field: names[i], reason: .missingValue, message: "\(names[i]) is empty; it is required")
    }

    mutating func cpr(_ r: SourceRecord, _ i: Int) throws(Rejection) -> CPR {
        let text = try required(r, i)
        let result: Result<CPR, CPR.Invalid>
        if let number = CPR.number(text) {
            if let last = lastCPR, last.number == number { return last }
            result = CPR.of(number, text: text)
        } else {
            result = CPR.parse(text)
        }
        switch result {
        case .success(let cpr): lastCPR = cpr; return cpr
        case .failure(let invalid):
            throw Rejection(field: names[i], reason: .invalidCPR, message: "\(names[i]) \(invalid.masked) is not a valid CPR number: \(invalid.message)")
        }
    }

    /// A whole number of at most five digits, leading zeros aside, or nil when empty: an
    /// institution's places are hundreds, and nine digits were a CPR number without its
    /// leading zero stored as a count (an adversarial review).
    func optionalCount(_ r: SourceRecord, _ i: Int) throws(Rejection) -> Int? {
        guard let v = r.value(i) else { return nil }
        guard v.drop(while: { $0 == 48 }).count <= 5, v.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw Rejection(field: names[i], reason: .invalidNumber, message: "\(names[i]) '\(Echo.text(v))' is not a whole number up to 99999")
        }
        return v.reduce(0) { $0 * 10 + Int($1 - 48) }
    }

    /// The dates are quoted as the record writes them, so the message can be found in the
    /// export (`27-06-2007`, not the ISO day: a new steward's trial grepped for it in vain).
    func endBeforeStart(_ r: SourceRecord, _ end: Day?, _ endField: Int, _ start: Day?, _ startField: Int) throws(Rejection) {
        guard let end, let start, end < start else { return }
        func written(_ i: Int) -> String { r.value(i).map { Echo.text($0) } ?? "" }
        throw Rejection(field: names[endField], reason: .endBeforeStart,
                        message: "\(names[endField]) '\(written(endField))' is before \(names[startField]) '\(written(startField))'")
    }
}
