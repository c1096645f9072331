import Foundation
import Pipeline
import Postgres

/// The nightly run's last step: after a publish, the report into the run's folder
/// (`runs/<id>/report.html`, readable by the owner only) and, when the pipeline file names
/// `report.out`, a copy there for the intranet.
package struct NightlyReport {
    package var config: PipelineConfig
    /// The state directory: where a relative `report.out` is taken from.
    package var stateRoot: URL

    package init(config: PipelineConfig, stateRoot: URL) { self.config = config; self.stateRoot = stateRoot }

    package var options: ReportWriter.Options { ReportWriter.Options(config) }

    /// `report.out` as a path, relative ones taken from the state directory.
    package var outPath: String? {
        config.report.out.map { $0.hasPrefix("/") ? $0 : stateRoot.appendingPathComponent($0).path }
    }

    /// The `<meta>` naming the run a page shows.
    package static let runMeta = "etl-run"

    /// The run the page at `path` shows, from its `<meta name="etl-run">` (in the first
    /// kilobytes); nil when there is no page there or it names none (an older version wrote it).
    package static func runShown(atPath path: String) -> RunID? {
        guard let file = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? file.close() }
        // Decoded leniently: the cut may split a character of whatever comes before.
        guard let head = try? file.read(upToCount: 4096), case let text = String(decoding: head, as: UTF8.self),
              let start = text.range(of: "<meta name=\"\(runMeta)\" content=\"") else { return nil }
        return RunID(String(text[start.upperBound...].prefix { $0 != "\"" }))
    }

    /// What the steward should hear when `report.out` is about to be made new: it will be
    /// owner-only, as everything etl writes, and an intranet's web server cannot read it
    /// until it is made readable once (a new steward's trial met a 403); nil otherwise.
    package var newOutPageNotice: String? {
        guard let out = outPath, !FileManager.default.fileExists(atPath: out) else { return nil }
        return "the committee's page \(out) is new, and readable by its owner only, as everything etl writes; "
            + "`chmod 644 \(out)` once lets a web server read it (later nights keep its mode)"
    }

    /// Renders the published run's report and writes it. Returns the paths written.
    package func write(connection: Connection, runFolder: URL) throws -> [String] {
        let options = self.options
        let html = try ReportWriter.render(connection: connection, options: { _ in options }).html
        let path = runFolder.appendingPathComponent("report.html").path
        try ReportWriter.writeAtomically(html, to: path, mode: 0o600)
        guard let out = outPath else { return [path] }
        // Meant to be read by others (an intranet), and it holds no personal data: the mode
        // of this user's file it replaces, else owner-only (`newOutPageNotice`).
        try ReportWriter.writeAtomically(html, to: out, mode: nil)
        return [path, out]
    }
}
