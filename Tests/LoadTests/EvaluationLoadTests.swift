import Evaluation
import Foundation
import Pipeline
import Postgres
import Testing
import TestSupport
@testable import Load

/// The evaluation panel and the difference-in-differences in the warehouse: loaded with the
/// load, estimated in it, shown in the views (small cells hidden) and dropped by retention.
@Suite struct EvaluationLoadTests {
    /// Sixteen institutions over eight quarters: seven never covered (one of them without
    /// children in quarter 2: unbalanced), four covered from quarter 3, two from quarter 5
    /// (a group too small to show), one from quarter 6 and one from quarter 1 (left out).
    static func syntheticPanel(seed: UInt64) -> [FactFixture.PanelRow] {
        var rng = SplitMix64(seed: seed)
        let groups = [0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 5, 5, 6, 1, 0]
        return groups.enumerated().map { i, g in
            let days = (0..<8).map { k in i == 15 && k == 1 ? 0 : Int.random(in: 800...2000, using: &rng) }
            let children = days.map { $0 == 0 ? 0 : Int.random(in: 3...25, using: &rng) }
            let events = (0..<3).map { m in
                days.enumerated().map { k, d in d == 0 ? 0 : Int.random(in: 0...(6 - 2 * m + (g > 0 && k + 1 >= g ? 3 : 0)), using: &rng) }
            }
            return FactFixture.PanelRow(institution: String(format: "I%02d", i + 1), group: g, days: days,
                                        children: children, events: events)
        }
    }

    static func expected(_ rows: [FactFixture.PanelRow], metric: Int, _ group: ControlGroup) throws -> EvaluationResult {
        try estimate(EvaluationPanel(periods: 8, institutions: rows.map {
            .init(id: $0.institution, group: $0.group, exposureDays: $0.days, events: $0.events[metric])
        }), controlGroup: group)
    }

    @discardableResult
    func load(_ h: LoadHarness, _ id: Int64, panel: [FactFixture.PanelRow]) throws -> LoadResult {
        let run = h.state.run(RunID(rawValue: id))
        try FactFixture.write(into: run, panel: panel)
        if try h.connection.query("SELECT 1 FROM etl.runs WHERE run_id = $1", [String(id)]).isEmpty {
            try FactFixture.register(run.id, on: h.connection)
        }
        let result = try LoadStage(connection: h.connection).load(run)
        try Publisher(connection: h.connection).publish(loadID: result.loadID, run: run.id)
        return result
    }

