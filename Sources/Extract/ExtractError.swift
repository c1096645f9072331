import Foundation
import Pipeline

/// Why extract stopped. Each case says what happened, where, and what to do; none ever
/// holds a CPR number in clear. A record that is merely bad is not an error: it is a reject.
package enum ExtractError: StewardError, Equatable, Sendable {
    /// A source file of the pipeline is not in the drop.
    case sourceMissing(file: String, drop: String)
    /// A source's name in the drop is not a regular file (a directory, a device, a pipe, …).
    case sourceNotAFile(file: String, drop: String, what: String)
    /// A source is a symbolic link to a file outside the drop, and the pipeline does not allow it.
    case sourceOutsideDrop(file: String, drop: String, target: String)
    /// The drop's MANIFEST names a file that is absent or differs (checksum or row count).
    case dropIncomplete(file: String, detail: String)
    /// A file has the checksum its MANIFEST line gives but not its number of data rows.
    case manifestRowsDiffer(file: String, manifestLine: Int, rows: Int, manifestRows: Int)
    /// The MANIFEST itself cannot be understood.
    case manifestUnreadable(path: String, line: Int?, message: String)
    /// A file cannot be opened or read.
    case cannotRead(path: String, message: String)
    /// A byte sequence that the declared encoding does not allow (e.g. invalid UTF-8).
    case notDeclaredEncoding(file: String, line: Int, encoding: TextEncoding)
    /// A file that starts with UTF-16's or UTF-32's byte-order mark (`form`; PowerShell 5's
    /// `>` writes UTF-16), or is UTF-16 without one (`UTF-16LE`, `UTF-16BE`): no encoding the
    /// pipeline may declare reads it.
    case wideUnicode(file: String, form: String)
    /// A file the pipeline declares single-byte (windows-1252) that is UTF-8: read as
    /// declared, its letters would be garbled.
    case utf8NotDeclared(file: String, encoding: TextEncoding, evidence: String)
    /// An XML document whose declaration names a single-byte encoding is UTF-8.
    case utf8UnderDeclaration(file: String, declared: String, evidence: String)
    /// The CSV file has no header line.
    case noHeader(file: String)
    /// The CSV header cannot be the header: it spans lines, holds a stray quote, or is one
    /// with the lines after it (CR-only line ends). Its records would be lost with it.
    case badHeader(file: String, lastLine: Int, reason: String)
    /// A column the pipeline maps is not in the CSV header: a pipeline-file error. `header`
    /// holds the columns found; `delimiter`, one that would split the header into columns
    /// holding every mapped one.
    case missingColumn(MissingColumn)
    /// The CSV header names a mapped column more than once (1-based positions).
    case ambiguousHeader(file: String, column: String, field: String, positions: [Int])
    /// A quoted field still open at the end of the file (`within` nil), or after more
    /// lines than the source allows: it would swallow the records after it.
    case unclosedQuote(file: String, line: Int, within: Int?)
    /// XML that is not well formed (truncated, mismatched tags, …).
    case xmlNotWellFormed(file: String, line: Int, column: Int, message: String)
    /// XML with a DOCTYPE or entity declaration: refused, never resolved (XXE, entity bombs).
    case xmlRefused(file: String, line: Int, column: Int, what: String)
    /// The root's `udtraeksdato` is not an ISO date from the year 1000 on (`problem`).
    case badExportDate(file: String, line: Int, text: String, problem: String)
    /// XML elements nested deeper than any export's: memory would grow with the depth.
    case xmlTooDeep(file: String, line: Int, column: Int, limit: Int)
    /// One XML token (a comment, a tag, a processing instruction) longer than the reader allows.
    case xmlTokenTooLong(file: String, line: Int, limit: Int)
    /// More of one file's records were rejected than the pipeline allows.
    /// Every file over its threshold, and what each file read (for the ledger).
    case rejectThresholdExceeded([ThresholdBreach], inputs: [StageManifest.InputFile])
    /// The pseudonymisation key cannot be had or used.
    case pseudonymKey(source: String, message: String)
    /// A stage file cannot be written.
    case cannotWrite(path: String, message: String)

    /// Whether a stage's error is one of those the drop's files cause (66, or the export's
    /// owner's to fix): the same files fail the same way, so `runs show` says to wait for them.
    package static func isTheDrops(_ message: String) -> Bool {
        message.contains("the drop is incomplete") || message.contains("export's owner")
    }

    /// A drop that is not whole is the export job's to finish (66), a mapping the pipeline
    /// file's to fix (64), too many rejects the export's owner's to see to (65).
    package var exitStatus: ExitStatus {
        switch self {
        case .rejectThresholdExceeded: .rejectThresholdExceeded
        case .sourceMissing, .dropIncomplete, .manifestRowsDiffer, .manifestUnreadable, .sourceNotAFile, .sourceOutsideDrop: .dropIncomplete
        // A header that reads as a record is the export's to fix, as a missing header is (the
        // cron wrapper sent a steward to the pipeline file for it, an adversarial review).
        case .missingColumn(let m): m.headerLooksLikeRecord ? .failure : .usage
        case .cannotRead, .notDeclaredEncoding, .wideUnicode, .utf8NotDeclared, .utf8UnderDeclaration, .noHeader, .badHeader, .ambiguousHeader, .unclosedQuote, .xmlNotWellFormed, .xmlRefused,
             .badExportDate, .xmlTooDeep, .xmlTokenTooLong, .pseudonymKey, .cannotWrite: .failure
        }
    }

    /// How a file shows it is `form`: "it starts with UTF-16's byte-order mark, as
    /// PowerShell's `>` writes it", or UTF-32's; UTF-16LE or BE by its NUL bytes.
    static func wideUnicodeSign(_ form: String) -> String {
        if form.hasSuffix("LE") || form.hasSuffix("BE") { return "its characters are two bytes each, one of them NUL, with no byte-order mark" }
        return "it starts with \(form)'s byte-order mark" + (form == "UTF-16" ? ", as PowerShell's `>` writes it" : "")
    }

    package var description: String {
        switch self {
        case let .sourceMissing(file, drop):
            return "\(drop): the drop is incomplete: \(file) is missing. Wait for the export job to finish, or check the file name in the pipeline file."
        case let .sourceNotAFile(file, drop, what) where file == DropManifest.fileName:
            return "\(drop)/\(file): the MANIFEST is \(what), not a file. Check the export job: it should write the MANIFEST as a file into the drop, last."
        case let .sourceNotAFile(file, drop, what):
            return "\(drop)/\(file): the export is \(what), not a file. Check the export job (it should write \(file) as a file into the drop), or the file name in the pipeline file."
        case let .sourceOutsideDrop(file, drop, target):
            if file.split(separator: "/").contains("..") {
                return "\(drop)/\(file): refused: the name leads out of the drop (to \(target)). Exports are read from the drop only; name a file in the drop."
            }
            if file == DropManifest.fileName {
                return "\(drop)/\(file): refused: the MANIFEST is a symbolic link to \(target), outside the drop. A drop's MANIFEST is read from the drop only; copy it into the drop."
            }
            return "\(drop)/\(file): refused: a symbolic link to \(target), outside the drop. Exports are read from the drop only; copy the file into the drop, or, if the link is intended, set `allow_link_outside_drop: true` for this source in the pipeline file."
        case let .dropIncomplete(file, detail):
            return "\(file): the drop is incomplete: \(detail). The export may still be running or was cut short; wait for it, or ask the export's owner for a new drop. A drop corrected by hand needs its MANIFEST lines corrected too (`sha256sum` and rows of each changed file)."
        case let .manifestRowsDiffer(file, manifestLine, rows, manifestRows):
            let counted = file.lowercased().hasSuffix(".xml")
                ? "record elements, one inside another record counted too (it is a reject of its own)"
                : "data records: no header, no blank lines; a quoted line break does not start a record"
            return "\(file): the drop is incomplete: it has \(rows) data rows, the MANIFEST says \(manifestRows) (its line \(manifestLine)). The checksum matches, so the export job counted differently (\(counted)); ask the export's owner for a corrected MANIFEST."
        case let .manifestUnreadable(path, line, message):
            return "\(path)\(line.map { ":\($0)" } ?? ""): the MANIFEST cannot be read: \(message). Expected lines of `sha256  rows  filename`; ask the export's owner to fix it."
        case let .cannotRead(path, message):
            return "\(path): cannot read: \(message). Check that the file exists and is readable by this user."
        case let .notDeclaredEncoding(file, line, encoding):
            return "\(file):\(line): not the declared encoding \(encoding.rawValue). Fix the `encoding` of this source in the pipeline file, or ask for the export in \(encoding.rawValue)."
        case let .wideUnicode(file, form):
            return "\(file): the file is \(form) (\(Self.wideUnicodeSign(form))), which no encoding of the pipeline file reads. "
                + "Ask for the export in UTF-8, or convert it: iconv -f \(form) -t UTF-8."
        case let .utf8NotDeclared(file, encoding, evidence):
            return "\(file): the pipeline file says \(encoding.rawValue), but the file is UTF-8: \(evidence). Set `encoding: utf-8` for this source in the pipeline file, or ask for the export in \(encoding.rawValue)."
        case let .utf8UnderDeclaration(file, declared, evidence):
            return "\(file): its XML declaration says encoding=\"\(declared)\", but the file is UTF-8: \(evidence). The export job writes "
                + "UTF-8 under its old declaration; ask the export's owner to declare encoding=\"UTF-8\" (or to write \(declared) again)."
        case let .noHeader(file):
            return "\(file): the file is empty: a CSV export starts with a header line. Ask for a new export."
        case let .badHeader(file, lastLine, reason):
            let lines = lastLine > 1 ? " (it runs to line \(lastLine))" : ""
            return "\(file):1: the header line cannot be read\(lines): \(reason). The records after it would be lost with it, so the file is refused; ask for a corrected export."
        case let .missingColumn(m):
            return m.description
        case let .ambiguousHeader(file, column, field, positions):
            let at = positions.map(String.init).joined(separator: " and ")
            return "\(file):1: ambiguous header: the column '\(column)' (mapped to '\(field)') is named at positions \(at). Ask for an export whose columns have unique names."
        case let .unclosedQuote(file, line, within):
            let what = within.map { "is still open \($0) lines later (max_field_lines: \($0))" } ?? "is never closed"
            let fix = within == nil ? "" : " If fields of this export really span that many lines, raise max_field_lines for this source in the pipeline file."
            return "\(file):\(line): a quoted field opened on line \(line) \(what): a stray or missing quote would read the records after it as one field. Ask for a corrected export.\(fix)"
        case let .xmlNotWellFormed(file, line, column, message):
            return "\(file):\(line):\(column): XML not well formed: \(message). Bytes its declared encoding does not allow, broken markup, or a file cut short; ask for a new export."
        case let .xmlRefused(file, line, column, what):
            return "\(file):\(line):\(column): refused: the file has \(what). DTDs and entities are never processed (they can read local files or blow up memory); ask for the export without them."
        case let .xmlTooDeep(file, line, column, limit):
            return "\(file):\(line):\(column): refused: elements are nested more than \(limit) deep here, which no export is (reading on would take memory without end). The file may be corrupt; ask for a new export."
        case let .xmlTokenTooLong(file, line, limit):
            return "\(file):\(line): refused: a comment, tag or other markup starting here runs on for more than \(limit >> 20) MiB (reading it would take hours). The file may be corrupt; ask for the export without it."
        case let .badExportDate(file, line, text, problem):
            return "\(file):\(line): the root's udtraeksdato '\(text)' \(problem). Ask for a corrected export."
        case let .rejectThresholdExceeded(files, _):
            return "too many records rejected: \(files.map(\.description).joined(separator: "; ")). See rejects.tsv in the run's extract folder, fix the export or the mapping, and run again."
        case let .pseudonymKey(source, message):
            return "\(source): the pseudonymisation key cannot be used: \(message)."
        case let .cannotWrite(path, message):
            return "\(path): cannot write: \(message). Check the state directory's free space and permissions."
        }
    }
}

