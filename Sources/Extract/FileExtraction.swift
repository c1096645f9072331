import Foundation
import Pipeline

/// Extracts one export of a drop: each record validated into a row for its stage file or
/// a reject for `rejects.tsv`, counted per reason.
///
/// Before a record is validated: one that cannot be read is rejected; one the source's row
/// filter leaves out is counted and skipped; a control character in a field the pipeline
/// reads is rejected; a CPR number in a text field is replaced by a pseudonym; the value
/// maps are applied. Each is counted for the stage manifest.
struct FileExtraction {
    let drop: URL
    /// The pipeline file, for messages about its mapping.
    let pipeline: String
    /// The MANIFEST's checksums by source file: a file read must have its.
    let expected: [String: String]
    let rejects: StageFileWriter
    let log: @Sendable (String) -> Void

    struct Outcome {
        var input: StageManifest.InputFile
        var exportDate: Day?
        /// What the steward should hear about (unknown values, CPR numbers in text).
        var warnings: [String]
    }

    /// `pseudonyms` pseudonymises the CPR numbers found in text fields and is handed to the
    /// validator for the children's; accepted rows go to `out`.
    ///
    /// The hot exports pay only for what they use: a record is copied (to change a field)
    /// only when it holds a CPR number in a text field or the source maps values.
    func run<V: RecordValidator>(_ source: PipelineConfig.Source, pseudonyms: inout Pseudonymiser,
                                 validator: inout V, out: StageFileWriter) throws(ExtractError) -> Outcome {
        let file = drop.appendingPathComponent(source.file).path
        let reader = try SourceReader(source: source, path: file, pipeline: pipeline, drop: drop)
        let fields = source.kind.fields
        let selection = RowSelection(source.filter, first: fields.count)
        let mappings = fields.enumerated().compactMap { i, name in source.values[name].map { ValueMapping(field: i, name: name, map: $0) } }
        let textFields = fields.indices.filter { source.kind.textFields.contains(fields[$0]) && source.column(fields[$0]) != nil }
        let vocabulary = VocabularyCheck(fields: fields, mapped: Set(source.values.keys))
        var counts = FileCounts()
        var notes = Notes()
        var clean = CleanTexts(fields: textFields.count)

        // `counts` goes in as an argument: captured by these functions it would be boxed and
        // every access checked at run time, 1 % of a national extract.
        // Whether the record was taken (accepted or merged), not rejected.
        @discardableResult
        func finish(_ r: SourceRecord, _ counts: inout FileCounts) throws -> Bool {
            let row: V.Row
            do throws(Rejection) { row = try validator.validate(r, &pseudonyms) } catch {
                try reject(error, r, &counts)
                return false
            }
            if try writing({ try V.write(row, to: out) }) { counts.accepted += 1 } else { counts.merged += 1 }
            return true
        }

        func reject(_ rejection: Rejection, _ r: SourceRecord, _ counts: inout FileCounts) throws {
            counts.reject(rejection.reason)
            try RejectRecord(file: source.file, line: r.line, field: rejection.field, reason: rejection.reason,
                             message: rejection.message).write(to: rejects)
        }

        do {
            try reader.forEachRecord { record in
                counts.read += 1
                if let p = record.problem {
                    return try reject(Rejection(field: nil, reason: p.reason, message: p.message), record, &counts)
                }
                if let selection, !selection.accepts(record) {
                    counts.filtered += 1
                    return
                }
                if let c = record.controlField(among: fields.count) {
                    return try reject(Rejection(field: fields[c.field], reason: .controlCharacter, message:
                        "\(fields[c.field]) holds the control character \(ControlName.of(c.code)) at byte \(c.offset); "
                        + "it cannot be stored. Ask for the export without it"), record, &counts)
                }
                guard mappings.isEmpty, !record.holdsCPRNumber(in: textFields, clean: &clean) else {
                    var r = EditedRecord(record)
                    var withCPR: [Int] = []
                    for i in textFields {
                        guard let v = r.value(i), let (text, n) = CPRInText.replacingAll(in: v, lostLeadingZero: true, with: { Self.token($0, &pseudonyms) }) else { continue }
                        r.replace(i, with: text)
                        notes.cpr(fields[i], n, line: record.line)
                        withCPR.append(i)
                    }
                    for m in mappings {
                        if let unmatched = m.apply(to: &r) { notes.unmatched(m.name, unmatched) }
                    }
                    return try r.withView { view in
                        guard try finish(view, &counts) else { return }
                        // A field that held a CPR number is warned about as such.
                        vocabulary.check(view) { i, v in if !withCPR.contains(i) { notes.unmatched(fields[i], v) } }
                    }
                }
                // Values outside the contract are warned about as what analysts will see: for
                // the records that reach them. (A value no rule of a map matched is noted
                // whatever becomes of its record: mapping it may be what stops its rejects.)
                if try finish(record, &counts) { vocabulary.check(record) { notes.unmatched(fields[$0], $1) } }
            }
        } catch let e as ExtractError { throw e }
          catch { throw .cannotRead(path: file, message: "\(error)") }
        let sha = reader.sha256
        if let expected = expected[source.file], expected != sha { throw ExtractStage.mismatch(file: file, sha: sha, expected: expected) }
        var line = "extract: \(source.file): \(counts.read) records, \(counts.accepted) accepted, \(counts.rejected) rejected"
        if counts.merged > 0 { line += ", \(counts.merged) merged" }
        if counts.filtered > 0 { line += ", \(counts.filtered) filtered out" }
        log(line)
        var input = counts.input(name: source.file, bytes: reader.bytesRead, sha256: sha)
        input.counts.merge(notes.counts) { $1 }
        var warnings = notes.warnings(file: source.file, unit: source.format == .xml ? "record" : "line", mappings: source.values)
        if let unread = reader.unreadRecords { warnings.append(unread) }
        if let markup = reader.markupRead { warnings.append(markup) }
        if let dropped = reader.secondValuesDropped { warnings.append(dropped) }
        if let mixed = reader.mixedEncoding { warnings.append(mixed) }
        if let cut = reader.unterminated(vouched: expected[source.file] != nil) { warnings.append(cut) }
        if counts.read == 0 {
            warnings.append("\(source.file) has no records: the figures of this run have none of its rows. If that is not so, check the export job")
        }
        return Outcome(input: input, exportDate: reader.exportDate, warnings: warnings)
    }

