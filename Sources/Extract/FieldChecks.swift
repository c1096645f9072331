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
        throw Rejection(field: names[i], reason: .invalidDate, message: "\(names[i]) '\(text)' is not a date (\(layouts))")
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

/// Field text quoted in reject messages: shortened, control characters (C0, DEL, C1; tabs and
/// line breaks too, and Unicode's line and paragraph separators: a message is one line) and
/// format characters (bidi marks reorder what a terminal shows) as `?`, and anything shaped like a CPR number (`CPRInText`, or any run of
/// ten or more digits of any script, invisible characters within it passed over) masked as
/// `DDMMYY-****`, in case a column holds one by mistake.
package enum Echo {
    /// What may split the digits of a number as written: white space of any kind (tabs and
    /// line breaks too), and any punctuation mark or symbol but those that list numbers (`,`
    /// `;`), so that a number written a digit at a time with a minus sign, a bullet or a line
    /// break between is masked too (a review found such ones in `etl rejects`).
    private static func isSeparator(_ s: Unicode.Scalar) -> Bool {
        if s == "," || s == ";" || s == "\u{FF0C}" || s == "\u{FF1B}" { return false }
        switch s.properties.generalCategory {
        case .spaceSeparator, .lineSeparator, .paragraphSeparator, .dashPunctuation, .connectorPunctuation, .otherPunctuation,
             .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol: return true
        default: return s == "\t" || s == "\n" || s == "\r"
        }
    }

    /// What a terminal acts on or a reader does not see: control and format characters, and
    /// line and paragraph separators.
    package static func isUnshowable(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }

    /// The text with each unshowable character as `?` (a name, a message: nothing masked).
    package static func showable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnshowable) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { isUnshowable($0) ? "?" : $0 }))
    }

    /// A name from outside (a folder, a path) as a message shows it: unshowable characters
    /// as `?`, a CPR number masked (in a run of hex digits too: `CPRInText.isIn(name:)`), and
    /// nothing else changed, so that it can still be found.
    package static func name(_ text: String) -> String { showable(CPRInText.masking(text, keepingChecksums: false)) }

    /// Whether a name from outside (a drop's folder, a file a MANIFEST names) has what no
    /// message may show as it is: an unshowable character, or a byte that was not UTF-8
    /// (decoded as U+FFFD, the name no longer names the file).
    package static func holdsUnshowable(_ name: String) -> Bool {
        name.unicodeScalars.contains { $0 == "\u{FFFD}" || isUnshowable($0) }
    }

    /// Whether a name given to be kept and shown (a role's, a municipality's) cannot be: it
    /// holds a CPR number or what `holdsUnshowable` refuses.
    package static func unfitAsName(_ name: String) -> Bool {
        CPRInText.isIn(name: name) || holdsUnshowable(name)
    }

    package static func text(_ v: some Collection<UInt8>, limit: Int = 40) -> String {
        // Only the first `limit` characters are shown: a bounded prefix is masked, with room
        // after them for a number that starts among them (a value of 640 KB took 106 s here:
        // an adversarial review). Beyond 4 KB of spaces, a number's end is not looked for.
        let whole = v.count, v = Array(v.prefix(limit * 8 + 4096))[...]
        let b = CPRInText.replacingAll(in: v, lostLeadingZero: true, with: CPRInText.masked)?.text ?? Array(v)
        var out = String.UnicodeScalarView()
        // Digits in a row, with up to three separators between them besides spaces (`2911-66-4747`, a split
        // `CPRInText` leaves alone), and the separators after the last digit so far. Ten
        // digits or more are masked, but a case number's `2012-000123` (split after four).
        var run = String.UnicodeScalarView(), gap = String.UnicodeScalarView()
        var digits = 0, splits: [Int] = [], gapMarks = 0   // the gap's separators but spaces, tabs and line breaks
        func endRun() {
            // A tab or line break kept as a separator is still shown as `?`: a message is one line.
            func shown(_ s: String.UnicodeScalarView) -> [Unicode.Scalar] { s.map { isUnshowable($0) ? "?" : $0 } }
            if digits >= 10, splits != [4] {
                out.append(contentsOf: run.filter { CPRInText.digitValue($0) != nil }.prefix(6))
                out.append(contentsOf: "-****".unicodeScalars)
            } else {
                out.append(contentsOf: shown(run))
            }
            out.append(contentsOf: shown(gap))
            run = String.UnicodeScalarView(); gap = String.UnicodeScalarView(); digits = 0; splits = []; gapMarks = 0
        }
        for s in String(decoding: b, as: UTF8.self).unicodeScalars {
            if CPRInText.digitValue(s) != nil {
                if !gap.isEmpty { splits.append(digits); run.append(contentsOf: gap); gap = .init(); gapMarks = 0 }
                run.append(s); digits += 1
                continue
            }
            if !run.isEmpty, CPRInText.isInvisible(s) { continue }
            if !run.isEmpty, isSeparator(s), s.properties.isWhitespace || gapMarks < 3 {   // any spaces: a wrap, a column
                gap.append(s)
                if !s.properties.isWhitespace { gapMarks += 1 }
                continue
            }
            endRun()
            out.append(isUnshowable(s) ? "?" : s)
        }
        endRun()
        let s = String(out)
        return s.count > limit || whole > v.count ? String(s.prefix(limit)) + "…" : s
    }
}