/// A column the pipeline file names (a mapping or a filter) missing from a CSV header, with
/// what is needed to say why and what to do.
package struct MissingColumn: Equatable, Sendable, CustomStringConvertible {
    package var file: String
    /// The pipeline file, the line and the key that name the column.
    package var pipeline: String
    package var pipelineLine: Int?
    package var key: String
    package var column: String
    /// The header's columns as the pipeline's delimiter splits them.
    package var header: [String]
    package var delimiter: UInt8
    /// A delimiter under which the header holds every column the pipeline names; nil when none does.
    package var suggested: UInt8?

    package var description: String {
        let shown = header.prefix(30).map { "'\(Echo.text($0.utf8))'" }.joined(separator: ", ")
            + (header.count > 30 ? ", … (\(header.count) in all)" : "")
        let found = "the header of \(file) has \(header.count) column\(header.count == 1 ? "" : "s") split by '\(Self.name(delimiter))': \(shown)"
        let fix: String
        if let suggested {
            fix = "Split by '\(Self.name(suggested))' it holds every column the pipeline names: set `delimiter: \"\(Self.name(suggested))\"` for this source."
        } else if headerLooksLikeRecord {
            // Dates and numbers where names should be: a record (a new user's trial was shown a masked CPR number as a column).
            fix = "The first line holds dates or numbers, as a record does: the export seems to lack its header line. Ask for the export with its header."
        } else if let hidden = header.first(where: { Self.visible($0).lowercased() == column.lowercased() && Self.visible($0) != $0 }) {
            // A second byte-order mark or a zero-width space read as "name it in the pipeline file" (an adversarial review).
            fix = "The header has '\(Echo.text(hidden.utf8))': this column's name with an invisible character in it (a byte-order mark, "
                + "a zero-width space or a control character, shown as '?'). Ask for the export without it."
        } else if let near = header.first(where: { $0.lowercased() == column.lowercased() }) {
            fix = "The header has '\(Echo.text(near.utf8))': names are matched exactly, so write it that way in the pipeline file."
        } else {
            fix = "Name one of these columns in the pipeline file (an optional field may be left unmapped), or ask for the column in the export."
        }
        return "\(pipeline)\(pipelineLine.map { ":\($0)" } ?? ""): \(key): no column '\(column)' in the export: \(found). \(fix)"
    }

    static func name(_ d: UInt8) -> String { d == 0x09 ? "\\t" : String(decoding: [d], as: UTF8.self) }

    /// The name without the characters a reader does not see.
    static func visible(_ name: String) -> String {
        String(String.UnicodeScalarView(name.unicodeScalars.filter { !Echo.isUnshowable($0) && !CPRInText.isInvisible($0) }))
    }

    /// Dates and numbers where names should be, and no other delimiter that would fit: a record.
    /// A field of six digits or more (a date has eight, a CPR number ten) is no column's name;
    /// half the fields having four was too few for a case event's (an adversarial review).
    package var headerLooksLikeRecord: Bool {
        func digits(_ field: String) -> Int { field.utf8.count(where: { (0x30...0x39).contains($0) }) }
        return suggested == nil && (header.contains { digits($0) >= 6 } || header.count(where: { digits($0) >= 4 }) * 2 >= header.count)
    }
}
