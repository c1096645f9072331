import Foundation
import Pipeline

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
