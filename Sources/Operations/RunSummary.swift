import Foundation
import Pipeline

/// The one-line result of a run, for cron's mail and the log.
package struct RunSummary: Sendable {
    package var run: RunID
    package var drop: String
    package var rowsRead: Int
    package var rejected: Int
    package var loaded: Int
    package var seconds: Double
    package var published: Bool
    /// When the publish committed (analysts see the load from then on), and the seconds from
    /// the run's start to it: "drop → published", without the retention and the report after it.
    package var publishedAt: Date?
    package var secondsToPublished: Double?
    /// Nothing was run: `run` loaded this drop before, with the same checksums (no --force).
    package var alreadyLoaded = false
    package var note: String?
    /// Folders of the inbox newer than the drop run that are not complete drops.
    package var newerIncomplete: [IncompleteDrop] = []
    /// The committee's report written after the publish, or why it was not (`PipelineRunner+Report`).
    package var report: String?
    package var reportError: String?

    package var line: String {
        // With newer folders incomplete, the night's news is theirs: no hint to load this one again.
        if alreadyLoaded { return "nothing to do: \(drop) was loaded by run \(run)" + (newerIncomplete.isEmpty ? " (use --force to load it again)" : "") }
        return "run \(run) drop=\(drop) read=\(rowsRead) rejected=\(rejected) loaded=\(loaded) "
            + "duration=\(String(format: "%.1f", seconds))s published=\(published ? "yes" : "no")"
            + (note.map { " (\($0))" } ?? "")
    }
}
