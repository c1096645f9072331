import Pipeline
import Testing

/// The national feed's cohort statistics (sql/views/80_national_feed.sql).
@Suite struct NationalFeedTests {
    /// Every cell's sums of ages leave, those of fewer children than the minimum too, so the
    /// national means are the pooled children's (docs/decisions.md, "Ages in the feed"); an
    /// independent check found the national headline ages NULL while a feed withheld them.
    @Test func everyCellsSumsOfAgesLeaveSmallOnesToo() throws {
        let h = try LoadHarness()
        try h.loadAndPublish(20250101000000)
        let facts = try h.connection.query("""
            SELECT CASE WHEN GROUPING(y) = 0 THEN 'year' ELSE 'total' END, cohort, coalesce(y::text, ''), kind,
                   count(*)::text, sum(age_days)::text, sum(age_days::bigint * age_days)::text
            FROM (SELECT cohort, kind, extract(year FROM day)::integer AS y, age_days FROM warehouse.first_events
                  WHERE load_id = (SELECT load_id FROM warehouse.published_load) AND cohort IS NOT NULL
                    AND kind IN ('investigation', 'measure')) f
            GROUP BY GROUPING SETS ((cohort, kind), (cohort, kind, y)) ORDER BY 1, 2, 3, 4
            """).map(\.values)
        let sent = try h.connection.query("""
            SELECT grain, cohort, coalesce(year::text, ''), k.kind, k.n::text, k.days::text, k.squares::text
            FROM national_feed.cohort_stats s,
                 LATERAL (VALUES ('investigation', s.investigated, s.investigation_age_days_sum, s.investigation_age_days_sum_squares),
                                 ('measure', s.measured, s.measure_age_days_sum, s.measure_age_days_sum_squares)) k(kind, n, days, squares)
            WHERE k.n > 0 ORDER BY 1, 2, 3, 4
            """).map(\.values)
        // The fixture's statistics have years only where its test needs them.
        let cells = Set(sent.map { $0.prefix(4) })
        #expect(sent == facts.filter { cells.contains($0.prefix(4)) } && cells.count >= 8)
        let minimum = try #require(try h.connection.query("SELECT small_cell_minimum FROM national_feed.published_load").first?.int(0))
        #expect(sent.contains { Int($0[4]!)! < minimum }, "the fixture has a cell of fewer children than \(minimum), so this test can fail")
    }

    /// A source or closing reason outside the contract is the export's free text (here a
    /// municipality's own code and a CPR number's pseudonym): it leaves only counted with the
    /// contract's "other", every contract value as itself (a release review, 2026-12-01).
    @Test(arguments: [("notification_stats", "source", "notifications", "kilde", "andre"),
                      ("closure_stats", "closing_reason", "cases_closed", "aarsag", "andet")])
    func labelsOutsideTheContractLeaveOnlyAsItsOther(table: String, label: String, count: String, field: String, other: String) throws {
        let h = try LoadHarness()
        try h.loadAndPublish(20250101000000)
        let load = try #require(try h.connection.query("SELECT load_id FROM warehouse.published_load").first?.int(0))
        let contract = try #require(ContractVocabulary.values[field]).sorted()
        _ = try h.connection.execute("DELETE FROM warehouse.\(table) WHERE load_id = \(load)")
        let rows = contract.map { "('treatment', '\($0)', 3)" } + ["('treatment', 'Politi, station 3', 2)", "('treatment', '[cpr:0123456789abcdef]', 1)",
                                                                  "('control', NULL, 4)", "('control', 'x', 1)"]
        _ = try h.connection.execute("INSERT INTO warehouse.\(table) SELECT \(load), * FROM (VALUES \(rows.joined(separator: ", "))) v")
        let sent = try h.connection.query("SELECT concat_ws(' | ', cohort, coalesce(\(label), 'NULL'), \(count)) FROM national_feed.\(table)")
            .compactMap { $0.string(0) }
        let expected = ["control | NULL | 4", "control | \(other) | 1"] + contract.map { "treatment | \($0) | \($0 == other ? 6 : 3)" }
        #expect(sent.sorted() == expected.sorted())
    }
}
