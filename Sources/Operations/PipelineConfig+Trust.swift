import Foundation
import Pipeline

extension PipelineConfig {
    /// The pipeline file at `path`, refused (exit 64) when a user other than this one and
    /// root owns it or may change it, or may rename it away from a folder above it: it says
    /// where the report is written, which database receives the facts and which key
    /// pseudonymises, so it is trusted as the migrations are (`SchemaFiles`). An adversarial
    /// review had a night run as root write where another user's pipeline file said, and send
    /// its facts to that user's server.
    package static func loadTrusted(path: String) throws -> PipelineConfig {
        let absolute = OtherWriters.resolved(path).path
        var info = stat()
        if stat(absolute, &info) == 0 {
            let risk = "who could change where this run writes and which database receives the facts: refused. "
                + "Keep it where only you (or root) can change it, as your own file, and run again"
            if ![0, geteuid()].contains(info.st_uid) {
                throw OperationsError.usage("\(absolute): the pipeline file belongs to \(OtherWriters.owner(info.st_uid)), \(risk)")
            }
            if let writers = OtherWriters.of(info, path: absolute) {
                throw OperationsError.usage("\(absolute): the pipeline file may be written by \(writers), \(risk)")
            }
            if let (folder, writers) = OtherWriters.folderAbove(absolute, othersOwning: true) {
                throw OperationsError.usage("\(absolute): the pipeline file lies in \(folder), where \(writers) may replace it, \(risk)")
            }
        }
        return try load(path: path)
    }
}