    /// What replaces a CPR number in a text field: `[cpr:` and the first 16 hex digits of
    /// its child key `]`, so the same number gives the same text in every file and run.
    private static func token(_ number: UInt64, _ pseudonyms: inout Pseudonymiser) -> [UInt8] {
        let hex = pseudonyms.childKeyHex(CPR(number: number, birth: Day(rawValue: 0)))
        return Array("[cpr:".utf8) + withUnsafeBytes(of: hex) { Array($0.prefix(16)) } + [0x5D]
    }
}

/// Per input file: records read, accepted, rejected by reason, merged, filtered out.
struct FileCounts {
    var read = 0, accepted = 0, rejected = 0, merged = 0, filtered = 0
    var byReason: [String: Int] = [:]

    mutating func reject(_ reason: RejectReason) {
        rejected += 1
        byReason[reason.rawValue, default: 0] += 1
    }

    func input(name: String, bytes: Int64, sha256: String) -> StageManifest.InputFile {
        var counts: [String: Int] = [:]
        if merged > 0 { counts["merged_address"] = merged }
        if filtered > 0 { counts["filtered"] = filtered }
        return .init(name: name, bytes: bytes, checksum: .sha256(sha256), rowsRead: read, accepted: accepted, rejected: rejected,
                     rejectedByReason: byReason, counts: counts)
    }
}

/// CPR numbers found in text fields and values no rule of a value map matched, per field.
struct Notes {
    private(set) var counts: [String: Int] = [:]
    private var cprLines: [String: [Int]] = [:]
    /// Per field: unmatched values (masked) → how often, for the first few distinct ones.
    private var unmatched: [String: [String: Int]] = [:]

    /// Per field: how many records held one.
    private var cprRecords: [String: Int] = [:]

    mutating func cpr(_ field: String, _ n: Int, line: Int) {
        counts["cpr_in_text:\(field)", default: 0] += n
        cprRecords[field, default: 0] += 1
        if cprLines[field, default: []].count < 5 { cprLines[field, default: []].append(line) }
    }

    mutating func unmatched(_ field: String, _ v: ArraySlice<UInt8>) {
        counts["unmapped_value:\(field)", default: 0] += 1
        let text = Echo.text(v)
        if unmatched[field]?[text] != nil || unmatched[field, default: [:]].count < 8 { unmatched[field, default: [:]][text, default: 0] += 1 }
    }

    /// `unit`: what a record's number counts in its file, "line" (CSV) or "record" (XML).
    func warnings(file: String, unit: String, mappings: [String: PipelineConfig.ValueMap]) -> [String] {
        var out: [String] = []
        for (field, lines) in cprLines.sorted(by: { $0.key < $1.key }) {
            let n = counts["cpr_in_text:\(field)"] ?? 0
            out.append("\(file): \(n) CPR number\(n == 1 ? "" : "s") in the text field \(field) (\(unit)\(lines.count == 1 ? "" : "s") \(lines.map(String.init).joined(separator: ", "))\(cprRecords[field, default: 0] > lines.count ? ", …" : "")) replaced by a pseudonym; ask the export's owner to keep CPR numbers out of \(field)")
        }
        for (field, values) in unmatched.sorted(by: { $0.key < $1.key }) {
            let n = counts["unmapped_value:\(field)"] ?? 0
            let shown = values.sorted { $0.value > $1.value || $0.value == $1.value && $0.key < $1.key }
                .map { "'\($0.key)' (\($0.value))" }.joined(separator: ", ") + (values.count >= 8 ? ", …" : "")
            guard let map = mappings[field] else {
                out.append("\(file): \(n) value\(n == 1 ? "" : "s") of \(field) \(n == 1 ? "is" : "are") no value of the contract and \(n == 1 ? "was" : "were") passed on as written, "
                           + "so analysts see \(n == 1 ? "it as its own category" : "them as their own categories"): \(shown); map them in values.\(field) in the pipeline file")
                continue
            }
            let became: String
            switch map.fallback {
            case .keep where field == "haendelse": became = "rejected (unknown_event_type): an event type is one of the contract's"
            case .keep: became = ContractVocabulary.values[field] == nil ? "kept as written" : "passed on as written, though no value of the contract"
            case .empty: became = "left empty"
            case .value(let v): became = "read as '\(v)'"
            }
            out.append("\(file): \(n) value\(n == 1 ? "" : "s") of \(field) matched no rule of its value map and \(n == 1 ? "was" : "were") \(became): \(shown); add them to values.\(field) in the pipeline file")
        }
        return out
    }
}

/// The name of a control character for messages: `NUL (0x00)`.
enum ControlName {
    private static let names = ["NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR", "SO", "SI",
                                "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US"]

    /// C0 by name and byte, DEL, and C1 (0x80–0x9F) by code point.
    static func of(_ c: UInt8) -> String {
        let hex = String(c, radix: 16, uppercase: true)
        if c >= 0x80 { return "U+00\(hex) (C1)" }
        return "\(c < 0x20 ? names[Int(c)] : "DEL") (0x\(hex.count == 1 ? "0" : "")\(hex))"
    }
}
