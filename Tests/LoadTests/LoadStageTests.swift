import Foundation
import Testing
import TestSupport
@testable import Load
import Pipeline
import Postgres

/// A migrated database of its own, with a state folder for runs.
struct LoadHarness {
    let db: TestServer.Database
    let connection: Connection
    let state: StateLayout

    init(_ label: String = #function) throws {
        db = try TestServer.freshDatabase(label)
        connection = try db.connect()
        _ = try Migrator(directory: FactFixture.sqlDirectory).migrate(connection)
        state = StateLayout(root: URL(fileURLWithPath: try TestServer.temporaryDirectory()))
    }

    /// Writes the fixture as run `id`, registers it, loads and publishes it.
    @discardableResult
    func loadAndPublish(_ id: Int64, extraTreatmentCases: Int = 0) throws -> LoadResult {
        let run = state.run(RunID(rawValue: id))
        try FactFixture.write(into: run, extraTreatmentCases: extraTreatmentCases)
        if try connection.query("SELECT 1 FROM etl.runs WHERE run_id = $1", [String(id)]).isEmpty {
            try FactFixture.register(run.id, on: connection)
        }
        let result = try LoadStage(connection: connection).load(run)
        try Publisher(connection: connection).publish(loadID: result.loadID, run: run.id)
        return result
    }
}

@Suite struct LoadStageTests {
    let months = 30.4375
    let cyT = 7300 / 365.25, cyC = 20000 / 365.25

