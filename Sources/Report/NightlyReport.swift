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
    /// The newest run the page says published nothing (`warehouse.runs_not_published`), with how it ended.
    package static let notPublishedMeta = "etl-not-published"

    /// The run the page at `path` shows, from its `<meta name="etl-run">` (in the first
    /// kilobytes); nil when there is no page there or it names none (an older version wrote it).
    package static func runShown(atPath path: String) -> RunID? {
        meta(runMeta, atPath: path).flatMap(RunID.init)
    }

    /// The newest run that published nothing the page at `path` says ("ID STATUS"), "" when it says none,
    /// nil when there is no page or it was written before pages said so.
    package static func notPublishedShown(atPath path: String) -> String? {
        meta(notPublishedMeta, atPath: path)
    }

    private static func meta(_ name: String, atPath path: String) -> String? {
        guard let file = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? file.close() }
        // Decoded leniently: the cut may split a character of whatever comes before.
        guard let head = try? file.read(upToCount: 4096), case let text = String(decoding: head, as: UTF8.self),
              let start = text.range(of: "<meta name=\"\(name)\" content=\"") else { return nil }
        return String(text[start.upperBound...].prefix { $0 != "\"" })
    }

    /// Renders the published run's report and writes it into the run folder and to
    /// `report.out` (`writeOutPage`). Returns the paths written.
    package func write(connection: Connection, runFolder: URL, told: (String) -> Void) throws -> [String] {
        let options = self.options
        let html = try ReportWriter.render(connection: connection, options: { _ in options }).html
        let path = runFolder.appendingPathComponent("report.html").path
        try ReportWriter.writeAtomically(html, to: path, mode: 0o600)
        do {
            return [path] + (try writeOutPage(html, told: told).map { [$0] } ?? [])
        } catch ReportError.write(let out, let message) {
            throw ReportError.write(path: out, message: "\(message) (the page in the run's folder, \(path), is written)")
        }
    }

    /// Writes the committee's page to `report.out`, if the pipeline names one, and returns
    /// its path. Meant to be read by others (an intranet), and it holds no personal data: the
    /// mode of this user's file it replaces, else owner-only, as everything etl writes; a new
    /// one is `told` so, with how to let a web server read it (a new steward's trial met a 403).
    package func writeOutPage(_ html: String, told: (String) -> Void) throws -> String? {
        guard let out = outPath else { return nil }
        let isNew = !FileManager.default.fileExists(atPath: out)
        // The folders made for it are owner-only too, and a web server must pass through them.
        var made: [String] = []
        var folder = URL(fileURLWithPath: out).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.path), folder.path != "/" {
            made.insert(folder.path, at: 0)
            folder.deleteLastPathComponent()
        }
        try ReportWriter.writeAtomically(html, to: out, mode: nil)
        if isNew {
            let folders = made.isEmpty ? "" : " and `chmod 755 \(made.joined(separator: " "))` (the folders etl made for it)"
            told("the committee's page \(out) is new, and readable by its owner only, as everything etl writes; "
                 + "`chmod 644 \(out)`\(folders) once lets a web server read it (later nights keep its mode)")
        }
        return out
    }
}
