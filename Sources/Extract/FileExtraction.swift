import Foundation
import Pipeline

/// Extracts one export of a drop: each record validated into a row for its stage file or
/// a reject for `rejects.tsv`, counted per reason.
struct FileExtraction {
    let drop: URL
    /// Checksums seen by the MANIFEST check; a file must still have them when read.
    let checked: [String: String]
    let rejects: StageWriter
    let log: @Sendable (String) -> Void

    struct Outcome {
        var input: StageManifest.InputFile
        var exportDate: Day?
    }

    func run<R>(_ source: PipelineConfig.Source, _ validate: (SourceRecord) throws(Rejection) -> R,
                _ write: (R) throws(ExtractError) -> Void) throws(ExtractError) -> Outcome {
        let file = drop.appendingPathComponent(source.file).path
        let reader = try SourceReader(source: source, path: file)
        var counts = FileCounts()
        do {
            try reader.forEachRecord { r in
                counts.read += 1
                let outcome: Result<R, Rejection>
                if let p = r.problem {
                    outcome = .failure(Rejection(field: nil, reason: p.reason, message: p.message))
                } else {
                    do throws(Rejection) { outcome = .success(try validate(r)) } catch { outcome = .failure(error) }
                }
                switch outcome {
                case .success(let row):
                    try write(row)
                    counts.accepted += 1
                case .failure(let rejection):
                    counts.reject(rejection.reason)
                    try RejectRecord(file: source.file, line: r.line, field: rejection.field, reason: rejection.reason,
                                     message: rejection.message).write(to: rejects)
                }
            }
        } catch let e as ExtractError { throw e }
          catch { throw .cannotRead(path: file, message: "\(error)") }
        let sha = reader.sha256
        if let expected = checked[source.file], expected != sha { throw .fileChangedDuringRun(file: file) }
        log("extract: \(source.file): \(counts.read) records, \(counts.accepted) accepted, \(counts.rejected) rejected")
        return Outcome(input: counts.input(name: source.file, bytes: reader.bytesRead, sha256: sha), exportDate: reader.exportDate)
    }
}

/// Per input file: records read, accepted, rejected by reason.
struct FileCounts {
    var read = 0, accepted = 0, rejected = 0
    var byReason: [String: Int] = [:]

    mutating func reject(_ reason: RejectReason) {
        rejected += 1
        byReason[reason.rawValue, default: 0] += 1
    }

    func input(name: String, bytes: Int64, sha256: String) -> StageManifest.InputFile {
        .init(name: name, bytes: bytes, sha256: sha256, rowsRead: read, accepted: accepted, rejected: rejected,
              rejectedByReason: byReason)
    }
}
