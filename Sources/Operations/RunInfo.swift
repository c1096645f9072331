import Foundation
import Pipeline

/// What a run was started with (`runs/<id>/run.json`), so one stage of it can be rerun
/// later, from any directory, without repeating the arguments. Paths are absolute.
public struct RunInfo: Codable, Sendable {
    public var run: RunID
    public var pipeline: String
    public var drop: String
    public var dropChecksum: String
    public var asOf: Day
    public var asOfSource: String
    public var startedAt: Date
    /// A synthetic run of `etl demo` (nil in folders written before it was recorded).
    public var demo: Bool?

    /// Whether a folder holds a real pipeline's run (a demo's drop is under `demo/inbox/`).
    var isReal: Bool { !(demo ?? drop.contains("/demo/inbox/")) }

    public func write(to folder: RunFolder) throws {
        try FileManager.default.createDirectory(at: folder.root, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(self).write(to: URL(fileURLWithPath: folder.runInfo), options: .atomic)
    }

    public static func read(_ folder: RunFolder) throws -> RunInfo {
        guard let data = FileManager.default.contents(atPath: folder.runInfo) else {
            throw OperationsError.unknownRun(folder.id.description)
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(RunInfo.self, from: data)
    }
}

/// The one-line result of a run, for cron's mail and the log.
public struct RunSummary: Sendable {
    public var run: RunID
    public var drop: String
    public var rowsRead: Int
    public var rejected: Int
    public var loaded: Int
    public var seconds: Double
    public var published: Bool
    /// Nothing was run: `run` loaded this drop before, with the same checksums (no --force).
    public var alreadyLoaded = false
    public var note: String?
    /// Folders of the inbox newer than the drop run that are not complete drops.
    public var newerIncomplete: [IncompleteDrop] = []
    /// The committee's report written after the publish, or why it was not (`PipelineRunner+Report`).
    package var report: String?
    package var reportError: String?

    public var line: String {
        if alreadyLoaded { return "nothing to do: \(drop) was loaded by run \(run) (use --force to load it again)" }
        return "run \(run) drop=\(drop) read=\(rowsRead) rejected=\(rejected) loaded=\(loaded) "
            + "duration=\(String(format: "%.1f", seconds))s published=\(published ? "yes" : "no")"
            + (note.map { " (\($0))" } ?? "")
    }
}
