import Foundation
import Testing
import Operations
import Pipeline
import Postgres
@testable import Report

/// The report of a generated drop, through the whole pipeline: every figure equals its view,
/// suppressed cells read as suppressed, nothing personal and nothing from outside is in it,
/// and its session reads the metrics views and nothing else.
@Suite struct ReportEndToEndTests {
    @Test func theNightlyReportShowsExactlyWhatTheViewsHold() throws {
        let h = try ReportHarness()
        let drop = try h.drop(children: 6_000)
        // A high minimum, so small cells are certain to be hidden somewhere.
        let config = try h.config { $0.smallCellMinimum = 40; $0.report.out = "intranet/udvalg.html" }
        let summary = try h.run(drop, config: config)
        #expect(summary.published)
        #expect(summary.reportError == nil, "\(summary.reportError ?? "")")

        let inRun = h.state.run(summary.run).root.appendingPathComponent("report.html")
        let copy = h.state.root.appendingPathComponent("intranet/udvalg.html")
        #expect(summary.report == copy.path)
        let html = try String(contentsOf: inRun, encoding: .utf8)
        #expect(try String(contentsOf: copy, encoding: .utf8) == html)
        #expect(try FileManager.default.attributesOfItem(atPath: inRun.path)[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.attributesOfItem(atPath: copy.path)[.posixPermissions] as? Int == 0o600)
        // No temporary file is left beside the copy.
        #expect(try FileManager.default.contentsOfDirectory(atPath: copy.deletingLastPathComponent().path) == ["udvalg.html"])

        // The Copenhagen pipeline writes Danish.
        let page = try ReportPage(html)
        #expect(page.all("html").first?.attributes["lang"] == "da")
        let checked = try FigureCheck.check(page, language: .da, minimum: 40, lookup: h.lookup())
        #expect(checked > 150)
        let hidden = page.figures.filter { $0.name == "data" && $0.attributes["data-state"] == "suppressed" }
        #expect(!hidden.isEmpty, "a minimum of 40 hides no cell of a drop of 6,000 children?")
        #expect(hidden.allSatisfy { $0.text == "skjult (færre end 40)" })
        #expect(page.figures.contains { $0.attributes["data-view"] == "metrics.published_run" && $0.attributes["data-column"] == "run_id"
            && $0.attributes["value"] == summary.run.description })

        // Nothing from outside, nothing personal.
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(html.range(of: #"(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])"#, options: .regularExpression) == nil, "something shaped like a CPR number")
        let cprs = try ReportHarness.cprNumbers(in: drop)
        #expect(cprs.count > 1_000)
        #expect(cprs.filter { html.contains($0) || html.contains($0.prefix(6) + "-" + $0.suffix(4)) }.isEmpty)

        // English too, from the same views.
        let english = try ReportWriter.render(connection: try h.db.connect(), options: { _ in .init(language: .en) })
        #expect(english.run == summary.run)
        let englishPage = try ReportPage(english.html)
        #expect(try FigureCheck.check(englishPage, language: .en, minimum: 40, lookup: h.lookup()) == checked)
    }

    @Test func theReportSessionReadsTheMetricsViewsAndNothingElse() throws {
        let h = try ReportHarness()
        _ = try h.run(try h.drop(children: 300), config: try h.config())
        let connection = try h.db.connect()
        let reader = try MetricsReader(connection: connection)
        #expect(try reader.rows("metrics.cohort_summary", key: ["cohort"], columns: ["children_exposed"]).count == 2)
        for table in ["warehouse.children", "warehouse.cohort_stats", "warehouse.cohort_figures", "etl.runs", "etl.rejects", "etl.files"] {
            #expect(throws: PostgresError.self, "the report's session read \(table)") {
                _ = try connection.query("SELECT * FROM \(table) LIMIT 1")
            }
            do {
                _ = try connection.query("SELECT * FROM \(table) LIMIT 1")
            } catch let error as PostgresError {
                #expect(error.sqlState == "42501", "\(table): \(error)")  // insufficient_privilege
            }
        }
        #expect(try connection.query("SELECT current_user").first?.string(0) == MetricsReader.role)
    }

    @Test func aReaderRoleThatCanReadMoreIsRefused() throws {
        let h = try ReportHarness()
        _ = try h.run(try h.drop(children: 300), config: try h.config())
        let owner = try h.db.connect()
        try owner.execute("GRANT USAGE ON SCHEMA warehouse TO etl_report; GRANT SELECT ON warehouse.children TO etl_report")
        #expect(throws: ReportError.readerRoleTooWide(role: "etl_report", readable: ["warehouse.children"])) {
            _ = try MetricsReader(connection: try h.db.connect())
        }
    }

    @Test func aKeptRunThatIsNotPublishedIsReportedAsSuch() throws {
        let h = try ReportHarness()
        let first = try h.run(try h.drop(children: 1_500, seed: 11, asOf: Day(year: 2026, month: 11, day: 20)!), config: try h.config())
        let second = try h.run(try h.drop(children: 1_600, seed: 12), config: try h.config())
        #expect(first.run != second.run)

        let earlier = try ReportWriter.render(connection: try h.db.connect(), run: first.run, options: { _ in .init(language: .en) })
        #expect(earlier.run == first.run)
        let page = try ReportPage(earlier.html)
        #expect(page.text.contains("is not the published one"))
        #expect(try FigureCheck.check(page, language: .en, minimum: 5, lookup: h.lookup(run: first.run)) > 100)
        // Its figures are not the published run's.
        let published = try ReportPage(try ReportWriter.render(connection: try h.db.connect(), options: { _ in .init(language: .en) }).html)
        #expect(published.figures.first { $0.attributes["data-column"] == "as_of" }?.attributes["value"] == "2026-11-21")
        #expect(page.figures.first { $0.attributes["data-column"] == "as_of" }?.attributes["value"] == "2026-11-20")
        // Every view follows the run asked for, the evaluation's too: its institutions left out
        // are that run's load's, counted in the facts.
        let leftOut = try h.db.connect().query("""
            SELECT count(*) FROM warehouse.evaluation_left_out
            WHERE load_id = (SELECT max(load_id) FROM etl.loads WHERE run_id = $1)
            """, [first.run.description]).first?.int(0)
        let shown = page.figures.filter { $0.attributes["data-view"] == "metrics.evaluation_left_out" }.compactMap { Int($0.attributes["value"] ?? "") }
        #expect(shown.reduce(0, +) == leftOut)

        #expect(throws: ReportError.runNotKept(RunID(rawValue: 20_000_101_000_000))) {
            _ = try ReportWriter.render(connection: try h.db.connect(), run: RunID(rawValue: 20_000_101_000_000), options: { _ in .init(language: .en) })
        }
    }

    @Test func aReportThatCannotBeWrittenDoesNotFailThePublishedRun() throws {
        let h = try ReportHarness()
        // report.out below a file: its folder cannot be made.
        let blocker = h.root.appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: blocker)
        let summary = try h.run(try h.drop(children: 300), config: try h.config { $0.report.out = blocker.path + "/report.html" })
        #expect(summary.published)
        #expect(summary.reportError?.contains("not-a-folder") == true, "\(summary.reportError ?? "no error")")
        #expect(summary.line.contains("report not written"))
        // It says the run folder's page is written, and where the other is named (`etl run` has no --out: a new user's trial).
        #expect(summary.reportError?.contains("the page in the run's folder, \(h.state.run(summary.run).root.path)/report.html, is written") == true
                && summary.reportError?.contains("`report.out` in the pipeline file") == true, "\(summary.reportError ?? "")")
        // The run's own copy was written before the copy failed; the ledger says succeeded.
        #expect(FileManager.default.fileExists(atPath: h.state.run(summary.run).root.appendingPathComponent("report.html").path))
        let status = try h.db.connect().query("SELECT status FROM etl.runs WHERE run_id = $1", [summary.run.description]).first?.string(0)
        #expect(status == "succeeded")
    }

    @Test func theCommandWritesTheReportAndRefusesARunThatIsNotKept() throws {
        let h = try ReportHarness()
        let summary = try h.run(try h.drop(children: 300), config: try h.config())
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = h.db.url
        env["ETL_STATE_DIR"] = h.state.root.path
        let out = h.root.appendingPathComponent("for-mail.html").path
        let english = try h.run(ReportHarness.etl, ["report", "--lang", "en", "--out", out], environment: env)
        #expect(english.status == 0, "\(english.stderr)")
        #expect(english.stdout == out + "\n")
        #expect(try ReportPage(try String(contentsOfFile: out, encoding: .utf8)).all("html").first?.attributes["lang"] == "en")

        // No --lang: the language of the pipeline file the run was started with (Danish).
        let inRun = try h.run(ReportHarness.etl, ["report"], environment: env)
        #expect(inRun.status == 0, "\(inRun.stderr)")
        let path = h.state.run(summary.run).root.appendingPathComponent("report.html").path
        #expect(inRun.stdout == path + "\n")
        #expect(try ReportPage(try String(contentsOfFile: path, encoding: .utf8)).all("html").first?.attributes["lang"] == "da")

        // A run id that names no run is a bad argument (64), as for every command.
        let missing = try h.run(ReportHarness.etl, ["report", "--run", "20000101000000"], environment: env)
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("no run 20000101000000 in the warehouse's run ledger"), "\(missing.stderr)")
    }
}
