import Pipeline
import Testing
@testable import Transform

@Suite struct HandFixtureTests {
    let facts: Facts

    init() throws {
        facts = try Transform.compute(
            institutions: HandFixture.institutions, assignments: HandFixture.assignments,
            enrolments: HandFixture.enrolments, events: HandFixture.events,
            windowFrom: HandFixture.windowFrom, windowTo: HandFixture.windowTo, asOf: HandFixture.asOf)
    }

    @Test func exposureDaysPerChildCohortYearInstitution() {
        #expect(facts.exposureLines == [
            "c01 treatment 2020 101 366",  // all of 2020 (leap year)
            "c01 treatment 2021 101 181",  // Jan 1 … Jun 30 2021: 31+28+31+30+31+30
            "c02 control 2020 102 366",    // 102's worker left in 2018
            "c02 control 2021 102 181",    // spell runs to 09-30, the window stops at 06-30
            "c03 treatment 2020 101 69",   // Jan 1 … Mar 9 (31+29+9); 7 years old on Mar 10
            "c04 control 2020 102 275",    // Jan–Mar (91) + Jul–Dec (184)
            "c04 treatment 2020 101 91",   // Apr 1 … Jun 30, the later indmeldt wins
            "c05 control 2020 20 19",      // Feb 11 … 29, after 101's spell ended
            "c05 treatment 2020 101 10",   // Feb 1 … 10: tie on indmeldt, "101" < "20"
            "c06 control 2020 103 182",    // Jan–Feb (60) + Sep–Dec (122)
            "c06 treatment 2020 103 184",  // Mar 1 … Aug 31, two adjacent assignments
            "c06 control 2021 103 181",
            "c08 control 2021 102 61",     // May 1 … Jun 30
            "c09 treatment 2021 101 122",  // Mar 1 … Jun 30
        ])
        #expect(facts.counts[TransformCounts.exposureDays(.treatment)] == 366 + 181 + 69 + 91 + 10 + 184 + 122)
        #expect(facts.counts[TransformCounts.exposureDays(.control)] == 366 + 181 + 275 + 19 + 182 + 181 + 61)
    }

    @Test func firstEventsAndTheirAttribution() {
        #expect(facts.firstEventLines == [
            "c01 case 2020-01-01 966 treatment/101/Nørrebro",     // first window day
            "c02 case 2021-06-30 1962 control/102/Valby",         // last window day; the 07-01 one is later
            "c03 case 2019-10-01 2396 outside_window",            // before the window, though enrolled
            "c03 investigation 2020-03-10 2557 out_of_age",       // the day it turned 7
            "c03 measure 2020-03-09 2556 treatment/101/Nørrebro", // its last day in age
            "c04 case 2020-05-15 1211 treatment/101/Nørrebro",    // inside the overlapping 101 spell
            "c04 investigation 2021-02-01 1473 not_enrolled",     // in the window, both spells over
            "c05 case 2020-02-20 1196 control/20/Vesterbro",
            "c06 case 2020-02-29 638 control/103/Amager",         // the day before the worker came
            "c06 investigation 2020-03-01 639 treatment/103/Amager", // the day the worker came
            "c06 measure 2020-09-01 823 control/103/Amager",      // the day after the worker left
            "c07 case 2020-06-01 1885 not_enrolled",              // no spell at all
            "c08 case 2019-11-15 318 outside_window",             // the earliest case counts, not S-08b
            "c08 investigation 2021-06-30 911 control/102/Valby", // last window day
            "c08 measure 2021-08-01 943 outside_window",          // enrolled, but after the window
            "c09 case 2021-03-01 259 treatment/101/Nørrebro",     // first day of its spell
            "c10 case 2020-03-01 2982 out_of_age",                // enrolled, 8 years old
            "c10 investigation 2020-09-01 3166 not_enrolled",     // not enrolled is checked before age
        ])
    }

    @Test func casesWithOpeningAndLatestClosing() {
        #expect(facts.caseLines == [
            // Two closings on 06-01: the later line (familien_selv) wins.
            "S-01 c01 2020-01-01 966 treatment/101/Nørrebro 2020-06-01 familien_selv",
            // Opened twice: the earliest day (06-30, the later line) is the opening.
            "S-02 c02 2021-06-30 1962 control/102/Valby - -",
            "S-03 c03 2019-10-01 2396 outside_window - -",
            "S-04 c04 2020-05-15 1211 treatment/101/Nørrebro - -",
            "S-05 c05 2020-02-20 1196 control/20/Vesterbro - -",
            // Closed 12-01 (line 18) and 10-01 (line 19): the later day wins, not the later line.
            "S-06 c06 2020-02-29 638 control/103/Amager 2020-12-01 bekymring_ophoert",
            "S-07 c07 2020-06-01 1885 not_enrolled - -",
            "S-08a c08 2019-11-15 318 outside_window - -",
            "S-08b c08 2021-05-10 860 control/102/Valby - -",
            "S-09 c09 2021-03-01 259 treatment/101/Nørrebro - -",
            "S-10 c10 2020-03-01 2982 out_of_age - -",
        ])
        #expect(facts.counts[TransformCounts.casesWithoutOpening] == 2)  // S-02n, S-11: notifications only
    }

    @Test func everyCaseEventHasTheStatusOfItsDay() {
        let s = facts.caseEventStatus
        #expect(s.count == 29)
        #expect(s[5] == "1202 outside_window")                // c02's notification, 2019-06-01
        #expect(s[6] == "1963 outside_window")                // 2021-07-01, a day after the window
        #expect(s[13] == "1181 treatment/101/Nørrebro")       // c05 on 02-05: 101 wins the tie
        #expect(s[18] == "914 control/103/Amager")            // c06 on 12-01, worker gone
        #expect(s[26] == "-45 not_enrolled")                  // c09 before birth: age still filled
        #expect(s[30] == "855 not_enrolled")                  // c11: its spell was skipped
        let byStatus = Dictionary(grouping: facts.caseEvents, by: { $0.attribution.cohort?.rawValue ?? $0.attribution.reason!.rawValue })
            .mapValues(\.count)
        #expect(byStatus == ["treatment": 8, "control": 8, "outside_window": 6, "not_enrolled": 5, "out_of_age": 2])
        // Output order: by child key, then day.
        let order = facts.caseEvents.map { (facts.childKeys[Int($0.child)], $0.day.rawValue) }
        #expect(order.elementsEqual(order.sorted { $0 < $1 }, by: ==))
    }

    @Test func dimensionsCoverageAndCounts() {
        #expect(facts.institutions.map(\.number) == ["101", "102", "103", "20"])  // byte order
        #expect(Array(facts.childKeys) == (1...11).map { String(format: "c%02d", $0) })
        #expect(facts.enrolments.count == 11)                 // 12 read, c11's spell at 999 skipped
        #expect(facts.coverageLines == [
            "101 2019-01-01 2021-12-31",   // open: runs to the as-of date
            "102 2018-01-01 2018-12-31",   // the 2022 assignment starts after as-of: no row
            "103 2020-03-01 2020-08-31",   // two adjacent assignments merged
        ])
        let c = facts.counts
        #expect(c[TransformCounts.children] == 11)
        #expect(c[TransformCounts.skippedEnrolments] == 1)
        #expect(c[TransformCounts.childrenWithoutSpell] == 2)          // c07, c11
        #expect(c[TransformCounts.eventsOfChildrenWithoutSpell] == 3)
        #expect(c[TransformCounts.attributed(.case, .treatment)] == 3)  // c01, c04, c09
        #expect(c[TransformCounts.attributed(.case, .control)] == 3)    // c02, c05, c06
        #expect(c[TransformCounts.unattributed(.case, .outsideWindow)] == 2)
        #expect(c[TransformCounts.unattributed(.case, .notEnrolled)] == 1)
        #expect(c[TransformCounts.unattributed(.case, .outOfAge)] == 1)
        #expect(c[TransformCounts.unattributed(.investigation, .notEnrolled)] == 2)
        #expect(c[TransformCounts.unattributed(.measure, .outsideWindow)] == 1)
        #expect(facts.skipped == [SkippedRecord(file: StageFile.enrolments, line: 13, reason: "unknown_institution")])
    }
}
