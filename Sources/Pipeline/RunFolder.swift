import Foundation

/// One run's folder.
public struct RunFolder: Sendable {
    public let root: URL
    public let id: RunID

    public func folder(_ stage: Stage) -> URL { root.appendingPathComponent(stage.rawValue, isDirectory: true) }
    public func file(_ stage: Stage, _ name: String) -> String { folder(stage).appendingPathComponent(name).path }
    public func manifest(_ stage: Stage) -> String { file(stage, "manifest.json") }
    public var runInfo: String { root.appendingPathComponent("run.json").path }

    /// Empties and recreates a stage's folder, so a rerun never mixes old and new files.
    public func resetStage(_ stage: Stage) throws {
        let url = folder(stage)
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
}