    func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance * max(1, abs(b))
    }

    @Test func cohortSummaryMatchesFiguresComputedByHand() throws {
        let h = try LoadHarness()
        let result = try h.loadAndPublish(20250101000000)
        #expect(result.rowsByTable["exposure"] == 40)
        #expect(result.rowsByTable["rejects"] == 3)

        let rows = try h.connection.query("SELECT * FROM metrics.cohort_summary ORDER BY cohort DESC")
        #expect(rows.count == 2)
        let t = rows[0], c = rows[1]
        #expect(t.string("cohort") == "treatment")
        #expect(try t.int("children_exposed") == 10)
        #expect(close(try t.double("child_years"), cyT))
        #expect(try t.int("detected") == 6)
        #expect(close(try t.double("detection_rate_per_1000"), 1000 * 6 / cyT))
        #expect(close(try t.double("detection_share"), 0.6))
        #expect(try t.int("investigated") == 5)
        #expect(close(try t.double("investigation_rate_per_1000"), 1000 * 5 / cyT))
        #expect(close(try t.double("mean_age_first_investigation_months"), 1100 / months))
        #expect(close(try t.double("median_age_first_investigation_months"), 1100 / months))
        // Three measured children: a small cell, and every figure computed from it, hidden.
        #expect(try t.int("measured") == nil)
        #expect(try t.double("measure_rate_per_1000") == nil)
        #expect(try t.double("measure_share") == nil)
        #expect(try t.double("mean_age_first_measure_months") == nil)
        #expect(try t.int("notifications") == 7)
        #expect(close(try t.double("notifications_per_1000"), 7000 / cyT))
        #expect(try t.int("cases_closed") == 6)
        #expect(close(try t.double("closed_concern_resolved_share"), 5.0 / 6))

        #expect(try c.int("children_exposed") == 20)
        #expect(close(try c.double("detection_rate_per_1000"), 1000 * 5 / cyC))
        #expect(close(try c.double("detection_share"), 0.25))
        #expect(close(try c.double("mean_age_first_investigation_months"), 1250 / months))
        // Six values: the median is the mean of the two middle ones, (1200 + 1300) / 2 days.
        #expect(close(try c.double("median_age_first_investigation_months"), 1250 / months))
        #expect(try c.int("measured") == 8)
        #expect(close(try c.double("measure_share"), 0.4))
        #expect(close(try c.double("mean_age_first_measure_months"), 1350 / months))
        #expect(close(try c.double("median_age_first_measure_months"), 1350 / months))
        // Two of five closed with the concern resolved: 2 is a small cell, so the share is hidden…
        #expect(try c.int("cases_closed") == 5)
        #expect(try c.double("closed_concern_resolved_share") == nil)
        // …but the owner sees it.
        let owner = try h.connection.query("SELECT closed_concern_resolved_share, measured FROM warehouse.cohort_figures WHERE grain = 'total' AND cohort = 'control'")
        #expect(close(try owner.first?.double(0), 0.4))
    }

    /// A rate per 1,000 child-years beside its count gives the child-years back, so it hides
    /// with them when the cell's children are few, though its own count is not small.
    @Test func ratesHideWithTheChildYearsOfAFewChildren() throws {
        let h = try LoadHarness()
        try h.loadAndPublish(20250101000000)
        // Three children of the treatment cohort, with its 7 notifications and 6 detected.
        _ = try h.connection.execute("UPDATE warehouse.cohort_stats SET children_exposed = 3 WHERE grain = 'total' AND cohort = 'treatment'")
        let t = try #require(try h.connection.query("SELECT * FROM metrics.cohort_summary WHERE cohort = 'treatment'").first)
        #expect(try t.int("children_exposed") == nil && t.double("child_years") == nil)
        #expect(try t.int("notifications") == 7 && t.int("detected") == 6, "counts of 5 or more are shown")
        for rate in ["notifications_per_1000", "detection_rate_per_1000", "investigation_rate_per_1000", "detection_share"] {
            #expect(try t.double(rate) == nil, "\(rate)")
        }
    }

    /// The comparison hides a rate as the summary does (an independent check found a rate
    /// of 0 shown beside a cohort of one child): with the cohort's few children, though its
    /// count (0) is shown; the differences of mean ages hide with their own counts only.
    @Test func comparisonRatesHideWithTheChildYearsOfAFewChildren() throws {
        let h = try LoadHarness()
        try h.loadAndPublish(20250101000000)
        _ = try h.connection.execute("""
            UPDATE warehouse.cohort_stats SET children_exposed = 3, detected = 0 WHERE grain = 'total' AND cohort = 'treatment'
            """)
        let rows = try h.connection.query("SELECT * FROM metrics.cohort_comparison")
        let detection = rows[0]
        #expect(try detection.double("treatment") == nil && detection.double("estimate") == nil)
        #expect(try detection.int("treatment_count") == 0 && detection.double("control") != nil)
        #expect(try rows[1].double("treatment") == nil && rows[1].double("estimate") == nil, "investigations: 5 of 3 children")
        #expect(try rows[3].double("estimate") != nil, "the mean ages of 5 investigations are shown")
        let summary = try #require(try h.connection.query(
            "SELECT detected, detection_rate_per_1000 FROM metrics.cohort_summary WHERE cohort = 'treatment'").first)
        #expect(try summary.int(0) == 0 && summary.double(1) == nil, "the summary hides it alike")
        let owner = try h.connection.query("SELECT treatment FROM warehouse.cohort_comparison WHERE comparison = 'detection_rate_per_1000'")
        #expect(try owner.first?.double(0) == 0)
    }

    @Test func comparisonGivesRateRatiosAndWelchIntervals() throws {
        let h = try LoadHarness()
        try h.loadAndPublish(20250101000000)
        let rows = try h.connection.query("SELECT * FROM metrics.cohort_comparison")
        #expect(rows.map { $0.string("comparison") } == [
            "detection_rate_per_1000", "investigation_rate_per_1000", "measure_rate_per_1000",
            "mean_age_first_investigation_months", "mean_age_first_measure_months"])

        let rr = (6 / cyT) / (5 / cyC)
        let half = 1.96 * (1.0 / 6 + 1.0 / 5).squareRoot()
        #expect(rows[0].string("statistic") == "rate_ratio")
        #expect(close(try rows[0].double("estimate"), rr))
        #expect(close(try rows[0].double("ci_low"), exp(log(rr) - half)))
        #expect(close(try rows[0].double("ci_high"), exp(log(rr) + half)))
        #expect(try rows[0].int("treatment_count") == 6)

        // Treatment investigations 900…1300 days: variance 25,000 days²; control 1000…1500: 35,000.
        let diff = (1100.0 - 1250.0) / months
        let se = (25_000.0 / 5 + 35_000.0 / 6).squareRoot() / months
        #expect(rows[3].string("statistic") == "difference")
        #expect(close(try rows[3].double("estimate"), diff))
        #expect(close(try rows[3].double("ci_low"), diff - 1.96 * se))
        #expect(close(try rows[3].double("ci_high"), diff + 1.96 * se))

        // The measure comparisons rest on a cell of 3: hidden for analysts, there for the owner;
        // the control side (8) is shown, as in metrics.cohort_summary.
        #expect(try rows[2].double("estimate") == nil)
        #expect(try rows[2].int("treatment_count") == nil)
        #expect(try rows[2].double("treatment") == nil)
        #expect(close(try rows[2].double("control"), 1000 * 8 / cyC))
        #expect(try rows[2].int("control_count") == 8)
        #expect(try rows[4].double("ci_low") == nil)
        let owner = try h.connection.query("SELECT estimate FROM warehouse.cohort_comparison WHERE comparison = 'measure_rate_per_1000'")
        #expect(close(try owner.first?.double(0), (3 / cyT) / (8 / cyC)))
    }

    @Test func yearDistrictSourceClosureAndQualityViews() throws {
        let h = try LoadHarness()
        try h.loadAndPublish(20250101000000)
        let years = try h.connection.query("SELECT year, children_exposed, child_years, detected FROM metrics.cohort_summary_by_year WHERE cohort = 'treatment' ORDER BY year")
        #expect(try years.map { try $0.int(0) } == [2020, 2021])
        #expect(close(try years[0].double(2), 4000 / 365.25))
        #expect(close(try years[1].double(2), 3300 / 365.25))
        #expect(try years.map { try $0.int(3) } == [6, 0])

        let districts = try h.connection.query("SELECT district, children_exposed, detected, detection_share FROM metrics.cohort_summary_by_district WHERE cohort = 'control' ORDER BY district")
        #expect(districts.map { $0.string(0) } == ["Nørrebro", "Valby"])
        #expect(try districts.map { try $0.int(1) } == [10, 10])
        #expect(try districts.map { try $0.int(2) } == [0, 5])
        #expect(close(try districts[1].double(3), 0.5))

        let sources = try h.connection.query("SELECT cohort, source, notifications, notifications_per_1000 FROM metrics.notifications_by_source ORDER BY cohort, source")
        #expect(sources.map { "\($0.string(0)!)/\($0.string(1)!)/\($0.string(2) ?? "NULL")" }
                == ["control/skole/6", "treatment/daginstitution/NULL", "treatment/daginstitutionsraadgiver/NULL"])
        #expect(close(try sources[0].double(3), 6000 / cyC))

        let closures = try h.connection.query("SELECT closing_reason, cases_closed, share_of_closed FROM warehouse.case_closures WHERE cohort = 'treatment' ORDER BY closing_reason")
        #expect(closures.map { $0.string(0) } == ["bekymring_ophoert", "familien_selv", "flyttet"])
        #expect(close(try closures[0].double(2), 0.5))
        let hidden = try h.connection.query("SELECT count(*) FROM metrics.case_closures WHERE cases_closed IS NULL")
        #expect(try hidden.first?.int(0) == 5)

        let quality = try h.connection.query("SELECT category, subject, reason, records FROM warehouse.data_quality WHERE category <> 'transform' ORDER BY 1, 2, 3")
        #expect(quality.map { "\($0.string(0)!)/\($0.string(1)!)/\($0.string(2)!)/\($0.string(3)!)" } == [
            "rejected/indmeldelser.csv/invalid_cpr/3",
            "unattributed_first_event/case/not_enrolled/1", "unattributed_first_event/case/out_of_age/1"])
        let suppressed = try h.connection.query("SELECT count(*) FROM metrics.data_quality WHERE records IS NULL")
        #expect(try suppressed.first?.int(0) == 3)
    }

    /// Transform's statistics are what the views read: ones that disagree with the facts
    /// copied beside them fail the load, which leaves nothing.
    @Test func statisticsThatDisagreeWithTheFactsLoadNothing() throws {
        let h = try LoadHarness()
        let run = h.state.run(RunID(rawValue: 20250101000000))
        try FactFixture.write(into: run)
        try FactFixture.register(run.id, on: h.connection)
        let path = run.file(.transform, StatsFile.cohortStats.rawValue)
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let total = try #require(lines.firstIndex { $0[0] == "total" && $0[1] == "treatment" })
        lines[total][6] = String(Int(lines[total][6])! + 1)   // one more first case than first_events holds
        try (lines.map { $0.joined(separator: "\t") }.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        // As transform would have written them: its manifest gives the file's checksum.
        var manifest = try StageManifest.read(from: run.manifest(.transform))
        let k = try #require(manifest.outputs.firstIndex { $0.name == StatsFile.cohortStats.rawValue })
        manifest.outputs[k].checksum = .xxh128(try XXH128Sum.file(path))
        manifest.outputs[k].bytes = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64 ?? 0
        try manifest.write(to: run.manifest(.transform))
        #expect { try LoadStage(connection: h.connection).load(run) } throws: { error in
            "\(error)".contains("disagree with its facts") && "\(error)".contains("treatment")
        }
        let left = try h.connection.query("SELECT (SELECT count(*) FROM etl.loads) + (SELECT count(*) FROM warehouse.cohort_stats)")
        #expect(try left.first?.int(0) == 0)
    }

    @Test func reloadingARunReplacesItAndRetentionDropsOldRuns() throws {
        let h = try LoadHarness()
        try h.loadAndPublish(20250101000000)
        try h.loadAndPublish(20250102000000)
        try h.loadAndPublish(20250102000000)  // the same run again: a new load, no duplicates
        let publisher = Publisher(connection: h.connection)
        let exposure = try h.connection.query("SELECT count(*) FROM warehouse.exposure e JOIN etl.published p USING (load_id)")
        #expect(try exposure.first?.int(0) == 40)

        #expect(try publisher.publishedRun()?.run == RunID(rawValue: 20250102000000))
        try publisher.publish(run: RunID(rawValue: 20250101000000))
        #expect(try publisher.publishedRun()?.run == RunID(rawValue: 20250101000000))
        try publisher.publish(run: RunID(rawValue: 20250102000000))

        let dropped = try publisher.dropOldLoads(keepRuns: 1).dropped
        #expect(dropped.count == 2)  // run 1's load, and run 2's superseded first load
        #expect(throws: LoadError.self) { try publisher.publish(run: RunID(rawValue: 20250101000000)) }
        let partitions = try h.connection.query("SELECT count(*) FROM pg_inherits WHERE inhparent = 'warehouse.exposure'::regclass")
        #expect(try partitions.first?.int(0) == 1)
        let figures = try h.connection.query("SELECT detected FROM metrics.cohort_summary WHERE cohort = 'treatment'")
        #expect(try figures.first?.int(0) == 6)
    }

    /// A rate ratio is rate_T / rate_C (metrics.md): 0 when no treatment child had the event,
    /// with no interval (ln 0); NULL when no control child had it.
    @Test func aRateRatioOfZeroIsZeroWithoutAnInterval() throws {
        let h = try LoadHarness()
        try h.loadAndPublish(20250101000000)
        try h.connection.execute("UPDATE warehouse.cohort_stats SET detected = 0 WHERE cohort = 'treatment'")
        try h.connection.execute("UPDATE warehouse.cohort_stats SET investigated = 0 WHERE cohort = 'control'")
        let rows = try h.connection.query("""
            SELECT estimate, ci_low IS NULL AND ci_high IS NULL FROM metrics.cohort_comparison
            WHERE comparison IN ('detection_rate_per_1000', 'investigation_rate_per_1000') ORDER BY comparison
            """)
        #expect(try rows.map { try $0.double(0) } == [0, nil])
        #expect(rows.map { $0.string(1) } == ["t", "t"])
    }

    /// A run where one cohort has no exposure day (no institution covered in the window, or
    /// every one) still compares in five rows: that side NULL with counts of 0, no estimate
    /// (an independent check of the figures found none, where views.md says five).
    @Test func aComparisonWithOneCohortOnlyKeepsItsFiveRows() throws {
        let h = try LoadHarness()
        try h.loadAndPublish(20250101000000)
        try h.connection.execute("DELETE FROM warehouse.cohort_stats WHERE cohort = 'treatment'")
        let rows = try h.connection.query("""
            SELECT comparison, treatment IS NULL, control IS NOT NULL, estimate IS NULL AND ci_low IS NULL, treatment_count, control_count > 0
            FROM metrics.cohort_comparison
            """)
        #expect(rows.map { $0.string(0) } == ["detection_rate_per_1000", "investigation_rate_per_1000", "measure_rate_per_1000",
                                               "mean_age_first_investigation_months", "mean_age_first_measure_months"])
        for row in rows {
            #expect((1...3).map { row.string($0) } == ["t", "t", "t"] && row.string(4) == "0" && row.string(5) == "t", "\(row)")
        }
        // The owner's rate rows count the missing cohort's children as 0 too (they were NULL: a check of the figures).
        let children = try h.connection.query("""
            SELECT treatment_children, control_children > 0 FROM warehouse.cohort_comparison WHERE statistic = 'rate_ratio'
            """)
        #expect(children.count == 3 && children.allSatisfy { $0.string(0) == "0" && $0.string(1) == "t" }, "\(children.map(\.values))")
    }

    @Test func analystsReadMetricsOnly() throws {
        let h = try LoadHarness()
        try h.loadAndPublish(20250101000000)
        let role = "analyst_\(UUID().uuidString.prefix(8).lowercased())"
        try AnalystRole.grant(role, password: "secret", on: h.connection)
        // Analysts log in over TCP only (EndToEndTests/AccessTests); here the owner's session takes the role.
        let analyst = try h.db.connect()
        try analyst.execute("SET ROLE \(role)")
        #expect(try analyst.query("SELECT current_user").first?.string(0) == role)
        #expect(try analyst.query("SELECT count(*) FROM metrics.cohort_summary").first?.int(0) == 2)
        #expect(try analyst.query("SELECT count(*) FROM metrics.cohort_comparison").first?.int(0) == 5)
        for table in ["warehouse.exposure", "warehouse.children", "warehouse.cohort_figures", "etl.rejects", "etl.runs"] {
            let error = #expect(throws: PostgresError.self) { try analyst.query("SELECT * FROM \(table) LIMIT 1") }
            #expect(error?.sqlState == "42501", "\(table)")
        }
    }
}
