import Pipeline
@testable import Transform

/// Eleven children whose every figure was worked out by hand with a calendar.
///
/// Window 2020-01-01 … 2021-06-30 (366 + 181 days), as-of 2021-12-31.
/// Institutions: 101 Nørrebro (social worker since 2019-01-01, open), 102 Valby (a worker
/// only in 2018, and one starting after the as-of date), 103 Amager (workers 2020-03-01 …
/// 06-30 and 07-01 … 08-31: covered 03-01 … 08-31), 20 Vesterbro (never covered).
/// "101" < "20" as text, so 101 wins a tie on indmeldt although 20 < 101 as numbers.
enum HandFixture {
    static let windowFrom = D("2020-01-01")
    static let windowTo = D("2021-06-30")
    static let asOf = D("2021-12-31")

    static let institutions = [
        institution("20", district: "Vesterbro", line: 1),
        institution("103", district: "Amager", line: 2),
        institution("101", district: "Nørrebro", line: 3),
        institution("102", district: "Valby", line: 4),
    ]

    static let assignments = [
        assignment("101", "2019-01-01", nil, staff: "w1", line: 2),
        assignment("103", "2020-03-01", "2020-06-30", staff: "w2", line: 3),
        assignment("103", "2020-07-01", "2020-08-31", staff: "w3", line: 4),
        assignment("102", "2018-01-01", "2018-12-31", staff: "w4", line: 5),
        assignment("102", "2022-01-15", nil, staff: "w5", line: 6),
    ]

    static let enrolments = [
        // c01: at 101 since before the window, open: every window day, treatment.
        spell("c01", born: "2017-05-10", "101", "2019-08-01", nil, line: 2),
        // c02: starts before the window and ends after it: clipped to the window, control.
        spell("c02", born: "2016-02-15", "102", "2018-03-01", "2021-09-30", line: 3),
        // c03: turns 7 inside the window: 2013-03-10 + 2556 = 2020-03-09 is the last day in age.
        spell("c03", born: "2013-03-10", "101", "2015-08-01", nil, line: 4),
        // c04: 101 from 04-01 to 06-30 overlaps 102: the later indmeldt (101) wins those days.
        spell("c04", born: "2017-01-20", "102", "2019-01-01", "2020-12-31", line: 5),
        spell("c04", born: "2017-01-20", "101", "2020-04-01", "2020-06-30", line: 6),
        // c05: a tie on indmeldt: 101 wins (text order) until it ends 02-10, then 20 alone.
        spell("c05", born: "2016-11-11", "20", "2020-02-01", "2020-02-29", line: 7),
        spell("c05", born: "2016-11-11", "101", "2020-02-01", "2020-02-10", line: 8),
        // c06: at 103 the whole window; its social worker arrives 03-01 and leaves 08-31.
        spell("c06", born: "2018-06-01", "103", "2020-01-01", nil, line: 9),
        // c07: no spell at all (events only).
        // c08: enrolled from 2021-05-01 (61 window days), events before and after the window.
        spell("c08", born: "2019-01-01", "102", "2021-05-01", nil, line: 10),
        // c09: born inside the window; a notification before birth.
        spell("c09", born: "2020-06-15", "101", "2021-03-01", nil, line: 11),
        // c10: over 7 the whole window: enrolled but never exposed.
        spell("c10", born: "2012-01-01", "102", "2019-08-01", "2020-06-30", line: 12),
        // c11: its only spell names an institution not in the register: skipped, counted.
        spell("c11", born: "2018-01-01", "999", "2019-01-01", nil, line: 13),
    ]

    static let events = [
        event("S-01", "c01", born: "2017-05-10", .caseOpened, "2020-01-01", line: 2),  // first window day
        event("S-01", "c01", born: "2017-05-10", .caseClosed, "2020-06-01", reason: "flyttet", line: 3),
        event("S-01", "c01", born: "2017-05-10", .caseClosed, "2020-06-01", reason: "familien_selv", line: 4),
        event("S-02n", "c02", born: "2016-02-15", .notification, "2019-06-01", source: "sundhedspleje", line: 5),
        event("S-02", "c02", born: "2016-02-15", .caseOpened, "2021-07-01", line: 6),  // after the window
        event("S-02", "c02", born: "2016-02-15", .caseOpened, "2021-06-30", line: 7),  // last window day
        event("S-03", "c03", born: "2013-03-10", .caseOpened, "2019-10-01", line: 8),
        event("S-03", "c03", born: "2013-03-10", .measureStarted, "2020-03-09", line: 9),
        event("S-03", "c03", born: "2013-03-10", .investigationStarted, "2020-03-10", line: 10),
        event("S-04", "c04", born: "2017-01-20", .caseOpened, "2020-05-15", line: 11),
        event("S-04", "c04", born: "2017-01-20", .investigationStarted, "2021-02-01", line: 12),
        event("S-05", "c05", born: "2016-11-11", .notification, "2020-02-05", source: "daginstitution", line: 13),
        event("S-05", "c05", born: "2016-11-11", .caseOpened, "2020-02-20", line: 14),
        event("S-06", "c06", born: "2018-06-01", .caseOpened, "2020-02-29", line: 15),
        event("S-06", "c06", born: "2018-06-01", .investigationStarted, "2020-03-01", line: 16),
        event("S-06", "c06", born: "2018-06-01", .measureStarted, "2020-09-01", line: 17),
        event("S-06", "c06", born: "2018-06-01", .caseClosed, "2020-12-01", reason: "bekymring_ophoert", line: 18),
        event("S-06", "c06", born: "2018-06-01", .caseClosed, "2020-10-01", reason: "anden_sag", line: 19),
        event("S-07", "c07", born: "2015-04-04", .notification, "2019-12-31", source: "politi", line: 20),
        event("S-07", "c07", born: "2015-04-04", .caseOpened, "2020-06-01", line: 21),
        event("S-08a", "c08", born: "2019-01-01", .caseOpened, "2019-11-15", line: 22),
        event("S-08b", "c08", born: "2019-01-01", .caseOpened, "2021-05-10", line: 23),
        event("S-08b", "c08", born: "2019-01-01", .investigationStarted, "2021-06-30", line: 24),
        event("S-08b", "c08", born: "2019-01-01", .measureStarted, "2021-08-01", line: 25),
        event("S-09", "c09", born: "2020-06-15", .notification, "2020-05-01", source: "sundhedspleje", line: 26),
        event("S-09", "c09", born: "2020-06-15", .caseOpened, "2021-03-01", line: 27),
        event("S-10", "c10", born: "2012-01-01", .caseOpened, "2020-03-01", line: 28),
        event("S-10", "c10", born: "2012-01-01", .investigationStarted, "2020-09-01", line: 29),
        event("S-11", "c11", born: "2018-01-01", .notification, "2020-05-05", source: "foraeldre", line: 30),
    ]
}
