import Foundation
import Logging
import Operations
import Pipeline
import Postgres
import Testing
import TestSupport
@testable import National

/// The coordinator's schema (sql/national) on a database of its own, with a snapshot
/// written by hand: the combination of means and variances, and the small-cell rule.
@Suite struct NationalViewsTests {
    static let directory = ETL.repo.appendingPathComponent("sql/national").path

    func coordinator() throws -> Connection {
        let db = try TestServer.freshDatabase().connect()
        try Migrator(directory: Self.directory).migrate(db)
        return db
    }

    /// Two municipalities; the ages at first investigation are 100 and 200 days in A and 400 in
    /// B (treatment), and the treatment cohort has 3 children in all: a small cell.
    func snapshot(_ db: Connection, minimum: Int = 5) throws {
        try db.execute("""
            INSERT INTO snapshot.snapshots (snapshot_id, national_file, small_cell_minimum, period_length, periods, partial, program_version)
            VALUES (1, 'national.yaml', \(minimum), 'year', 0, false, 'test');
            INSERT INTO snapshot.municipalities (snapshot_id, municipality, code, run_id, load_id, published_at, as_of, window_from,
                window_to, small_cell_minimum, periods, panel_institutions, institutions_withheld, in_evaluation)
            VALUES (1, 'A', '101', 1, 1, now(), '2026-11-21', '2012-01-01', '2026-11-21', 5, 0, 0, 0, true),
                   (1, 'B', '461', 2, 2, now(), '2026-11-20', '2012-01-01', '2026-11-20', 5, 0, 0, 0, true);
            INSERT INTO snapshot.cohort_stats VALUES
                (1, 'A', 'total', 'treatment', NULL, 2, 700, 1, 2, 300, 50000, NULL, 0, 0, 0, NULL, 3, 0, 0),
                (1, 'B', 'total', 'treatment', NULL, 1, 365, 1, 1, 400, 160000, NULL, 0, 0, 0, NULL, 0, 0, 0),
                (1, 'A', 'total', 'control', NULL, 900, 400000, 40, 30, 30 * 1000, 30 * 1000 * 1000 + 29 * 250000, 33.1, 20, 20 * 1500, 20 * 1500 * 1500, 49.5, 60, 30, 20),
                (1, 'B', 'total', 'control', NULL, 600, 300000, 25, 10, 10 * 1100, 10 * 1100 * 1100, 36.0, 0, 0, 0, NULL, 40, 10, 6);
            INSERT INTO snapshot.published (snapshot_id) VALUES (1);
            """)
    }

