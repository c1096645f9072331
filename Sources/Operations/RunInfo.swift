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
