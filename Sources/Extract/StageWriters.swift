import Foundation
import Pipeline

/// The five stage files of extract, open for writing.
final class StageWriters {
    let institutions: CopyTextWriter
    let assignments: CopyTextWriter
    let enrolments: CopyTextWriter
    let caseEvents: CopyTextWriter
    let rejects: CopyTextWriter

    init(run: RunFolder) throws(ExtractError) {
        func open(_ name: String) throws(ExtractError) -> CopyTextWriter {
            do { return try CopyTextWriter(path: run.file(.extract, name)) } catch {
                throw .cannotWrite(path: run.file(.extract, name), message: "\(error)")
            }
        }
        institutions = try open(StageFile.institutions)
        assignments = try open(StageFile.assignments)
        enrolments = try open(StageFile.enrolments)
        caseEvents = try open(StageFile.caseEvents)
        rejects = try open(StageFile.rejects)
    }

    var all: [CopyTextWriter] { [institutions, assignments, enrolments, caseEvents, rejects] }

    /// Closes every file and describes it for the manifest (rows, bytes, SHA-256).
    func close() throws(ExtractError) -> [StageManifest.OutputFile] {
        var outputs: [StageManifest.OutputFile] = []
        for w in all {
            do { try w.close() } catch { throw .cannotWrite(path: w.path, message: "\(error)") }
            let digest = try ChunkedFile.digest(path: w.path)
            outputs.append(.init(name: (w.path as NSString).lastPathComponent, rows: w.rows, bytes: digest.bytes, sha256: digest.sha256))
        }
        return outputs
    }
}
