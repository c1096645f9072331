import CGlibcExtras
import Foundation

/// One run's folder.
///
/// A stage writes into `<stage>.partial/` (`beginStage`) and puts it in place of `<stage>/`
/// in one step when it is done (`commitStage`): a stage killed or failed halfway, a rerun's
/// included, leaves the folder the last finished attempt wrote, which a rerun of the next
/// stage or a publish may still need.
package struct RunFolder: Sendable {
    package let root: URL
    package let id: RunID
    /// The stage whose files go to its `.partial` folder.
    private var writing: Stage? = nil

    package init(root: URL, id: RunID) {
        self.root = root
        self.id = id
    }

    package func folder(_ stage: Stage) -> URL {
        root.appendingPathComponent(stage == writing ? "\(stage.rawValue).partial" : stage.rawValue, isDirectory: true)
    }
    package func file(_ stage: Stage, _ name: String) -> String { folder(stage).appendingPathComponent(name).path }

    /// Where an attempt's error goes when the warehouse could not take it (its server was
    /// gone): the command that later finds the attempt dead records it from there.
    package func unrecordedError(attempt: Int64) -> String { root.appendingPathComponent("attempt-\(attempt).error").path }
    package func manifest(_ stage: Stage) -> String { file(stage, "manifest.json") }
    package var runInfo: String { root.appendingPathComponent("run.json").path }

    /// This folder with `stage`'s files going to an empty `<stage>.partial/` (what an earlier
    /// attempt left there is removed).
    package func beginStage(_ stage: Stage) throws -> RunFolder {
        var out = self
        out.writing = stage
        let url = out.folder(stage)
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return out
    }

    /// Puts `<stage>.partial/` in place of `<stage>/` in one rename (an exchange when the
    /// stage had a folder), then removes the old files.
    package func commitStage(_ stage: Stage) throws(StageFileError) {
        let partial = root.appendingPathComponent("\(stage.rawValue).partial").path
        let final = root.appendingPathComponent(stage.rawValue).path
        func failure() -> StageFileError {
            StageFileError(path: final, message: "cannot put \(stage.rawValue).partial in its place: \(String(cString: strerror(errno)))")
        }
        if etl_exchange_paths(partial, final) == 0 {
            try? FileManager.default.removeItem(atPath: partial)   // the old files; a later attempt removes them too
            return
        }
        guard errno == ENOENT || errno == EINVAL || errno == ENOSYS else { throw failure() }
        // No folder yet, or a file system without the exchange: remove, then rename.
        try? FileManager.default.removeItem(atPath: final)
        guard rename(partial, final) == 0 else { throw failure() }
    }

    /// Removes what a failed attempt wrote to `<stage>.partial/`.
    package func discardStage(_ stage: Stage) {
        try? FileManager.default.removeItem(at: root.appendingPathComponent("\(stage.rawValue).partial"))
    }
}
