import Foundation
import Pipeline

/// Why extract stopped. Each case says what happened, where, and what to do; none ever
/// holds a CPR number in clear. A record that is merely bad is not an error: it is a reject.
public enum ExtractError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A source file of the pipeline is not in the drop.
    case sourceMissing(file: String, drop: String)
    /// The drop's MANIFEST names a file that is absent or differs (checksum or row count).
    case dropIncomplete(file: String, detail: String)
    /// The MANIFEST itself cannot be understood.
    case manifestUnreadable(path: String, line: Int?, message: String)
    /// A file cannot be opened or read.
    case cannotRead(path: String, message: String)
    /// A byte sequence that the declared encoding does not allow (e.g. invalid UTF-8).
    case notDeclaredEncoding(file: String, line: Int, encoding: TextEncoding)
    /// The CSV file has no header line.
    case noHeader(file: String)
    /// A column the pipeline maps is not in the CSV header.
    case missingColumn(file: String, field: String, column: String)
    /// XML that is not well formed (truncated, mismatched tags, …).
    case xmlNotWellFormed(file: String, line: Int, column: Int, message: String)
    /// XML with a DOCTYPE or entity declaration: refused, never resolved (XXE, entity bombs).
    case xmlRefused(file: String, line: Int, column: Int, what: String)
    /// The root's `udtraeksdato` is not an ISO date.
    case badExportDate(file: String, text: String)
    /// The file's checksum changed between the MANIFEST check and the extract.
    case fileChangedDuringRun(file: String)
    /// More of one file's records were rejected than the pipeline allows.
    case rejectThresholdExceeded(file: String, rejected: Int, read: Int, threshold: Double)
    /// The pseudonymisation key cannot be had or used.
    case pseudonymKey(source: String, message: String)
    /// A stage file cannot be written.
    case cannotWrite(path: String, message: String)

    public var description: String {
        switch self {
        case let .sourceMissing(file, drop):
            return "\(drop): the drop is incomplete: \(file) is missing. Wait for the export job to finish, or check the file name in the pipeline file."
        case let .dropIncomplete(file, detail):
            return "\(file): the drop is incomplete: \(detail). The export may still be running or was cut short; wait for it, or ask the export's owner for a new drop."
        case let .manifestUnreadable(path, line, message):
            return "\(path)\(line.map { ":\($0)" } ?? ""): the MANIFEST cannot be read: \(message). Expected lines of `sha256  rows  filename`; ask the export's owner to fix it."
        case let .cannotRead(path, message):
            return "\(path): cannot read: \(message). Check that the file exists and is readable by this user."
        case let .notDeclaredEncoding(file, line, encoding):
            return "\(file):\(line): not the declared encoding \(encoding.rawValue). Fix the `encoding` of this source in the pipeline file, or ask for the export in \(encoding.rawValue)."
        case let .noHeader(file):
            return "\(file): the file is empty: a CSV export starts with a header line. Ask for a new export."
        case let .missingColumn(file, field, column):
            return "\(file):1: the header has no column '\(column)' (mapped to '\(field)'). Fix the mapping under `columns` in the pipeline file, or ask for the column in the export."
        case let .xmlNotWellFormed(file, line, column, message):
            return "\(file):\(line):\(column): XML not well formed: \(message). The file may be truncated; ask for a new export."
        case let .xmlRefused(file, line, column, what):
            return "\(file):\(line):\(column): refused: the file has \(what). DTDs and entities are never processed (they can read local files or blow up memory); ask for the export without them."
        case let .badExportDate(file, text):
            return "\(file): the root's udtraeksdato '\(text)' is not a yyyy-mm-dd date. Ask for a corrected export, or set `as_of` in the pipeline file."
        case let .fileChangedDuringRun(file):
            return "\(file): the file changed while it was being read (its checksum differs from the MANIFEST check). Run again once the export job has finished."
        case let .rejectThresholdExceeded(file, rejected, read, threshold):
            let share = read == 0 ? 0 : Double(rejected) / Double(read) * 100
            return "\(file): \(rejected) of \(read) records rejected (\(String(format: "%.1f", share)) %), more than the pipeline's reject_threshold of \(String(format: "%.1f", threshold * 100)) %. See rejects.tsv in the run's extract folder, fix the export or the mapping, and run again."
        case let .pseudonymKey(source, message):
            return "\(source): the pseudonymisation key cannot be used: \(message)."
        case let .cannotWrite(path, message):
            return "\(path): cannot write: \(message). Check the state directory's free space and permissions."
        }
    }
}
