import Foundation

/// One run's folder.
package struct RunFolder: Sendable {
    package let root: URL
    package let id: RunID

    package func folder(_ stage: Stage) -> URL { root.appendingPathComponent(stage.rawValue, isDirectory: true) }
    package func file(_ stage: Stage, _ name: String) -> String { folder(stage).appendingPathComponent(name).path }
    package func manifest(_ stage: Stage) -> String { file(stage, "manifest.json") }
    package var runInfo: String { root.appendingPathComponent("run.json").path }

    /// Empties and recreates a stage's folder, so a rerun never mixes old and new files.
    package func resetStage(_ stage: Stage) throws {
        let url = folder(stage)
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
}
