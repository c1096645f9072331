import Foundation
import Pipeline

/// One export of a drop read as `SourceRecord`s, whichever its format: CSV through its
/// header and the pipeline's column mapping, XML through element and attribute names.
final class SourceReader {
    let source: PipelineConfig.Source
    let path: String
    /// The pipeline file, for messages about its mapping.
    let pipeline: String
    private let csv: CSVReader?
    private let xml: XMLRecordReader?
    /// XML: a filter column named before it (mapped, or filtered twice) → the earlier index;
    /// the reader gives each name to one index only.
    private var aliases: [(column: Int, same: Int)] = []

    /// `drop`: the file must lie in it (unless the source allows a link out), checked on the
    /// file opened; nil: not checked (benchmarks).
    init(source: PipelineConfig.Source, path: String, pipeline: String, drop: URL?) throws(ExtractError) {
        let confine = source.allowLinkOutsideDrop ? nil : drop
        self.source = source
        self.path = path
        self.pipeline = pipeline
        switch source.format {
        case .csv:
            csv = try CSVReader(path: path, delimiter: source.delimiter, encoding: source.encoding,
                                maxFieldLines: source.maxFieldLines, confinedTo: confine)
            xml = nil
        case .xml:
            // UTF-8 (the default) lets the document's own declaration rule; other encodings
            // are imposed, as the pipeline file says.
            var names = source.kind.fields.map { source.column($0) }
            for column in source.filter?.columns ?? [] {
                if let same = names.firstIndex(of: column) { aliases.append((names.count, same)); names.append(nil) } else { names.append(column) }
            }
            let fields = source.kind.fields, descriptive = source.kind.descriptiveFields
            xml = try XMLRecordReader(path: path, recordElement: source.recordElement, names: names,
                                      descriptive: Set(fields.indices.filter { descriptive.contains(fields[$0]) }),
                                      encoding: source.encoding == .utf8 ? nil : source.encoding, confinedTo: confine)
            csv = nil
        }
    }

    /// The SHA-256 and size of the bytes read, complete once `forEachRecord` returned.
    var sha256: String { csv?.sha256 ?? xml!.sha256 }
    var bytesRead: Int64 { csv?.bytesRead ?? xml!.bytesRead }
    /// The XML root's `udtraeksdato`; nil for CSV.
    var exportDate: Day? { xml?.exportDate }

    /// What the steward should hear about elements that look like records but were not read
    /// (XML); nil when there were none.
    var unreadRecords: String? {
        guard let xml, xml.unreadOtherCase > 0 else { return nil }
        return "\(source.file): \(xml.unreadOtherCase) spelled otherwise than <\(source.recordElement)> were not read as records; "
            + "if they are records, ask the export's owner for the layout the pipeline file names"
    }

    /// What the steward should hear about markup inside descriptive XML fields, read as the
    /// text inside it; nil when there was none.
    var markupRead: String? {
        xml.flatMap { told($0.markupRead, ("holds", "hold"), "markup inside a field") { "<\(Echo.text($0.element.utf8))> in \($0.field)" } }
            .map { $0 + "read as the text inside it; ask the export's owner for plain text" }
    }

    /// "`file`: 3 records hold `what` (the first, …): " for the records `noted` in an XML
    /// export; nil when none was.
    private func told<Thing>(_ noted: NotedRecords<Thing>, _ verb: (one: String, many: String), _ what: String,
                             _ first: (Thing) -> String) -> String? {
        guard let thing = noted.first else { return nil }
        let n = noted.records
        return "\(source.file): \(n) \(n == 1 ? "record \(verb.one)" : "records \(verb.many)") \(what) (\(first(thing))\(n > 1 ? ", …" : "")): "
    }

    /// What the steward should hear about a CSV export whose last line has no line end,
    /// when no MANIFEST vouches for it: it may be cut short (an adversarial review loaded such
    /// a file's cut record as an open spell, with only "no MANIFEST" said); nil otherwise.
    func unterminated(vouched: Bool) -> String? {
        guard !vouched, csv?.unterminated == true else { return nil }
        return "\(source.file): its last line has no line end, and no MANIFEST gives its checksum: the file may be cut short, "
            + "and its last record with it; have the export job end every line and write a MANIFEST"
    }

