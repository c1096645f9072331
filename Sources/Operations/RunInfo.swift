import Foundation
import Pipeline

/// What a run was started with (`runs/<id>/run.json`), so one stage of it can be rerun
/// later, from any directory, without repeating the arguments. Paths are absolute.
package struct RunInfo: Codable, Sendable {
    package var run: RunID
    package var pipeline: String
    package var drop: String
    package var dropChecksum: String
    /// The sha256 of each source file, by name, as the run found them (nil in folders
    /// written before it was recorded): which file changed since, a message can say.
    package var sourceChecksums: [String: String]?
    package var asOf: Day
    package var asOfSource: String
    package var startedAt: Date
    /// A synthetic run of `etl demo` (nil in folders written before it was recorded).
    package var demo: Bool?

    /// Whether a folder holds a real pipeline's run (a demo's drop is under `demo/inbox/`).
    var isReal: Bool { !(demo ?? drop.contains("/demo/inbox/")) }

    package func write(to folder: RunFolder) throws {
        try FileManager.default.createDirectory(at: folder.root, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(self).write(to: URL(fileURLWithPath: folder.runInfo), options: .atomic)
    }

    /// The pipeline file a rerun takes when none is named: the one the run's newest stage
    /// files were made with, so that it goes on with the settings of the files it reuses. The
    /// file the run was started with would quietly undo a rerun's `--pipeline` (a small-cell
    /// minimum raised on purpose, say); it is taken when no stage file says (older folders).
    package static func pipelineInPlace(_ folder: RunFolder) throws -> String {
        let started = try read(folder).pipeline
        // Which stage wrote last, by its manifest's time (a manifest's own times are whole
        // seconds, which two quick stages share); on a tie, the later stage.
        func written(_ stage: Stage) -> Date? {
            (try? FileManager.default.attributesOfItem(atPath: folder.manifest(stage)))?[.modificationDate] as? Date
        }
        let extract = (try? StageManifest.read(from: folder.manifest(.extract)))?.pipeline
        let made: [(at: Date, stage: Int, pipeline: String)] = [
            written(.extract).flatMap { at in extract.map { (at, 0, $0) } },
            written(.transform).flatMap { at in TransformSettings.read(from: folder).map { (at, 1, $0.pipeline) } },
        ].compactMap { $0 }
        return made.max { ($0.at, $0.stage) < ($1.at, $1.stage) }?.pipeline ?? started
    }

    package static func read(_ folder: RunFolder) throws -> RunInfo {
        guard let data = FileManager.default.contents(atPath: folder.runInfo) else {
            // <state>/runs/<id>
            let state = folder.root.deletingLastPathComponent().deletingLastPathComponent()
            throw OperationsError.unknownRun(folder.id.description, place: "the state directory \(state.path) (retention removes older runs' "
                                             + "folders: `etl runs show \(folder.id)` says whether the ledger has it, and its drop)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(RunInfo.self, from: data)
    }
}
