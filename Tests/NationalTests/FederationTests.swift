import Evaluation
import Foundation
import Logging
@testable import National
import Operations
import Pipeline
import Postgres
import Testing
import TestSupport

/// Issue 18's end-to-end checks on three municipalities (two layouts, three windows, three
/// as-of dates) and a coordinator, each on an embedded server of its own, run by the built
/// `etl`. One at a time: the last test stops a municipality's server.
@Suite(.serialized) struct FederationTests {
    /// Relative tolerance for figures computed in another order (sums of doubles).
    static let tolerance = 1e-9

    @Test func syncAndPublishNameEveryMunicipalityAndItsAsOfDate() throws {
        let f = try Federation.shared.get()
        #expect(f.sync.status == 0, "\(f.sync)")
        #expect(f.publish.status == 0, "\(f.publish)")
        for (name, code, _, _, _, _, _, asOf) in Federation.plan {
            #expect(f.sync.stdout.contains("\(name) (\(code)): run "), "\(f.sync.stdout)")
            #expect(f.publish.stdout.contains("\(name) \(asOf.iso)"), "\(f.publish.stdout)")
        }
        let db = try f.coordinator()
        let snapshot = try #require(try db.query("SELECT municipalities, municipality_count, periods, first_period_start, partial FROM national_metrics.snapshot").first)
        #expect(snapshot.values == ["Eksempel Kommune, København, Odense", "3", "12", "2014-01-01", "f"],
                "the years every window has whole: 2014 (Eksempel Kommune's first) to 2025")
        let asOf = try db.query("SELECT municipality, as_of FROM national_metrics.municipalities").map(\.values)
        #expect(asOf == Federation.plan.map { [$0.0, $0.7.iso] }.sorted { $0[0]! < $1[0]! })
        // A year names the municipalities whose windows hold it.
        let years = try db.query("SELECT DISTINCT year, municipalities FROM national_metrics.cohort_summary_by_year ORDER BY year").map(\.values)
        #expect(years.prefix(3).map { $0 } == [["2012", "København"], ["2013", "København, Odense"], ["2014", "Eksempel Kommune, København, Odense"]])
        #expect(years.dropFirst(2).allSatisfy { $0[1] == "Eksempel Kommune, København, Odense" } && years.last?[0] == "2026")
        for view in ["cohort_summary", "cohort_comparison", "notifications_by_source", "case_closures",
                     "did_summary", "did_event_study", "did_by_group", "did_status"] {
            let named = try db.query("SELECT DISTINCT municipalities FROM national_metrics.\(view)").map { $0.string(0) }
            if view == "notifications_by_source" || view == "case_closures" {
                // A row per source or closing reason: one a small drop never drew names the others only.
                let all = Set(Federation.plan.map(\.0))
                #expect(named.contains("Eksempel Kommune, København, Odense")
                        && named.allSatisfy { $0.map { Set($0.components(separatedBy: ", ")).isSubset(of: all) } ?? false }, "\(view): \(named)")
            } else {
                #expect(named == ["Eksempel Kommune, København, Odense"], "\(view)")
            }
        }
    }

    /// Every national figure equals the same figure computed from the union of the three
    /// warehouses' published facts in one database, straight from metrics.md.
    @Test func everyNationalFigureEqualsTheUnionsOwn() throws {
        let f = try Federation.shared.get()
        let union = try TestServer.freshDatabase().connect()
        try Union.load(f, into: union)
        let coordinator = try f.coordinator()

        let keys = "grain, cohort, coalesce(year, 0)"
        let expected = try union.query("SELECT \(keys), \(Union.figureColumns.joined(separator: ", ")) FROM figures ORDER BY 1, 2, 3")
        let actual = try coordinator.query("""
            SELECT \(keys), \(Union.figureColumns.joined(separator: ", ")) FROM snapshot.cohort_figures
            WHERE grain IN ('total', 'year') ORDER BY 1, 2, 3
            """)
        #expect(expected.count == actual.count && expected.count > 4)
        for (e, a) in zip(expected, actual) {
            #expect(Array(e.values.prefix(3)) == Array(a.values.prefix(3)))
            for (k, column) in Union.figureColumns.enumerated() {
                Self.expectSame(a.values[3 + k], e.values[3 + k], "\(column) of \(e.values.prefix(3))")
            }
        }

        // Treatment against control, with the intervals of metrics.md.
        let total = try Dictionary(uniqueKeysWithValues: union.query("SELECT cohort, * FROM figures WHERE grain = 'total'").map { ($0.string(0)!, $0) })
        let (t, c) = (try #require(total["treatment"]), try #require(total["control"]))
        for row in try coordinator.query("SELECT comparison, statistic, estimate, ci_low, ci_high FROM snapshot.cohort_comparison WHERE grain = 'total'") {
            let comparison = row.string(0)!
            var low: Double, high: Double, estimate: Double
            if row.string(1) == "rate_ratio" {
                let count = ["detection_rate_per_1000": "detected", "investigation_rate_per_1000": "investigated",
                             "measure_rate_per_1000": "measured"][comparison]!
                let (a, b) = (try Double(t.int(count)!), try Double(c.int(count)!))
                estimate = try t.double(comparison)! / c.double(comparison)!
                let half = 1.96 * (1 / a + 1 / b).squareRoot()
                (low, high) = (exp(log(estimate) - half), exp(log(estimate) + half))
            } else {
                let (n, v) = comparison.contains("investigation") ? ("investigated", "var_age_first_investigation_months")
                    : ("measured", "var_age_first_measure_months")
                estimate = try t.double(comparison)! - c.double(comparison)!
                let half = try 1.96 * (t.double(v)! / Double(t.int(n)!) + c.double(v)! / Double(c.int(n)!)).squareRoot()
                (low, high) = (estimate - half, estimate + half)
            }
            Self.expectSame(row.string(2), "\(estimate)", comparison)
            Self.expectSame(row.string(3), "\(low)", "\(comparison) ci_low")
            Self.expectSame(row.string(4), "\(high)", "\(comparison) ci_high")
        }

        #expect(try union.query("""
            SELECT cohort, source, count(*) FROM case_events WHERE cohort IS NOT NULL AND event_type = 'underretning'
            GROUP BY 1, 2 ORDER BY 1, 2
            """).map(\.values)
            == coordinator.query("SELECT cohort, source, notifications FROM snapshot.notifications_by_source ORDER BY 1, 2").map(\.values))
        #expect(try union.query("""
            SELECT cohort, closing_reason, count(*) FROM cases WHERE cohort IS NOT NULL AND closed_day IS NOT NULL
            GROUP BY 1, 2 ORDER BY 1, 2
            """).map(\.values)
            == coordinator.query("SELECT cohort, closing_reason, cases_closed FROM snapshot.case_closures ORDER BY 1, 2").map(\.values))
    }

    /// Each municipality's row is its own warehouse's figures (medians included).
    @Test func eachMunicipalitysFiguresAreItsWarehouses() throws {
        let f = try Federation.shared.get()
        let coordinator = try f.coordinator()
        let columns = ["children_exposed", "child_years", "detected", "investigated", "mean_age_first_investigation_months",
                       "median_age_first_investigation_months", "var_age_first_investigation_months", "measured",
                       "mean_age_first_measure_months", "median_age_first_measure_months", "notifications", "cases_closed",
                       "closed_concern_resolved_share"]
        for m in f.municipalities {
            let own = try m.owner().query("SELECT cohort, \(columns.joined(separator: ", ")) FROM warehouse.cohort_figures WHERE grain = 'total' ORDER BY 1")
            let national = try coordinator.query("""
                SELECT cohort, \(columns.joined(separator: ", ")) FROM snapshot.cohort_figures
                WHERE grain = 'municipality' AND municipality = $1 ORDER BY 1
                """, [m.name])
            #expect(own.count == 2 && national.count == 2)
            for (o, n) in zip(own, national) {
                for (k, column) in columns.enumerated() { Self.expectSame(n.values[1 + k], o.values[1 + k], "\(m.name) \(column)") }
            }
        }
    }

    /// The federation has cells of fewer children than a municipality's minimum, whose ages
    /// count in the national means (docs/decisions.md, "Ages in the feed"), so that the
    /// comparison with the union above holds them; the analysts' views hide them per
    /// municipality.
    @Test func theAgesOfFewChildrenCountNationallyAndShowToNoAnalyst() throws {
        let f = try Federation.shared.get()
        let coordinator = try f.coordinator()
        var few = 0
        for m in f.municipalities {
            let small = try m.owner().query("""
                SELECT s.grain, s.cohort FROM national_feed.cohort_stats s CROSS JOIN national_feed.published_load p
                WHERE s.measured BETWEEN 1 AND p.small_cell_minimum - 1 AND s.measure_age_days_sum > 0
                """)
            few += small.count
            for cohort in small.filter({ $0.string(0) == "total" }).compactMap({ $0.string(1) }) {
                #expect(try coordinator.query("""
                    SELECT mean_age_first_measure_months FROM national_metrics.cohort_summary_by_municipality
                    WHERE municipality = $1 AND cohort = $2
                    """, [m.name, cohort]).first?.values.first == .some(nil), "\(m.name) \(cohort): hidden from analysts")
            }
        }
        #expect(few > 0, "the federation has cells of fewer children than a minimum, so the comparison with the union can fail")
    }

    /// The national difference-in-differences is the estimator on the union of the three
    /// panels: institutions keyed by municipality, the years all three windows hold, groups
    /// by date, and without the institutions a feed withholds for a small cell.
    @Test func theNationalEvaluationIsTheEstimatorOnTheUnionOfThePanels() throws {
        let f = try Federation.shared.get()
        let coordinator = try f.coordinator()
        let (panel, withheld) = try Union.panel(f)
        #expect(withheld.values.reduce(0, +) >= 1, "the drops are made so that some institution has a small cell")
        for m in f.municipalities {
            #expect(try coordinator.query("SELECT institutions_withheld FROM national_metrics.municipalities WHERE municipality = $1",
                                          [m.name]).first?.int(0) == withheld[m.name])
        }
        var estimated = 0
        for (metric, name) in Estimation.metrics.enumerated() {
            for group in ControlGroup.allCases {
                let result = try Evaluation.estimate(panel.panel(metric: metric), controlGroup: group)
                estimated += 1
                let stored = try coordinator.query("""
                    SELECT aggregation, event_time, grp, att, se, institutions FROM snapshot.did_aggregations a
                    JOIN snapshot.published p USING (snapshot_id)
                    WHERE metric = $1 AND control_group = $2
                    ORDER BY aggregation, event_time NULLS FIRST, grp NULLS FIRST
                    """, [name, group.rawValue]).map(\.values)
                var expected: [[String?]] = [["dynamic", nil, nil, "\(result.dynamic.overall.att)", result.dynamic.overall.se.map { "\($0)" }, String(result.institutionsTreated)]]
                for e in result.dynamic.byEventTime {
                    let behind = result.groupTime.reduce(0) { $0 + ($1.period - $1.group == e.eventTime ? $1.treated : 0) }
                    expected.append(["dynamic", String(e.eventTime), nil, "\(e.estimate.att)", e.estimate.se.map { "\($0)" }, String(behind)])
                }
                expected.append(["group", nil, nil, "\(result.group.overall.att)", result.group.overall.se.map { "\($0)" }, String(result.institutionsTreated)])
                for g in result.group.byGroup {
                    expected.append(["group", nil, String(g.group), "\(g.estimate.att)", g.estimate.se.map { "\($0)" }, String(g.institutions)])
                }
                expected.append(["simple", nil, nil, "\(result.simple.att)", result.simple.se.map { "\($0)" }, String(result.institutionsTreated)])
                #expect(stored.count == expected.count, "\(name) \(group)")
                for (s, e) in zip(stored, expected) {
                    #expect(Array(s.prefix(3)) == Array(e.prefix(3)) && s[5] == e[5], "\(name) \(group): \(s) against \(e)")
                    Self.expectSame(s[3], e[3], "\(name) \(group) \(e.prefix(3)) att", tolerance: 0)
                    Self.expectSame(s[4], e[4], "\(name) \(group) \(e.prefix(3)) se", tolerance: 0)
                }
                let cells = try coordinator.query("""
                    SELECT count(*) FROM snapshot.did_group_time_effects JOIN snapshot.published USING (snapshot_id)
                    WHERE metric = $1 AND control_group = $2
                    """, [name, group.rawValue]).first?.int(0)
                #expect(cells == result.groupTime.count)
                let counts = try coordinator.query("""
                    SELECT institutions_treated, institutions_control, institutions_left_out FROM national_metrics.did_summary
                    WHERE metric = $1 AND control_group = $2 AND aggregation = 'simple'
                    """, [name, group.rawValue]).first?.values
                #expect(counts == [String(result.institutionsTreated), String(result.institutionsControl), String(result.leftOut.count)])
            }
        }
        #expect(estimated == 6)
    }

    /// The role the coordinator connects as reads the feed's views and nothing else, over
    /// TCP or through the coordinator's foreign tables, and changes nothing.
    @Test func theFeedRoleReadsTheFeedAndNothingElse() throws {
        let f = try Federation.shared.get()
        let m = f.municipalities[0]
        let feed = try m.feedRole()
        #expect(try feed.query("SELECT current_user, inet_server_port()").first?.values == ["national_feed", "\(m.port)"])
        let owner = try m.owner()
        let views = try owner.query("SELECT table_name FROM information_schema.views WHERE table_schema = 'national_feed'").compactMap { $0.string(0) }
        #expect(Set(views) == Set(FeedTable.allCases.map(\.remote)))
        for view in views { #expect(try !feed.query("SELECT * FROM national_feed.\(view)").isEmpty, "\(view)") }
        let columns = try owner.query("SELECT DISTINCT column_name FROM information_schema.columns WHERE table_schema = 'national_feed'")
            .compactMap { $0.string(0) }
        #expect(!columns.contains("child_key") && !columns.contains("child") && !columns.contains("birth_date") && !columns.contains("day") && columns.count > 20)

        let everything = try owner.query("""
            SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname IN ('warehouse', 'etl', 'metrics')
            UNION ALL SELECT format('%I.%I', schemaname, viewname) FROM pg_views WHERE schemaname IN ('warehouse', 'etl', 'metrics')
            """).compactMap { $0.string(0) }
        #expect(everything.contains("warehouse.exposure") && everything.contains("metrics.cohort_summary") && everything.count > 30)
        for table in everything {
            let error = #expect(throws: PostgresError.self) { try feed.query("SELECT 1 FROM \(table) LIMIT 1") }
            #expect(error?.sqlState == "42501", "\(table): \(String(describing: error))")
        }
        let write = #expect(throws: PostgresError.self) { try feed.execute("CREATE TEMP TABLE scratch (i integer)") }
        #expect(write?.sqlState == "25006", "read-only: \(String(describing: write))")

        // A function of its own in a condition sees no row a view leaves out (security barrier):
        // here, the cells of the institution Odense withholds for a small cell.
        let odense = try f.municipalities[1].feedRole()
        let withheld = try f.municipalities[1].owner().query(
            "SELECT DISTINCT institution FROM warehouse.national_feed_panel WHERE withheld").compactMap { $0.string(0) }
        #expect(withheld.count == 1)
        try odense.execute("""
            BEGIN READ WRITE;
            CREATE FUNCTION pg_temp.peek(text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE COST 0.000001 AS $$ BEGIN
                PERFORM set_config('peek.seen', coalesce(current_setting('peek.seen', true), '') || $1 || ',', false);
                RETURN true;
            END $$
            """)
        let visible = try odense.query("SELECT count(*) FROM national_feed.evaluation_panel WHERE pg_temp.peek(institution)").first?.int(0)
        let seen = try odense.query("SELECT current_setting('peek.seen')").first?.string(0)?.split(separator: ",").map(String.init) ?? []
        #expect(seen.count == visible && !seen.contains { withheld.contains($0) }, "\(seen.count) seen, \(visible ?? 0) visible")
        try odense.execute("ROLLBACK")

        // Through the coordinator: a foreign table on the child-level facts is refused remotely.
        let coordinator = try f.coordinator()
        let tried = #expect(throws: PostgresError.self) {
            try coordinator.transaction { db in
                try db.execute("""
                    CREATE FOREIGN TABLE national_remote.tried (child integer, days integer)
                    SERVER municipality_\(m.code) OPTIONS (schema_name 'warehouse', table_name 'exposure')
                    """)
                _ = try db.query("SELECT child FROM national_remote.tried LIMIT 1")
            }
        }
        #expect(tried?.message.contains("permission denied") == true, "\(String(describing: tried))")
    }

    /// The coordinator's aggregates run on the municipalities' servers, all at once.
    @Test func aggregatesArePushedDownAndScannedAsynchronously() throws {
        let f = try Federation.shared.get()
        let db = try f.coordinator()
        let members = try NationalFile.load(path: f.nationalFile).municipalities
        let names = members.map(\.name)
        for statement in Coordinator.pullStatements(members) {
            let plan = try db.query("EXPLAIN (VERBOSE, COSTS OFF) \(statement.sql)", ["0"] + names).compactMap { $0.string(0) }.joined(separator: "\n")
            #expect(plan.components(separatedBy: "Async Foreign Scan").count == 4, "\(statement.name):\n\(plan)")
            #expect(plan.components(separatedBy: "Relations: Aggregate on").count == 4, "\(statement.name):\n\(plan)")
            #expect(plan.contains("Remote SQL: SELECT") && plan.contains("GROUP BY"), "\(statement.name):\n\(plan)")
        }
        // The checks too, each branch on its server and all at once.
        for check in Coordinator.checkStatements(members) {
            let plan = try db.query("EXPLAIN (VERBOSE, COSTS OFF) \(check.sql)", names).compactMap { $0.string(0) }.joined(separator: "\n")
            #expect(plan.components(separatedBy: "Async Foreign Scan").count == 4, "\(check.problem):\n\(plan)")
        }
        // A municipality left out (--partial) is not read at all.
        let others = members.filter { $0.name != "Odense" }
        let partial = try db.query("EXPLAIN (VERBOSE, COSTS OFF) \(Coordinator.pullStatements(others)[0].sql)", ["0"] + others.map(\.name))
            .compactMap { $0.string(0) }.joined(separator: "\n")
        #expect(partial.components(separatedBy: "Async Foreign Scan").count == 3 && !partial.contains("cohort_stats_461"), "\(partial)")
        let plan = try db.query("EXPLAIN (VERBOSE, COSTS OFF) \(Coordinator.panelQuery(members))", ["2014-01-01", "2025-12-31"] + names)
            .compactMap { $0.string(0) }.joined(separator: "\n")
        #expect(plan.contains("array_agg(exposure_days ORDER BY period_start") && plan.components(separatedBy: "Async Foreign Scan").count == 4,
                "\(plan)")
    }

    /// A national file whose name is not what the feed says is refused by sync, pointing at
    /// the line; publish before sync says to sync.
    @Test func syncRefusesAMunicipalityWhoseFeedSaysOtherwise() throws {
        let f = try Federation.shared.get()
        let db = try TestServer.freshDatabase()
        let path = f.base + "/misnamed.yaml"
        let text = try String(contentsOfFile: f.nationalFile, encoding: .utf8).replacingOccurrences(of: "name: Odense", with: "name: Odence")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var environment = f.coordinatorEnvironment
        environment["DATABASE_URL"] = db.url

        let publish = try ETL.run(["national", "publish", "--file", path], environment)
        #expect(publish.status == 64 && publish.stderr.contains("Odence") && publish.stderr.contains("which the coordinator is not synced to read")
                && publish.stderr.contains("run `etl national sync --file \(path)` first"), "\(publish)")
        let sync = try ETL.run(["national", "sync", "--file", path], environment)
        #expect(sync.status == 1, "\(sync)")
        let line = try #require(text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("name: Odence") })
        #expect(sync.stderr.contains("its feed says it is 'Odense', but \(path):\(line + 1) names it 'Odence'"), "\(sync.stderr)")
        #expect(sync.stdout.contains("København (101): run "), "the others are read: \(sync.stdout)")
    }

    /// A feed's rows count as its municipality's whatever name they carry: PostgreSQL does not
    /// hold a foreign partition's rows to its bound, and a feed whose rows named another
    /// municipality had its figures added to that one's (an adversarial review: one
    /// municipality's superuser rewrote its feed, and a check before the pull could be told
    /// otherwise than the pull). A feed that repeats a key, has negative counts or cannot be
    /// read is refused by name; the last snapshot stays.
    @Test func aFeedWhoseRowsAreNotItsOwnIsRefused() throws {
        let f = try Federation.shared.get()
        let db = try f.coordinator()
        let odense = f.municipalities[1]
        func closures(_ municipality: String) throws -> [[String?]] {
            try db.query("""
                SELECT cohort, closing_reason, cases_closed::text FROM snapshot.closure_stats
                WHERE snapshot_id = (SELECT snapshot_id FROM snapshot.published) AND municipality = $1 ORDER BY 1, 2
                """, [municipality]).map { [$0.string(0), $0.string(1), $0.string(2)] }
        }
        try f.national(["publish"]).check("publish")
        let (copenhagen, own) = (try closures("København"), try closures("Odense"))
        #expect(!copenhagen.isEmpty && !own.isEmpty)
        defer { odense.restoreFeedView("closure_stats") }
        try odense.rewriteFeedView("closure_stats", as: """
            SELECT 'København'::text AS municipality, load_id, cohort, closing_reason, cases_closed FROM national_feed.closure_stats_own
            """)
        try f.national(["publish"]).check("publish with Odense's rows named København")
        #expect(try closures("København") == copenhagen && closures("Odense") == own, "each feed's rows are its own")

        let before = try #require(try db.query("SELECT snapshot_id FROM national_metrics.snapshot").first?.string(0))
        for (view, problem) in [
            ("SELECT * FROM national_feed.closure_stats_own UNION ALL SELECT * FROM national_feed.closure_stats_own",
             "Odense (461): its closure_stats repeats a cohort and closing reason, or has negative counts"),
            ("SELECT municipality, load_id, cohort, closing_reason, -cases_closed AS cases_closed FROM national_feed.closure_stats_own",
             "Odense (461): its closure_stats repeats a cohort and closing reason, or has negative counts"),
            // A column missing: the one statement that reads every feed failed without saying whose.
            ("SELECT municipality, load_id, cohort, closing_reason FROM national_feed.closure_stats_own",
             "Odense (461): its closure_stats could not be read ("),
        ] {
            try odense.rewriteFeedView("closure_stats", as: view)
            let refused = try f.national(["publish"])
            #expect(refused.status == 1 && refused.stderr.contains(problem)
                    && refused.stderr.contains("national snapshot \(before) stays published"), "\(refused)")
            #expect(try db.query("SELECT snapshot_id FROM national_metrics.snapshot").first?.string(0) == before)
        }
        try odense.rewriteFeedView("closure_stats", as: "SELECT * FROM national_feed.closure_stats_own")   // as made; restored by the defer

        // The rows as read are held to what a warehouse gives, whatever a check before them was
        // told (an adversarial review: broken sums of squares failed the views, a CPR number was published).
        let cohort = """
            municipality, load_id, grain, cohort, year, children_exposed, exposure_days, detected, investigated, investigation_age_days_sum
            """
        let rest = """
            investigation_age_median_months, measured, measure_age_days_sum, measure_age_days_sum_squares, measure_age_median_months,
            notifications, cases_closed, cases_closed_resolved
            """
        for (view, query, problem) in [
            ("cohort_stats", "SELECT \(cohort), 0::bigint AS investigation_age_days_sum_squares, \(rest) FROM national_feed.cohort_stats_own",
             "Odense (461): its cohort_stats has ages at first investigation no children can have"),
            ("cohort_stats", """
                SELECT \(cohort), investigation_age_days_sum_squares, 'NaN'::float8 AS investigation_age_median_months, measured,
                       measure_age_days_sum, measure_age_days_sum_squares, measure_age_median_months, notifications, cases_closed,
                       cases_closed_resolved FROM national_feed.cohort_stats_own
                """, "Odense (461): its cohort_stats has ages at first investigation no children can have"),
            ("cohort_stats", """
                SELECT municipality, load_id, grain, cohort, year, children_exposed, exposure_days + 5000000000000000000 AS exposure_days,
                       detected, investigated, investigation_age_days_sum, investigation_age_days_sum_squares, \(rest)
                FROM national_feed.cohort_stats_own
                """, "Odense (461): its cohort_stats has more children or exposure days than a municipality has"),
            ("closure_stats", "SELECT municipality, load_id, cohort, closing_reason || ' 0101901234' AS closing_reason, cases_closed FROM national_feed.closure_stats_own",
             "Odense (461): its closure_stats has a closing reason outside the contract's words"),
        ] {
            try odense.rewriteFeedView(view, as: query)
            let refused = try f.national(["publish"])
            if view == "cohort_stats" { odense.restoreFeedView(view) }   // closure_stats: by the defer above, once
            #expect(refused.status == 1 && refused.stderr.contains(problem) && !refused.stderr.contains("0101901234")
                    && refused.stderr.contains("national snapshot \(before) stays published"), "\(refused)")
            #expect(try db.query("SELECT snapshot_id FROM national_metrics.snapshot").first?.string(0) == before)
        }
        // --partial leaves such a feed out, as the refusal says (a re-test: it was refused the same way).
        let partial = try f.national(["publish", "--partial"])
        #expect(partial.status == 0 && partial.stderr.contains("left out of the snapshot"), "\(partial)")
        #expect(try db.query("SELECT partial::text, array_to_string(missing, ';') FROM national_metrics.snapshot").first?.values
                == ["true", "Odense (461): left out; the national publish's log says why"])
        odense.restoreFeedView("closure_stats")
        try odense.rewriteFeedView("closure_stats", as: "SELECT * FROM national_feed.closure_stats_own")   // for the defer
        try f.national(["publish"]).check("publish with every feed as made")
    }

    /// What a feed says is shown as a terminal may: its text cannot move the cursor or hide
    /// the lines after it (an adversarial review's `period_length`).
    @Test func aFeedsTextIsShownWithoutControlCharacters() throws {
        let f = try Federation.shared.get()
        defer { f.municipalities[1].restoreFeedView("published_load") }
        try f.municipalities[1].rewriteFeedView("published_load", as: """
            SELECT municipality, feed_version, run_id, load_id, published_at, as_of, window_from, window_to, small_cell_minimum,
                   period_length || E'\\x1b[2K\\rOdense (461): OK\\x1b[8m' AS period_length, periods, first_period_start,
                   last_period_end, panel_institutions, institutions_withheld
            FROM national_feed.published_load_own
            """)
        let status = try f.national(["status"])
        #expect(status.stdout.contains("Odense (461): run ") && !status.stdout.unicodeScalars.contains { $0.value == 0x1B || $0 == "\r" },
                "\(status.stdout.debugDescription)")
    }

    /// A municipality taken out of the national file but still synced is not left out of a
    /// snapshot that calls itself whole: publish asks for a sync first.
    @Test func publishAfterAMunicipalityLeftTheFileAsksForASync() throws {
        let f = try Federation.shared.get()
        let path = f.base + "/without-odense.yaml"
        var lines = try String(contentsOfFile: f.nationalFile, encoding: .utf8).components(separatedBy: "\n")
        let odense = try #require(lines.firstIndex { $0.contains("name: Odense") })
        let end = lines[(odense + 1)...].firstIndex { $0.contains("- name:") } ?? lines.endIndex
        lines.removeSubrange(odense..<end)
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let publish = try ETL.run(["national", "publish", "--file", path], f.coordinatorEnvironment)
        #expect(publish.status == 64 && publish.stderr.contains("still reads Odense, which \(path) no longer lists")
                && publish.stderr.contains("run `etl national sync --file \(path)` first"),
                "\(publish)")
    }

    /// A municipality whose figures go back to an older as-of date than the published
    /// snapshot's (its steward published an earlier run again) is named in a warning: locally
    /// that took `--force`, nationally no one was told (a review). Made here by moving the
    /// published snapshot's date for it a month on.
    @Test func aMunicipalityGoneBackToAnOlderRunIsNamed() throws {
        let f = try Federation.shared.get()
        let db = try f.coordinator()
        let quiet = try f.national(["publish"])
        #expect(quiet.status == 0 && !quiet.stderr.contains("went back"), "\(quiet)")
        try db.execute("""
            UPDATE snapshot.municipalities SET as_of = as_of + 30
            WHERE snapshot_id = (SELECT snapshot_id FROM snapshot.published) AND municipality = 'Odense'
            """)
        let back = try f.national(["publish"])
        #expect(back.status == 0 && back.stderr.contains("went back to an older run than the snapshot published before had: Odense: run ")
                && !back.stderr.contains("København: run"), "\(back)")
    }

    /// A national analyst connects to the coordinator over TCP and reads national_metrics,
    /// not the snapshots' tables nor the feeds.
    @Test func aNationalAnalystReadsTheNationalViewsOnly() throws {
        let f = try Federation.shared.get()
        let port = try freeLoopbackPort()
        try ETL.run(["warehouse", "start", "--listen", "127.0.0.1:\(port)"], f.coordinatorEnvironment).check("coordinator --listen")
        let made = try f.national(["analyst", "nina"]).check("national analyst")
        let url = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(url.hasPrefix("postgresql://nina:") && url.contains("@127.0.0.1:\(port)/national?"), "\(url)")
        let nina = try Connection(url: url)
        #expect(try nina.query("SELECT municipality_count FROM national_metrics.snapshot").first?.int(0) == 3)
        #expect(try nina.query("SELECT count(*) FROM national_metrics.did_summary").first?.int(0) == 18)
        for table in ["snapshot.snapshots", "snapshot.cohort_stats", "national.municipalities", "national.cohort_stats",
                      "national_remote.cohort_stats_101", "snapshot.cohort_figures"] {
            let error = #expect(throws: PostgresError.self) { try nina.query("SELECT 1 FROM \(table) LIMIT 1") }
            #expect(error?.sqlState == "42501", "\(table): \(String(describing: error))")
        }
    }

    /// With one municipality's server stopped, publish names it, exits 69 and the last
    /// snapshot stays published; --partial publishes the others and says who is missing.
    @Test func anUnreachableMunicipalityKeepsTheLastSnapshot() throws {
        let f = try Federation.shared.get()
        let db = try f.coordinator()
        let before = try #require(try db.query("SELECT snapshot_id, municipalities FROM national_metrics.snapshot").first?.values)
        let odense = f.municipalities[1]
        try ETL.run(["warehouse", "stop"], odense.environment).check("stop Odense")
        defer { _ = try? ETL.run(["warehouse", "start"], odense.environment) }

        let failed = try f.national(["publish"])
        #expect(failed.status == 69, "\(failed)")
        #expect(failed.stderr.contains("could not be reached, so nothing was published (national snapshot \(before[0]!) stays published): Odense (461):"),
                "\(failed.stderr)")
        #expect(try db.query("SELECT snapshot_id, municipalities FROM national_metrics.snapshot").first?.values == before)
        #expect(try db.query("SELECT count(*) FROM national_metrics.cohort_summary").first?.int(0) == 2, "analysts still read the last snapshot")

        let status = try f.national(["status"])
        #expect(status.status == 69 && status.stdout.contains("Odense (461): UNREACHABLE"), "\(status)")

        let partial = try f.national(["publish", "--partial"])
        #expect(partial.status == 0 && partial.stdout.contains("2 municipalities") && partial.stdout.contains("left out: Odense (461)"), "\(partial)")
        let now = try #require(try db.query("SELECT municipalities, partial, missing[1] LIKE 'Odense (461): %' FROM national_metrics.snapshot").first?.values)
        #expect(now == ["Eksempel Kommune, København", "t", "t"])

        try ETL.run(["warehouse", "start"], odense.environment).check("start Odense")
        let again = try f.national(["publish"])
        #expect(again.status == 0 && again.stdout.contains("3 municipalities"), "\(again)")
        #expect(try db.query("SELECT count(*) FROM snapshot.snapshots").first?.int(0) == 3, "keep_snapshots: 3")
    }

    /// A coordinator stopped by hand (`etl warehouse stop`: a backup, analysts shut out) stays
    /// stopped: a national publish started it again (an adversarial review).
    @Test func aCoordinatorStoppedByHandIsNotStartedByANationalCommand() throws {
        let f = try Federation.shared.get()
        try ETL.run(["warehouse", "stop"], f.coordinatorEnvironment).check("stop the coordinator")
        defer { _ = try? ETL.run(["warehouse", "start"], f.coordinatorEnvironment) }
        for command in [["publish"], ["status"]] {
            let refused = try f.national(command)
            #expect(refused.status == 69 && refused.stderr.contains("was stopped with `etl warehouse stop`"), "\(refused)")
        }
        #expect(try ETL.run(["warehouse", "status"], f.coordinatorEnvironment).status == 1, "still stopped")
        try ETL.run(["warehouse", "start"], f.coordinatorEnvironment).check("start the coordinator")
        #expect(try f.national(["publish"]).status == 0)
    }

    /// A municipality's feed session terminated while the snapshot is read, its server still up:
    /// nothing published, and the message says so and what to run (it was postgres_fdw's bare error).
    /// With `--partial`, the command to run again is that one (it said `publish` without it: a review).
    @Test func aFeedSessionLostMidPublishKeepsTheLastSnapshotAndSaysWhatToRun() throws {
        let f = try Federation.shared.get()
        for command in [["publish"], ["publish", "--partial"]] {
            let (failed, before) = try Self.publishLosing("usename = 'national_feed' AND wait_event_type = 'Lock'", f, command) {
                try f.municipalities[1].owner()
            }
            // Named (postgres_fdw's error does not say whose: an adversarial review).
            #expect(failed.stderr.contains("the connection to the feed of Odense (461) broke")
                    && failed.stderr.contains("national snapshot \(before) stays published")
                    && failed.stderr.contains("`etl national \(command.joined(separator: " "))` again"), "\(failed.stderr)")
        }
    }

    /// A feed that stops answering mid-read (here it waits on a lock) stops the publish after
    /// the national file's read_timeout, exit 69, the last snapshot kept; it held the publish,
    /// and the coordinator's lock, for as long as the feed did (an adversarial review). The
    /// feeds' servers are made with TCP keepalives, for one that stops answering altogether.
    @Test func aFeedThatStopsAnsweringMidReadStopsThePublishAtItsReadTimeout() throws {
        let f = try Federation.shared.get()
        let db = try f.coordinator()
        let options = try db.query("SELECT array_to_string(srvoptions, ' ') FROM pg_foreign_server WHERE srvname = 'municipality_461'")
        let set = try #require(options.first?.string(0))
        #expect(set.contains("keepalives_idle=30") && set.contains("keepalives_count=3") && set.contains("tcp_user_timeout=60000"), "\(set)")

        let before = try #require(try db.query("SELECT snapshot_id FROM national_metrics.snapshot").first?.string(0))
        let file = f.nationalFile.replacingOccurrences(of: ".yaml", with: "-read-timeout.yaml")
        try (try String(contentsOfFile: f.nationalFile, encoding: .utf8)).replacingOccurrences(of: "connect_timeout: 5", with: "connect_timeout: 5\nread_timeout: 2")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let odense = try f.municipalities[1].owner()
        // Ended by its server after 20 s, so that a publish without a timeout fails, not hangs.
        try odense.execute("SET idle_in_transaction_session_timeout = '20s'; BEGIN; LOCK TABLE warehouse.notification_stats IN ACCESS EXCLUSIVE MODE")
        let started = Date()
        let failed = try ETL.run(["national", "publish", "--file", file], f.coordinatorEnvironment)
        let seconds = Date().timeIntervalSince(started)
        try? odense.execute("ROLLBACK")
        #expect(failed.status == 69, "\(failed)")
        #expect(failed.stderr.contains("the snapshot's read took longer than read_timeout (2 s)")
                && failed.stderr.contains("national snapshot \(before) stays published") && failed.stderr.contains("a longer read_timeout"),
                "\(failed.stderr)")
        #expect(seconds < 30, "the publish took \(seconds) s")
        #expect(try db.query("SELECT snapshot_id FROM national_metrics.snapshot").first?.string(0) == before)
        #expect(try f.national(["publish"]).status == 0, "the coordinator's lock was let go")
    }

    /// The coordinator's own session lost mid-publish: exit 69 saying it is the coordinator's,
    /// that the last snapshot stays and what to do (it was the bare libpq error).
    @Test func theCoordinatorsSessionLostMidPublishSaysSo() throws {
        let f = try Federation.shared.get()
        let (failed, _) = try Self.publishLosing(
            "application_name LIKE 'etl national publish (pid %' AND state = 'active' AND pid <> pg_backend_pid()", f) { try f.coordinator() }
        #expect(failed.stderr.contains("the connection to the coordinator's database") && failed.stderr.contains("stays published")
                && failed.stderr.contains("run the command again"), "\(failed.stderr)")
    }

    /// The coordinator's session lost after the sync committed, while it probes a feed (Odense's
    /// waits on a lock): said synced, with what to run (it said the sync was rolled back, a review).
    @Test func aSyncLostWhileItProbesTheFeedsSaysItWasSynced() throws {
        let f = try Federation.shared.get()
        // A sync makes the servers anew: other ids after one that committed.
        func servers() throws -> [String?] {
            try f.coordinator().query("SELECT oid::text FROM pg_foreign_server WHERE srvname LIKE 'municipality\\_%' ORDER BY oid").map { $0.string(0) }
        }
        let before = try servers()
        let odense = try f.municipalities[1].owner()
        try odense.execute("BEGIN; LOCK TABLE warehouse.did_estimations IN ACCESS EXCLUSIVE MODE")
        Self.terminate("application_name LIKE 'etl national sync (pid %' AND wait_event_type = 'Extension' AND pid <> pg_backend_pid()") {
            try f.coordinator()
        }
        let failed = try f.national(["sync"])
        try odense.execute("ROLLBACK")
        #expect(failed.status == 69 && failed.stderr.contains("the coordinator was synced")
                && failed.stderr.contains("`etl national status` probes them"), "\(failed)")
        let after = try servers()
        #expect(after.count == before.count && Set(after).isDisjoint(with: before), "synced: \(before) → \(after)")
        #expect(try f.national(["status"]).status == 0)
    }

    /// A coordinator whose server logs statements does not log the user mappings', which
    /// carry the feeds' passwords (`log_statement = ddl` wrote them, an adversarial review).
    @Test func aSyncLeavesNoFeedPasswordInTheServersLog() throws {
        let f = try Federation.shared.get()
        let db = try f.coordinator()
        try db.execute("ALTER SYSTEM SET log_statement = 'all'")
        _ = try db.query("SELECT pg_reload_conf()")
        defer {
            _ = try? db.execute("ALTER SYSTEM RESET log_statement")
            _ = try? db.query("SELECT pg_reload_conf()")
        }
        try f.national(["sync"]).check("sync")
        let log = try String(contentsOfFile: f.coordinatorState.postgres.path + "/server.log", encoding: .utf8)
        #expect(log.contains("statement: "), "the server logged statements")
        // Names only: a failure must not print the log, passwords and all.
        let leaked = f.municipalities.filter { log.contains($0.password) }.map(\.name)
        #expect(leaked.isEmpty, "passwords of \(leaked) in the server's log")
    }

    /// The answer to the publish's COMMIT lost: asked again on a new session, a snapshot the
    /// coordinator published is said published (a warning; the command succeeds), one it did
    /// not is said kept, and when it cannot be asked the outcome is said unknown with what
    /// to run (it said the old snapshot stayed when the new one was published: an
    /// adversarial review). The embedded server has no replication, so no commit can be made
    /// to lose its answer here; the decision is held to each case.
    @Test func aPublishWhoseCommitsAnswerIsLostIsAskedAgain() throws {
        let f = try Federation.shared.get()
        let coordinator = try Coordinator.connect(file: try NationalFile.load(path: f.nationalFile), url: nil, state: f.coordinatorState,
                                                  mayCreateCluster: false, logger: Logger(label: "test"))
        let published = try #require(try coordinator.publishedSnapshot())
        func made(_ id: Int64) -> PublishSummary {
            PublishSummary(snapshotID: id, municipalities: [], missing: [], periods: 0, periodLength: .year, inEvaluation: 0, estimated: 0, seconds: 0)
        }
        let lost = PostgresError(.connection, "server closed the connection unexpectedly")
        #expect(try coordinator.confirmCommitted(made(published), open: f.coordinator, error: lost).snapshotID == published)
        let kept = #expect(throws: NationalError.self) { try coordinator.confirmCommitted(made(published + 1), open: f.coordinator, error: lost) }
        #expect(kept.map { "\($0)" }?.contains("the coordinator says the national snapshot published before stays published") == true, "\(String(describing: kept))")
        let unknown = #expect(throws: NationalError.self) {
            try coordinator.confirmCommitted(made(published + 1), open: { throw PostgresError(.connection, "no answer") }, error: lost)
        }
        #expect(unknown == .publishUnconfirmed(target: coordinator.target, snapshot: published + 1, message: "server closed the connection unexpectedly"))
        #expect(unknown.map { "\($0)" }?.contains("`etl national status` says which snapshot is published") == true)
    }

    /// The feed role (like an analyst) may read, never stop the nights: a session of its that
    /// took the warehouse's run lock is ended by the next command that needs the lock (an
    /// adversarial review: every night exited 75, naming a run the session made up).
    @Test func aReadOnlyRoleHoldingTheRunLockIsEnded() throws {
        let f = try Federation.shared.get()
        let odense = f.municipalities[1]
        let feed = try odense.feedRole()
        _ = try feed.query("SELECT set_config('application_name', 'etl run 20261201023000123', false), pg_advisory_lock(\(AdvisoryLock.runKey))")
        let owner = try odense.owner()
        let lock = try AdvisoryLock(connection: owner, holder: "etl run (test)")
        withExtendedLifetime(lock) {}
        #expect(throws: PostgresError.self, "the feed's session was ended") { try feed.query("SELECT 1") }
    }

    /// The coordinator's lock: a sync or publish while another holds it is refused naming the
    /// holder; one whose holder lets go within the lock's patience (as a killed command's
    /// session does, ended by the server's client check) goes ahead (a release review).
    @Test func theCoordinatorsLockNamesItsHolderAndOutwaitsOneThatEnds() throws {
        let f = try Federation.shared.get()
        for seconds in [6.0, 1.0] {
            let held = DispatchSemaphore(value: 0)
            let holder = Thread {
                guard let db = try? f.coordinator() else { held.signal(); return }
                _ = try? db.query("SELECT set_config('application_name', 'etl national publish (pid 1)', false), pg_advisory_lock(5634527961634701)")
                held.signal()
                Thread.sleep(forTimeInterval: seconds)
                db.close()
            }
            holder.start()
            held.wait()
            let sync = try f.national(["sync"])
            if seconds > 3 {
                #expect(sync.status == 75 && sync.stderr.contains("etl national publish (pid 1)"), "\(sync)")
                Thread.sleep(forTimeInterval: seconds)
            } else {
                #expect(sync.status == 0, "\(sync)")
            }
        }
    }

    /// On a thread of its own, while the test's command runs: ends the session `condition`
    /// picks from `pg_stat_activity` (on a connection `connect` makes) once it is there.
    /// `etl national publish` while Odense holds a table the snapshot reads, with the sessions
    /// `condition` names ended meanwhile (seen from `connect`'s server): exit 69, and the
    /// snapshot published before stays. Returns the publish's output and that snapshot.
    static func publishLosing(_ condition: String, _ f: Federation, _ command: [String] = ["publish"],
                              seenFrom connect: @escaping @Sendable () throws -> Connection) throws -> (failed: Output, before: String) {
        let db = try f.coordinator()
        let before = try #require(try db.query("SELECT snapshot_id FROM national_metrics.snapshot").first?.string(0))
        let odense = try f.municipalities[1].owner()
        try odense.execute("BEGIN; LOCK TABLE warehouse.notification_stats IN ACCESS EXCLUSIVE MODE")
        terminate(condition, on: connect)
        let failed = try f.national(command)
        try odense.execute("ROLLBACK")
        #expect(failed.status == 69, "\(failed)")
        #expect(try db.query("SELECT snapshot_id FROM national_metrics.snapshot").first?.string(0) == before)
        return (failed, before)
    }

    static func terminate(_ condition: String, on connect: @escaping @Sendable () throws -> Connection) {
        Thread {
            guard let watcher = try? connect() else { return }
            for _ in 0..<400 {
                let ended = (try? watcher.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE \(condition)")) ?? []
                if !ended.isEmpty { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }.start()
    }

    /// Equal as numbers: integers and text exactly, doubles within `tolerance` (relative).
    static func expectSame(_ actual: String?, _ expected: String?, _ what: String, tolerance: Double = FederationTests.tolerance,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        if actual == expected { return }
        guard let a = actual.flatMap(Double.init), let e = expected.flatMap(Double.init) else {
            Issue.record("\(what): \(actual ?? "NULL") against \(expected ?? "NULL")", sourceLocation: sourceLocation)
            return
        }
        #expect(abs(a - e) <= tolerance * max(abs(e), 1e-300), "\(what): \(a) against \(e)", sourceLocation: sourceLocation)
    }
}