    @Test func meansAndVariancesCombineExactly() throws {
        let db = try coordinator()
        try snapshot(db)
        let t = try #require(try db.query("""
            SELECT investigated, mean_age_first_investigation_months, var_age_first_investigation_months, municipalities, children_exposed
            FROM snapshot.cohort_figures WHERE grain = 'total' AND cohort = 'treatment'
            """).first)
        let ages = [100.0, 200, 400].map { $0 / 30.4375 }
        let mean = ages.reduce(0, +) / 3
        let variance = ages.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2
        #expect(try t.int(0) == 3 && t.string(3) == "A, B" && t.int(4) == 3)
        #expect(abs(try t.double(1)! - mean) < 1e-12 * mean)
        #expect(abs(try t.double(2)! - variance) < 1e-12 * variance)

        // Control: A's 30 ages have mean 1000 days and sample variance 250,000 days², B's 10 are all 1100.
        let c = try #require(try db.query("""
            SELECT mean_age_first_investigation_months * 30.4375, var_age_first_investigation_months * 30.4375 * 30.4375
            FROM snapshot.cohort_figures WHERE grain = 'total' AND cohort = 'control'
            """).first)
        let pooledMean = (30 * 1000.0 + 10 * 1100) / 40
        let pooledVariance = (29 * 250_000.0 + 30 * pow(1000 - pooledMean, 2) + 10 * pow(1100 - pooledMean, 2)) / 39
        let (m, v) = (try c.double(0)!, try c.double(1)!)
        #expect(abs(m - pooledMean) < 1e-9 && abs(v - pooledVariance) < 1e-6)
    }

    @Test func smallCellsAreHiddenInTheNationalViews() throws {
        let db = try coordinator()
        try snapshot(db)
        let rows = try db.query("SELECT cohort, children_exposed, child_years, detected, mean_age_first_investigation_months, municipalities FROM national_metrics.cohort_summary")
        let t = try #require(rows.first { $0.string(0) == "treatment" })
        #expect(t.values == ["treatment", nil, nil, nil, nil, "A, B"], "3 children, 2 detected, 3 investigated: all small")
        let c = try #require(rows.first { $0.string(0) == "control" })
        #expect(try c.int(1) == 1500 && c.string(5) == "A, B")

        let medians = try db.query("""
            SELECT municipality, median_age_first_investigation_months, median_age_first_measure_months
            FROM national_metrics.cohort_summary_by_municipality WHERE cohort = 'control'
            """).map(\.values)
        #expect(medians == [["A", "33.1", "49.5"], ["B", "36", nil]])
        let comparison = try db.query("SELECT comparison, estimate, treatment_count FROM national_metrics.cohort_comparison").map(\.values)
        // Every comparison rests on a small treatment count but the measures': their 0 is shown,
        // their rate (0, and RR 0) hides with the cohort's 3 children, as in cohort_summary
        // (their mean age is none).
        #expect(comparison.map { $0[1] } == [nil, nil, nil, nil, nil], "\(comparison)")
        #expect(comparison.map { $0[2] } == [nil, nil, "0", nil, "0"], "\(comparison)")

        // A larger national minimum hides more.
        try db.execute("UPDATE snapshot.snapshots SET small_cell_minimum = 30")
        #expect(try db.query("SELECT measured FROM national_metrics.cohort_summary WHERE cohort = 'control'").first?.string(0) == nil)
        #expect(try db.query("SELECT small_cell_minimum FROM national_metrics.snapshot").first?.int(0) == 30)
    }

    /// A municipality with no covered institution (one cohort only) keeps its five comparisons,
    /// the missing side NULL with counts of 0, as a municipality's own view does.
    @Test func aMunicipalityWithOneCohortKeepsItsComparisons() throws {
        let db = try coordinator()
        try snapshot(db)
        try db.execute("DELETE FROM snapshot.cohort_stats WHERE municipality = 'B' AND cohort = 'treatment'")
        let rows = try db.query("""
            SELECT comparison, treatment IS NULL AND estimate IS NULL, treatment_count FROM snapshot.cohort_comparison
            WHERE grain = 'municipality' AND municipality = 'B' ORDER BY ord
            """)
        #expect(rows.count == 5 && rows.allSatisfy { $0.string(1) == "t" && $0.string(2) == "0" }, "\(rows.map(\.values))")
        #expect(try db.query("SELECT count(*) FROM national_metrics.cohort_comparison_by_municipality WHERE municipality = 'B'").first?.int(0) == 5)
        // Its children 0 on the rate rows, as its counts (they were NULL).
        let children = try db.query("""
            SELECT treatment_children FROM snapshot.cohort_comparison
            WHERE grain = 'municipality' AND municipality = 'B' AND statistic = 'rate_ratio'
            """)
        #expect(children.count == 3 && children.allSatisfy { $0.string(0) == "0" }, "\(children.map(\.values))")
    }

    @Test func nationalAnalystsReadNationalMetricsOnly() throws {
        let db = try coordinator()
        let granted = try db.query("""
            SELECT DISTINCT table_schema FROM information_schema.role_table_grants WHERE grantee = 'etl_analyst'
              AND table_catalog = current_database()
            """).compactMap { $0.string(0) }
        #expect(granted == ["national_metrics"])
    }

    @Test func aWarehouseIsNoCoordinator() throws {
        let warehouse = try TestServer.freshDatabase()
        try Migrator(directory: ETL.repo.appendingPathComponent("sql").path).migrate(try warehouse.connect())
        let file = try NationalFile.parse(NationalFileTests.good, path: "national.yaml")
        let state = StateLayout(root: URL(fileURLWithPath: try TestServer.temporaryDirectory()))
        let error = #expect(throws: NationalError.self) {
            _ = try Coordinator.connect(file: file, url: warehouse.url, state: state, mayCreateCluster: false, logger: Logger(label: "test"))
        }
        // Said as what it is, not "changed after it was applied; restore the applied file" (a review).
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("is not a national coordinator's database (the database's migration 1 is 001_ledger.sql, not 001_coordinator.sql")
                && !text.contains("changed after"), "\(text)")
        #expect(error?.exitStatus == .usage)
    }

    /// And the other way round: a warehouse's migrations on a coordinator's database say so, exit 64.
    @Test func aCoordinatorIsNoWarehouse() throws {
        let national = try TestServer.freshDatabase()
        try Migrator(directory: ETL.repo.appendingPathComponent("sql/national").path).migrate(try national.connect())
        let error = #expect(throws: PostgresError.self) {
            try Migrator(directory: ETL.repo.appendingPathComponent("sql").path).migrate(try national.connect())
        }
        #expect(error?.kind == .otherSchema && error?.message.contains("the database's migration 1 is 001_coordinator.sql, not 001_ledger.sql") == true,
                "\(String(describing: error))")
        #expect(error?.exitStatus == .usage)
    }
}
