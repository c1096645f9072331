import Pipeline
import Testing
@testable import Transform

/// The evaluation panel of the hand fixture, cell by cell, worked out with a calendar.
@Suite struct PanelTests {
    @Test func handFixturePanelByQuarter() throws {
        let facts = try Transform.compute(
            institutions: HandFixture.institutions, assignments: HandFixture.assignments,
            enrolments: HandFixture.enrolments, events: HandFixture.events,
            windowFrom: HandFixture.windowFrom, windowTo: HandFixture.windowTo, asOf: HandFixture.asOf)
        // Window 2020-01-01 … 2021-06-30: six whole quarters, 91 91 92 92 90 91 days.
        #expect(facts.panel.periods.periods.map { "\($0.lowerBound)…\($0.upperBound)" } == [
            "2020-01-01…2020-03-31", "2020-04-01…2020-06-30", "2020-07-01…2020-09-30",
            "2020-10-01…2020-12-31", "2021-01-01…2021-03-31", "2021-04-01…2021-06-30"])
        let (cells, groups) = facts.panelCells
        // 101 covered since 2019 and 103 from 2020-03-01: both from period 1. 102's workers:
        // 2018 only, and one starting after the as-of date. 20 never.
        #expect(groups == ["101": 1, "102": 0, "103": 1, "20": 0])
        // "days children case investigation measure"
        #expect(cells == [
            // c01 91 + c03 69 (to Mar 9, turns 7) + c05 10 (Feb 1–10); c01's case, c03's measure on Mar 9.
            "101 1": "170 3 1 0 1",
            "101 2": "182 2 1 0 0",  // c01 91 + c04 91 (Apr–Jun, the later spell wins); c04's case on May 15
            "101 3": "92 1 0 0 0",
            "101 4": "92 1 0 0 0",
            "101 5": "121 2 1 0 0",  // c01 90 + c09 31 (from Mar 1); c09's case on Mar 1
            "101 6": "182 2 0 0 0",
            "102 1": "182 2 0 0 0",  // c02 91 + c04 91
            "102 2": "91 1 0 0 0",
            "102 3": "184 2 0 0 0",  // c02 + c04, 92 each
            "102 4": "184 2 0 0 0",
            "102 5": "90 1 0 0 0",   // c04 left 2020-12-31
            "102 6": "152 2 1 1 0",  // c02 91 + c08 61 (from May 1); c02's case Jun 30, c08's investigation Jun 30
            "103 1": "91 1 1 1 0",   // c06: case Feb 29, investigation Mar 1
            "103 2": "91 1 0 0 0",
            "103 3": "92 1 0 0 1",   // c06's measure on Sep 1
            "103 4": "92 1 0 0 0",
            "103 5": "90 1 0 0 0",
            "103 6": "91 1 0 0 0",
            "20 1": "19 1 1 0 0",    // c05 Feb 11–29; its case Feb 20
            "20 2": "0 0 0 0 0", "20 3": "0 0 0 0 0", "20 4": "0 0 0 0 0", "20 5": "0 0 0 0 0", "20 6": "0 0 0 0 0",
        ])
        // Exposure in the panel is all the exposure of whole quarters: here the whole window.
        #expect(facts.panel.exposureDays.reduce(0, +) == Int32(facts.exposure.reduce(0) { $0 + Int($1.days) }))
    }

    @Test func halfYearsAndYears() throws {
        let half = try Transform.compute(
            institutions: HandFixture.institutions, assignments: HandFixture.assignments,
            enrolments: HandFixture.enrolments, events: HandFixture.events,
            windowFrom: HandFixture.windowFrom, windowTo: HandFixture.windowTo, asOf: HandFixture.asOf, period: .halfYear)
        #expect(half.panel.periods.count == 3)
        #expect(half.panelCells.cells["101 1"] == "352 4 2 0 1")  // 170 + 182 days; c01 c03 c05 c04
        // Only 2020 is a whole year of the window.
        let year = try Transform.compute(
            institutions: HandFixture.institutions, assignments: HandFixture.assignments,
            enrolments: HandFixture.enrolments, events: HandFixture.events,
            windowFrom: HandFixture.windowFrom, windowTo: HandFixture.windowTo, asOf: HandFixture.asOf, period: .year)
        #expect(year.panel.periods.count == 1)
        #expect(year.panelCells.cells["102 1"] == "641 2 0 0 0")  // c02 366 + c04 275
    }

    /// Groups at the edges: quarters 2 (Apr–Jun 2020) … Q1 2021 are periods 1…4 of a window
    /// starting 2020-01-15, whose first part-quarter is no period.
    @Test func groupsAtTheEdges() {
        let numbers = ["A", "B", "C", "D", "E", "F", "G"]
        let facts = Transform.compute(
            institutions: numbers.map { institution($0, district: "X") },
            assignments: [
                assignment("A", "2020-01-20", "2020-03-20"),  // covered in the window, but in no period: 0
                assignment("B", "2020-08-10", nil),           // Q3 2020: period 2
                assignment("C", "2019-05-01", "2020-04-01"),  // began before, runs into period 1: 1
                assignment("D", "2019-01-01", "2019-12-31"),  // ended before the window: 0
                assignment("E", "2020-11-01", "2020-11-05"),  // five days in Q4 2020, then gone: 3 (absorbing)
                assignment("F", "2021-04-01", nil),           // after the last period: 0
                assignment("G", "2020-06-30", "2020-06-30"),  // the last day of period 1: 1
            ],
            enrolments: [], events: [], window: D("2020-01-15")...D("2021-03-31"), asOf: D("2021-12-31"))
        #expect(facts.panel.periods.count == 4)
        #expect(facts.panel.periods[1].lowerBound == D("2020-04-01"))
        #expect(facts.panelCells.groups == ["A": 0, "B": 2, "C": 1, "D": 0, "E": 3, "F": 0, "G": 1])
        // Institutions without any exposure are in the panel all the same.
        #expect(facts.panelCells.cells.count == 7 * 4)
        #expect(facts.panelCells.cells.values.allSatisfy { $0 == "0 0 0 0 0" })
    }

    @Test func aWindowShorterThanAPeriodHasNoPeriods() {
        let facts = Transform.compute(
            institutions: HandFixture.institutions, assignments: HandFixture.assignments,
            enrolments: HandFixture.enrolments, events: HandFixture.events,
            window: D("2020-01-02")...D("2020-06-29"), asOf: HandFixture.asOf)
        #expect(facts.panel.periods.count == 0)
        #expect(facts.panel.groups == [0, 0, 0, 0])
        #expect(facts.panel.exposureDays.isEmpty)
    }
}
