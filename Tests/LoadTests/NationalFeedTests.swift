import Pipeline
import Testing

/// The national feed's cohort statistics (sql/views/80_national_feed.sql): no sum of ages
/// of fewer children than the minimum leaves, directly or as a difference.
@Suite struct NationalFeedTests {
    /// The fixture's treatment cohort has its 5 first investigations in 2020. Say 1 of them
    /// fell in 2020 and 7 in 2021: 2020 is withheld, and 2021 with it, else the total less
    /// 2021 would give that one child's age.
    @Test func aSmallYearIsWithheldWithTheNextSmallestSoTheTotalCannotGiveItBack() throws {
        let h = try LoadHarness()
        try h.loadAndPublish(20250101000000)
        _ = try h.connection.execute("""
            UPDATE warehouse.cohort_stats SET investigated = CASE year WHEN 2020 THEN 1 ELSE 7 END
            WHERE grain = 'year' AND cohort = 'treatment'
            """)
        let rows = try h.connection.query("""
            SELECT grain, coalesce(year::text, ''), investigated::text, investigation_age_days_sum IS NULL
            FROM national_feed.cohort_stats WHERE cohort = 'treatment' ORDER BY grain, year
            """).map(\.values)
        #expect(rows == [["total", "", "5", "f"], ["year", "2020", "1", "t"], ["year", "2021", "7", "t"]])
        // A year with enough children beside no small one is sent.
        _ = try h.connection.execute("UPDATE warehouse.cohort_stats SET investigated = 5 WHERE grain = 'year' AND cohort = 'treatment' AND year = 2020")
        #expect(try h.connection.query("""
            SELECT count(*) FROM national_feed.cohort_stats WHERE cohort = 'treatment' AND investigation_age_days_sum IS NULL
            """).first?.int(0) == 0)
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