    /// What the steward should hear about descriptive XML fields given twice with different
    /// values, the first kept; nil when there were none.
    var secondValuesDropped: String? {
        xml.flatMap { told($0.secondDropped, ("gives", "give"), "a field twice with different values") { $0 } }
            .map { $0 + "the first was kept; ask the export's owner for one value a field" }
    }

    /// What the steward should hear about letters written in UTF-8 inside a single-byte CSV
    /// export: they arrive as "Ã¦"; nil when there were none.
    var mixedEncoding: String? {
        guard let letters = csv?.utf8Letters else { return nil }
        let n = letters.count
        return "\(source.file): \(n) letter\(n == 1 ? "" : "s") written in UTF-8 in this \(source.encoding.rawValue) export (the first on line "
            + "\(letters.firstLine)) \(n == 1 ? "arrives" : "arrive") as 'Ã¦' and the like; ask for the export in one encoding"
    }

    /// Calls `body` with each data record (not the CSV header).
    ///
    /// A CSV record whose quoted field spans lines and closes with text after its closing
    /// quote, or holds a line that reads as a record of this export (`RecordShape`), has most
    /// likely swallowed the records on the lines after its first (a stray quote opened the
    /// field; a quote of a later line closed it): each of those lines is handed out as a
    /// record of its own, rejected, so that they are counted (and the reject threshold sees
    /// them) instead of vanishing. Any other record spanning lines is one record, however
    /// else it is malformed.
    func forEachRecord(_ body: (SourceRecord) throws -> Void) throws {
        if let xml {
            if aliases.isEmpty { return try xml.forEachRecord(body) }
            return try xml.forEachRecord { record in
                var columns = Array(record.columns)
                for a in aliases { columns[a.column] = columns[a.same] }
                try columns.withUnsafeBufferPointer { c in
                    var r = record
                    r.columns = c
                    try body(r)
                }
            }
        }
        // Made from the header; one buffer for the whole file, so a record costs no reference count.
        var columns: UnsafeMutableBufferPointer<Int>? = nil
        defer { columns?.deallocate() }
        var headerCount = 0
        var shape: RecordShape? = nil
        try csv!.forEachRecord { record in
            guard let columns else {
                try checkHeader(record)
                let mapped = try mapHeader(record)
                columns = .allocate(capacity: mapped.count)
                _ = columns!.initialize(from: mapped)
                headerCount = record.fieldCount
                shape = RecordShape(source, columns: mapped, fields: record.fieldCount)
                return
            }
            let view = UnsafeBufferPointer(columns)
            // A quoted field over lines: text, or records a stray quote swallowed (`RecordShape`).
            let swallowed = record.joined || record.lastLine > record.line && shape?.holdsRecords(record) == true
            if record.problem == nil, record.fieldCount == headerCount, !swallowed {
                try body(SourceRecord(line: record.line, problem: nil, bytes: record.bytes, ends: record.ends,
                                      columns: view, control: record.control))
            } else {
                try Self.bad(record, swallowed: swallowed, headerCount: headerCount, columns: view, body)
            }
        }
        if columns == nil { throw ExtractError.noHeader(file: path) }
    }

    /// A record that cannot be read, and the lines it joined (out of line: the common path
    /// stays small enough for the compiler to fold into the reader's loop).
    @inline(never)
    private static func bad(_ record: CSVRecord, swallowed: Bool, headerCount: Int, columns: UnsafeBufferPointer<Int>,
                            _ body: (SourceRecord) throws -> Void) throws {
        var problem: (reason: RejectReason, message: String)
        if let p = record.problem {
            problem = (.malformedField, p)
        } else if swallowed {
            problem = (.malformedField, "a quoted field runs over lines that read as records of this file")
        } else {
            problem = (.wrongColumnCount, "\(record.fieldCount) fields where the header has \(headerCount)")
            // A CR alone ends a line for some programs, not for the contract: the next record read as part of this one (a review).
            let loneCR = (0..<record.fieldCount).contains { i in
                let field = record.field(i)
                return field.indices.contains { field[$0] == 0x0D && ($0 + 1 == field.count || field[$0 + 1] != 0x0A) }
            }
            if loneCR {
                problem.message += "; it holds a carriage return without a line feed, which the contract does not take for a line break: two records joined?"
            }
        }
        let joined = swallowed && record.lastLine > record.line
        if joined {
            problem.message += "; the record runs over lines \(record.line)–\(record.lastLine): a stray quote may have joined the lines after its first to it"
        }
        try body(SourceRecord(line: record.line, problem: problem, bytes: record.bytes, ends: record.ends,
                              columns: columns, control: record.control))
        guard joined else { return }
        for line in (record.line + 1)...record.lastLine {
            try body(.empty(line: line, problem: (.malformedField, "joined to the record of line \(record.line) by a quote (see that line)"),
                            columns: columns))
        }
    }

