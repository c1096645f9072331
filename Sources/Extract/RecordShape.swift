import Pipeline

/// What a line inside a quoted CSV field must look like to read as a record of its export:
/// at least the header's number of fields, and in each required field a value of that field's
/// shape (a CPR number; an institution number: in the register, its `nummer_pattern`, else one
/// word with a digit; a date in the source's formats; any other field, not empty). Such lines are records
/// a stray quote swallowed; a note that lists things, or names numbers, is text, as RFC 4180
/// and the contract allow it to be (`SourceReader`).
struct RecordShape {
    private enum Shape { case cpr, number, date, present }
    private let checks: [(column: Int, shape: Shape)]
    private let fields: Int
    private let delimiter: UInt8
    private let dateFormats: [DateFormat]
    private let numberPattern: Regex<AnyRegexOutput>?

    /// `columns`: the header's column of each of the source's contract fields, -1 if unmapped.
    init(_ source: PipelineConfig.Source, columns: [Int], fields: Int) {
        checks = source.kind.requiredFields.compactMap { field in
            guard let i = source.kind.fields.firstIndex(of: field), columns[i] >= 0 else { return nil }
            let shape: Shape = switch field {
            case "cpr": .cpr
            case "nummer", "institutionsnummer": .number
            case "fra", "indmeldt", "dato": .date
            default: .present
            }
            return (columns[i], shape)
        }
        self.fields = fields
        delimiter = source.delimiter
        dateFormats = source.dateFormats
        numberPattern = source.numberPattern.flatMap { try? Regex($0) }
    }

    /// Whether a line after the first of any of `record`'s fields reads as a record: a line
    /// the field runs over, or the line it closes on, with the record's fields after it (a
    /// quote closed on the next line in the column it opened in swallows that line's record
    /// with the field count right: a review). A line with fewer delimiters than a record has,
    /// a note's mostly, is passed over uncopied.
    func holdsRecords(_ record: CSVRecord) -> Bool {
        guard !checks.isEmpty else { return false }
        for i in 0..<record.fieldCount {
            let field = record.field(i)
            guard var start = field.firstIndex(of: 0x0A).map({ $0 + 1 }) else { continue }
            while start <= field.count {
                let end = field[start...].firstIndex(of: 0x0A)
                let line = field[start..<(end ?? field.count)]
                // On the closing line, the fields after this one follow, up to a line break in one of them.
                var after: [UnsafeRawBufferPointer] = []
                if end == nil {
                    for j in i + 1..<record.fieldCount {
                        after.append(record.field(j))
                        if after.last!.contains(0x0A) { break }
                    }
                }
                if line.count(where: { $0 == delimiter }) + after.count >= fields - 1 {
                    let values = Array(line).split(separator: delimiter, omittingEmptySubsequences: false)
                        + after.map { Array($0.prefix { $0 != 0x0A })[...] }
                    if fits(values) { return true }
                }
                guard let end else { break }
                start = end + 1
            }
        }
        return false
    }

    private func fits(_ values: [ArraySlice<UInt8>]) -> Bool {
        guard values.count >= fields else { return false }
        return checks.allSatisfy { fits(Self.trimmed(values[$0.column]), $0.shape) }
    }

    private func fits(_ v: ArraySlice<UInt8>, _ shape: Shape) -> Bool {
        switch shape {
        case .present: return !v.isEmpty
        case .date: return dateFormats.contains { $0.parse(v) != nil }
        case .cpr: return v.withUnsafeBytes { CPR.number($0) } != nil
        case .number:
            if let numberPattern { return (try? numberPattern.firstMatch(in: String(decoding: v, as: UTF8.self))) != nil }
            return v.contains { $0 &- 0x30 < 10 } && !v.contains(0x20)
        }
    }

    /// Without the white space (as the validators read a value) and quotes around it.
    private static func trimmed(_ value: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var v = value
        while let last = v.last, SourceRecord.isSpace(last) { v.removeLast() }
        while let first = v.first, SourceRecord.isSpace(first) { v.removeFirst() }
        if v.count >= 2, v.first == 0x22, v.last == 0x22 { v = v.dropFirst().dropLast() }
        return v
    }
}
