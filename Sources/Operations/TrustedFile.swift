import Foundation
import Pipeline

/// A file that says what a command reads, writes and connects to (a pipeline file, a
/// national file) is trusted as the migrations are (`SchemaFiles`): refused (exit 64) when a
/// user other than this one and root owns it or may change it, owns a link to it, or may
/// rename it away in a folder above it. An adversarial review had a night run as root write
/// where another user's pipeline file said and send its facts to that user's server, and
/// another's national file send the pseudonymisation key to hers as a password.
package enum TrustedFile {
    package static func check(_ path: String, what: String) throws {
        let absolute = OtherWriters.resolved(path).path
        let risk = "who could change what this command reads, writes and connects to: refused. "
            + "Keep it where only you (or root) can change it, as your own file, and run again"
        // A link another user made on the way, to it or to a folder above: they may point it elsewhere between this
        // check and the read (a re-test did, in a sticky folder). And it must be there when checked: one that appears
        // after, in a sticky folder, would be read unchecked (the next re-test).
        var info = stat()
        switch OtherWriters.way(to: path) {
        case .linkByOthers(let link, let uid):
            throw OperationsError.usage("\(path): \(what) is reached through \(link), a link that \(OtherWriters.owner(uid)) made, \(risk)")
        case .missing(let step):
            throw OperationsError.usage("\(path): \(what) cannot be read: \(step) is not there. Check the path")
        case .clear:
            guard stat(absolute, &info) == 0 else {
                throw OperationsError.usage("\(path): \(what) cannot be read: \(String(cString: strerror(errno))). Check the path")
            }
        }
        if ![0, geteuid()].contains(info.st_uid) {
            throw OperationsError.usage("\(absolute): \(what) belongs to \(OtherWriters.owner(info.st_uid)), \(risk)")
        }
        if let writers = OtherWriters.of(info, path: absolute) {
            throw OperationsError.usage("\(absolute): \(what) may be written by \(writers), \(risk)")
        }
        if let (folder, writers) = OtherWriters.folderAbove(absolute, othersOwning: true) {
            throw OperationsError.usage("\(absolute): \(what) lies in \(folder), where \(writers) may replace it, \(risk)")
        }
    }
}

extension PipelineConfig {
    /// The pipeline file at `path`, once `TrustedFile` has checked it.
    package static func loadTrusted(path: String) throws -> PipelineConfig {
        try TrustedFile.check(path, what: "the pipeline file")
        return try load(path: path)
    }
}