    @Test func aPanelThatCannotBeEstimatedIsRecordedAndTheLoadGoesOn() throws {
        let h = try LoadHarness()
        let result = try load(h, 20250101000000, panel: FactFixture.handPanel)
        #expect(result.rowsByTable["evaluation_panel"] == 16)
        #expect(result.rowsByTable["did_estimations"] == 6)
        #expect(result.rowsByTable["did_group_time_effects"] == 0)

        let status = try h.connection.query("SELECT metric, control_group, estimated, reason, reason_code FROM metrics.did_status")
        #expect(status.map { "\($0.string(0)!) \($0.string(1)!)" } == [
            "detection never_treated", "detection not_yet_treated", "investigation never_treated",
            "investigation not_yet_treated", "measure never_treated", "measure not_yet_treated"])
        for row in status {
            #expect(try row.bool(2) == false)
            #expect(row.string(3) == EvaluationError.noInstitutionsEstimated(unbalanced: 1, treatedFromFirstPeriod: 1).description)
            #expect(row.string(4) == "no_institutions_estimated")
        }
        // Both comments, the owner's table's and the analysts' view's, name every code there is.
        let comments = try h.connection.query("""
            SELECT col_description('warehouse.did_estimations'::regclass, (SELECT attnum FROM pg_attribute
                       WHERE attrelid = 'warehouse.did_estimations'::regclass AND attname = 'reason_code')),
                   col_description('metrics.did_status'::regclass, (SELECT attnum FROM pg_attribute
                       WHERE attrelid = 'metrics.did_status'::regclass AND attname = 'reason_code'))
            """).first
        let reasons: [EvaluationError] = [
            .tooFewPeriods(periods: 1), .malformedInstitution(id: "A", problem: "-"), .noInstitutionsEstimated(unbalanced: 1, treatedFromFirstPeriod: 1),
            .noTreatedGroup(periods: 4, coveredLeftOut: 0), .noTreatedGroup(periods: 4, coveredLeftOut: 1), .noComparisonInstitutions(group: 2, neverLeftOut: 0), .noComparisonInstitutions(group: 2, neverLeftOut: 1),
            .tooFewNeverTreated(count: 1),
        ]
        for column in 0..<2 {
            let comment = comments?.string(column) ?? ""
            #expect(reasons.allSatisfy { comment.contains($0.code) }, "\(comment)")
        }
        // The summary still has its 18 rows: no estimates, the counts that are known.
        let summary = try h.connection.query("SELECT * FROM metrics.did_summary")
        #expect(summary.count == 18)
        #expect(summary.map { $0.string("aggregation")! }.prefix(3) == ["simple", "dynamic", "group"])
        for row in summary {
            #expect(try row.double("att") == nil && row.double("ci_low") == nil)
            #expect(try row.int("institutions_left_out") == 2 && row.int("periods") == 8)
            #expect(row.string("period_length") == "quarter")
        }
        let leftOut = try h.connection.query("SELECT institution, district, grp, reason FROM metrics.evaluation_left_out ORDER BY 1")
        #expect(leftOut.map { $0.values } == [["100", "Nørrebro", "1", "treated_from_first_period"], ["200", "Valby", "0", "unbalanced"]])
    }

    /// The panel view, with the small-cell rule of `metrics.md`: events and children from 1
    /// to 4 are hidden, and the rate with either.
    @Test func thePanelViewHidesSmallCells() throws {
        let h = try LoadHarness()
        try load(h, 20250101000000, panel: FactFixture.handPanel)
        let rows = try h.connection.query("""
            SELECT institution, district, period, period_start, grp, metric, child_years, events, rate
            FROM metrics.evaluation_panel ORDER BY institution, period, metric
            """)
        #expect(rows.count == 2 * 8 * 3)
        let first = rows.prefix(3)
        #expect(first.map { $0.string("metric")! } == ["detection", "investigation", "measure"])
        #expect(first.allSatisfy { $0.string("district") == "Nørrebro" && $0.string("period_start") == "2020-01-01" && $0.string("grp") == "1" })
        let cy = 910 / 365.25
        #expect(try first.map { try $0.double("child_years") } == [cy, cy, cy])
        #expect(try first.map { try $0.int("events") } == [6, 5, nil])  // 3 measures: a small cell
        #expect(try first[first.startIndex].double("rate") == 1000 * 6 / cy)
        #expect(try first[first.startIndex + 2].double("rate") == nil)
        // No exposure: zero child-years, no rate.
        let empty = try #require(rows.first { $0.string("institution") == "200" && $0.string("period") == "5" })
        #expect(try empty.double("child_years") == 0 && empty.int("events") == 0 && empty.double("rate") == nil)
        // The owner reads it all.
        let owner = try h.connection.query("""
            SELECT events, children FROM warehouse.evaluation_panel_figures
            WHERE institution = '100' AND period = 1 AND metric = 'measure'
            """)
        #expect(owner.first?.values == ["3", "10"])
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func theEstimatesInTheWarehouseAreTheEstimators(seed: UInt64) throws {
        let h = try LoadHarness()
        let panel = Self.syntheticPanel(seed: seed)
        try load(h, 20250101000000, panel: panel)
        let metrics = ["detection", "investigation", "measure"]
        for (m, metric) in metrics.enumerated() {
            for group in ControlGroup.allCases {
                let r = try Self.expected(panel, metric: m, group)
                let filter = "metric = '\(metric)' AND control_group = '\(group.rawValue)'"
                let cells = try h.connection.query("SELECT grp, period, att, se FROM warehouse.did_group_time WHERE \(filter)")
                #expect(try cells.map { [try $0.int(0)!, try $0.int(1)!] } == r.groupTime.map { [$0.group, $0.period] })
                #expect(try cells.map { try $0.double(2) } == r.groupTime.map(\.estimate.att))
                #expect(try cells.map { try $0.double(3) } == r.groupTime.map(\.estimate.se))

                let summary = try h.connection.query("SELECT * FROM metrics.did_summary WHERE \(filter)")
                let overall = [r.simple, r.dynamic.overall, r.group.overall]
                #expect(try summary.map { try $0.double("att") } == overall.map(\.att), "\(metric) \(group)")
                #expect(try summary.map { try $0.double("se") } == overall.map(\.se))
                #expect(try summary.map { try $0.double("ci_low") } == overall.map(\.ciLow))
                #expect(try summary.map { try $0.double("ci_high") } == overall.map(\.ciHigh))
                for row in summary {
                    #expect(try row.int("institutions_treated") == r.institutionsTreated)
                    #expect(try row.int("institutions_control") == r.institutionsControl)
                    #expect(try row.int("institutions_left_out") == 2)
                    #expect(try row.double("pre_treatment_mean") == r.preTreatmentMean)
                }

                let study = try h.connection.query("SELECT event_time, att, se, groups FROM metrics.did_event_study WHERE \(filter)")
                #expect(try study.map { try $0.int(0)! } == r.dynamic.byEventTime.map(\.eventTime))
                #expect(try study.map { try $0.int(3)! } == r.dynamic.byEventTime.map(\.groups))
                for (row, e) in zip(study, r.dynamic.byEventTime) {
                    // Shown when at least 5 covered institutions are behind it (groups 3 and 5: 4 + 2).
                    let behind = r.groupTime.filter { $0.period - $0.group == e.eventTime }.reduce(0) { $0 + $1.treated }
                    #expect(try row.double(1) == (behind >= 5 ? e.estimate.att : nil), "e = \(e.eventTime), \(behind) behind")
                }

                let byGroup = try h.connection.query("SELECT grp, grp_start, att, se, institutions FROM metrics.did_by_group WHERE \(filter)")
                #expect(try byGroup.map { try $0.int(0)! } == r.group.byGroup.map(\.group))
                #expect(byGroup.map { $0.string(1)! } == r.group.byGroup.map { FactFixture.quarters[$0.group - 1].lowerBound.iso })
                // Groups of 4, 2 and 1 institutions: all below small_cell_minimum 5, so hidden…
                #expect(try byGroup.allSatisfy { try $0.double(2) == nil && $0.double(3) == nil })
                #expect(try byGroup.map { try $0.int(4)! } == r.group.byGroup.map(\.institutions))
            }
        }
        // …but not from the owner.
        let owner = try h.connection.query("SELECT att FROM warehouse.did_aggregations WHERE aggregation = 'group' AND grp = 3 LIMIT 1")
        #expect(try owner.first?.double(0) != nil)
        let status = try h.connection.query("SELECT count(*) FROM metrics.did_status WHERE estimated")
        #expect(try status.first?.int(0) == 6)
        let leftOut = try h.connection.query("SELECT institution, reason FROM metrics.evaluation_left_out ORDER BY 1")
        #expect(leftOut.map { $0.values } == [["I15", "treated_from_first_period"], ["I16", "unbalanced"]])
    }

    /// The overall estimates and the treated institutions' mean outcome before are hidden from
    /// analysts when those are fewer than the small-cell minimum: of one, the mean before is the
    /// cell the panel view hides, and the effect gave its count back (two reviews).
    @Test func theMeanBeforeOfFewTreatedInstitutionsIsTheOwners() throws {
        let h = try LoadHarness()
        // Groups 5 and 6 only (2 + 1 institutions): the four of group 3 never covered.
        let panel = Self.syntheticPanel(seed: 1).map { row in
            var row = row
            if row.group == 3 { row.group = 0 }
            return row
        }
        try load(h, 20250101000000, panel: panel)
        // The estimates too: with the control cells shown, one institution's gave its hidden count back (a review).
        let shown = try h.connection.query("SELECT DISTINCT institutions_treated, pre_treatment_mean, att, se, ci_low, ci_high FROM metrics.did_summary")
        #expect(shown.map(\.values) == [["3", nil, nil, nil, nil, nil]])
        #expect(try h.connection.query("SELECT count(*) FROM warehouse.did_aggregations WHERE event_time IS NULL AND grp IS NULL").first?.int(0) == 18)
        let owner = try h.connection.query("SELECT pre_treatment_mean FROM warehouse.did_estimations WHERE metric = 'detection' AND control_group = 'never_treated'")
        #expect(try owner.first?.double(0) == Self.expected(panel, metric: 0, .neverTreated).preTreatmentMean)
    }

    /// The views read the published load's rows by their load id: the load leaves the
    /// planner statistics of it, and only of it (every column's cost 56–84 ms a load).
    @Test func theLoadLeavesStatisticsOfTheLoadIDOfTheEvaluationTables() throws {
        let h = try LoadHarness()
        try load(h, 20250101000000, panel: Self.syntheticPanel(seed: 1))
        let analysed = try h.connection.query("""
            SELECT schemaname || '.' || tablename, string_agg(attname, ',') FROM pg_stats
            WHERE schemaname || '.' || tablename = ANY($1::text[]) GROUP BY 1 ORDER BY 1
            """, ["{" + Publisher.evaluationTables.joined(separator: ",") + "}"]).map { "\($0.string(0)!) \($0.string(1)!)" }
        #expect(analysed == Publisher.evaluationTables.sorted().map { "\($0) load_id" })
    }

    @Test func retentionDropsTheEvaluationWithItsLoad() throws {
        let h = try LoadHarness()
        let first = try load(h, 20250101000000, panel: Self.syntheticPanel(seed: 1))
        try load(h, 20250102000000, panel: Self.syntheticPanel(seed: 2))
        let dropped = try Publisher(connection: h.connection).dropOldLoads(keepRuns: 1).dropped
        #expect(dropped == [first.loadID])
        for table in Publisher.evaluationTables {
            let left = try h.connection.query("SELECT count(*) FROM \(table) WHERE load_id = $1", [String(first.loadID)])
            #expect(try left.first?.int(0) == 0, "\(table)")
        }
        let partitions = try h.connection.query("SELECT count(*) FROM pg_inherits WHERE inhparent = 'warehouse.evaluation_panel'::regclass")
        #expect(try partitions.first?.int(0) == 1)
        let summary = try h.connection.query("SELECT count(*) FROM metrics.did_summary WHERE att IS NOT NULL")
        #expect(try summary.first?.int(0) == 18)
    }

    @Test func analystsReadTheEstimatesButNotTheGroupTimeCells() throws {
        let h = try LoadHarness()
        try load(h, 20250101000000, panel: Self.syntheticPanel(seed: 1))
        let role = "analyst_\(UUID().uuidString.prefix(8).lowercased())"
        try AnalystRole.grant(role, password: "secret", on: h.connection)
        // Analysts log in over TCP only (EndToEndTests/AccessTests); here the owner's session takes the role.
        let analyst = try h.db.connect()
        try analyst.execute("SET ROLE \(role)")
        #expect(try analyst.query("SELECT current_user").first?.string(0) == role)
        for view in ["metrics.did_summary", "metrics.did_event_study", "metrics.did_by_group", "metrics.did_status",
                     "metrics.evaluation_panel", "metrics.evaluation_left_out"] {
            #expect(try analyst.query("SELECT count(*) FROM \(view)").first?.int(0) ?? 0 > 0, "\(view)")
        }
        for table in ["warehouse.did_group_time", "warehouse.evaluation_panel_figures", "warehouse.did_aggregations"] {
            let error = #expect(throws: PostgresError.self) { try analyst.query("SELECT * FROM \(table) LIMIT 1") }
            #expect(error?.sqlState == "42501", "\(table)")
        }
    }

    /// Every column of every evaluation view is documented where analysts look (`\d+`).
    @Test func everyColumnIsDocumented() throws {
        let h = try LoadHarness()
        let undocumented = try h.connection.query("""
            SELECT c.relname || '.' || a.attname FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
            WHERE c.relkind = 'v' AND (n.nspname, c.relname) IN (('metrics', 'did_summary'), ('metrics', 'did_event_study'),
                  ('metrics', 'did_by_group'), ('metrics', 'did_status'), ('metrics', 'evaluation_panel'),
                  ('metrics', 'evaluation_left_out'), ('warehouse', 'did_group_time'))
              AND col_description(c.oid, a.attnum) IS NULL
            """)
        #expect(undocumented.map { $0.string(0)! } == [])
        let views = try h.connection.query("""
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('metrics', 'warehouse') AND c.relname IN ('did_summary', 'did_event_study', 'did_by_group',
                  'did_status', 'evaluation_panel', 'evaluation_left_out', 'did_group_time')
              AND obj_description(c.oid, 'pg_class') IS NOT NULL
            """)
        #expect(try views.first?.int(0) == 7)
        // A view's own text comes before the one of its column name.
        let reasons = try h.connection.query("""
            SELECT c.relname, col_description(c.oid, a.attnum) FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'metrics'
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'reason'
            WHERE c.relname IN ('did_status', 'evaluation_left_out', 'data_quality') ORDER BY 1
            """).map { "\($0.string(0)!): \($0.string(1)!.prefix(12))" }
        #expect(reasons == ["data_quality: The reject r", "did_status: Why the diff", "evaluation_left_out: Why the inst"])
        let districts = try h.connection.query("""
            SELECT c.relname, col_description(c.oid, a.attnum) FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'metrics'
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'district'
            WHERE c.relname IN ('cohort_summary_by_district', 'evaluation_panel', 'evaluation_left_out') ORDER BY 1
            """).map { "\($0.string(0)!): \($0.string(1)!)" }
        #expect(districts == ["cohort_summary_by_district: District (bydel) of the institution of the day.",
                              "evaluation_left_out: District (bydel) of the institution.", "evaluation_panel: District (bydel) of the institution."])
        // A year's and a district's counts say so (they read as the window's, a new user's trial found).
        let exposed = try h.connection.query("""
            SELECT c.relname, col_description(c.oid, a.attnum) FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'metrics'
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'child_years'
            WHERE c.relname LIKE 'cohort_summary%' ORDER BY 1
            """).map { "\($0.string(0)!): \($0.string(1)!)" }
        #expect(exposed == ["cohort_summary: Exposure days of the cohort / 365.25.",
                            "cohort_summary_by_district: Exposure days of the cohort at institutions of that district / 365.25.",
                            "cohort_summary_by_year: Exposure days of the cohort that fall in that year / 365.25."])
    }
}