    /// A header is one line of names: a quote or a line break in it means the lines after it
    /// went into it (a stray quote; CR-only line ends), and with them their records.
    private func checkHeader(_ header: CSVRecord) throws(ExtractError) {
        let reason: String?
        if header.field(header.fieldCount - 1).last == 0x0D, header.bytes.count(where: { $0 == 0x0D }) == 1 {
            reason = "its lines end in CR CR LF (converted to CRLF twice?), so each line's last field ends in a carriage return; ask for LF or CRLF line ends"
        } else if header.bytes.count(where: { $0 == 0x0D }) >= 2 && !header.bytes.contains(0x0A) {
            reason = "its lines end in a carriage return only (CR, as on old Macs), so the whole file reads as one line; ask for LF or CRLF line ends"
        } else if !header.bytes.contains(0x0A), let column = (0..<header.fieldCount).first(where: { header.field($0).contains(0x0D) }) {
            // One stray CR is no CR-only file (an adversarial review was told it was).
            reason = "a carriage return (CR) stands inside name \(column + 1) of the header; ask for a header of plain names on one line"
        } else if let problem = header.problem {
            reason = problem
        } else if header.lastLine > header.line || header.bytes.contains(0x0A) || header.bytes.contains(0x0D) {
            reason = "a quoted name holds a line break (a stray quote?)"
        } else {
            reason = nil
        }
        if let reason { throw .badHeader(file: path, lastLine: header.lastLine, reason: reason) }
    }

    /// Contract field (then filter column) → column index, by header name (surrounding
    /// spaces ignored); -1 for a field the pipeline leaves unmapped.
    private func mapHeader(_ header: CSVRecord) throws(ExtractError) -> [Int] {
        let names = (0..<header.fieldCount).map { String(String(decoding: header.field($0), as: UTF8.self).trimmingSpaces) }
        var positions: [String: [Int]] = [:]
        for (i, name) in names.enumerated() { positions[name, default: []].append(i) }
        let wanted: [(key: String, column: String?, line: Int?, field: String)] =
            source.kind.fields.map { ("sources.\(source.kind.rawValue).columns.\($0)", source.column($0), source.columnLines[$0], $0) }
            + (source.filter.map { $0.keep.map { ("keep", $0) } + $0.skip.map { ("skip", $0) } } ?? []).map { kind, c in
                ("sources.\(source.kind.rawValue).filter.\(kind).\(c.column)", c.column, c.line, "filter")
            }
        return try wanted.map { (w) throws(ExtractError) -> Int in
            guard let column = w.column else { return -1 }
            guard let at = positions[column] else {
                throw .missingColumn(MissingColumn(
                    file: path, pipeline: pipeline, pipelineLine: w.line, key: w.key, column: column, header: names,
                    delimiter: source.delimiter, suggested: suggestDelimiter(names, wanted: wanted.compactMap(\.column))))
            }
            if at.count > 1 { throw .ambiguousHeader(file: path, column: column, field: w.field, positions: at.map { $0 + 1 }) }
            return at[0]
        }
    }

    /// A delimiter under which the header line would hold every wanted column, if one does.
    private func suggestDelimiter(_ names: [String], wanted: [String]) -> UInt8? {
        let line = names.joined(separator: String(decoding: [source.delimiter], as: UTF8.self))
        for candidate in [";", ",", "\t", "|"].map({ UInt8(ascii: Unicode.Scalar($0)!) }) where candidate != source.delimiter {
            let split = Set(line.split(separator: Character(Unicode.Scalar(candidate)), omittingEmptySubsequences: false).map { part in
                var s = String(part).trimmingSpaces
                if s.count >= 2, s.first == "\"", s.last == "\"" { s = s.dropFirst().dropLast() }
                return String(s)
            })
            if wanted.allSatisfy(split.contains) { return candidate }
        }
        return nil
    }
}
