import Pipeline
import TestSupport
import Testing
@testable import Transform

/// Random small extracts: the interval algorithm must agree with the day-by-day reference.
@Suite struct PropertyTests {
    /// Short numbers whose text order differs from their numeric order.
    static let numbers = ["1", "10", "101", "2", "20", "9", "100"]

    struct Input {
        var institutions: [InstitutionRecord] = []
        var assignments: [AssignmentRecord] = []
        var enrolments: [EnrolmentRecord] = []
        var events: [CaseEventRecord] = []
        var window: ClosedRange<Day>
        var asOf: Day
    }

    static func randomInput(seed: UInt64) -> Input {
        var rng = SplitMix64(seed: seed)
        func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
        func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

        let from = D("2019-01-01") + Int32(int(0...365))
        let asOf = from + Int32(int(365...1100))
        // Mostly the as-of date; sometimes earlier, sometimes (oddly) after it.
        let to = chance(0.5) ? asOf : from + Int32(int(300...(Int(asOf - from) + 120)))
        var input = Input(window: from...to, asOf: asOf)
        var line = 1
        func next() -> Int { line += 1; return line }

        let numbers = Array(numbers.shuffled(using: &rng).prefix(int(1...4)))
        for n in numbers { input.institutions.append(institution(n, district: "D\(n)", line: next())) }
        // Sometimes a name no register has: must be skipped, not crash.
        func someInstitution() -> String { chance(0.05) ? "999" : numbers[int(0...(numbers.count - 1))] }
        func someDay(around lo: Day, _ hi: Day) -> Day {
            // A coarse grid makes ties on indmeldt and adjacent intervals common.
            let span = Int(hi - lo) + 400
            return lo - 200 + Int32(chance(0.5) ? int(0...(span / 30)) * 30 : int(0...span))
        }
        for _ in 0..<int(0...4) {
            let f = someDay(around: from, to)
            input.assignments.append(assignment(someInstitution(), f.iso, chance(0.3) ? nil : (f + Int32(int(-2...400))).iso,
                                                staff: "w\(line)", line: next()))
        }
        for c in 0..<int(1...5) {
            let key = String(format: "%02x%08x", c, UInt32.random(in: 0...UInt32.max, using: &rng))
            // From well over 7 at the window's start to born inside it.
            let born = (from - Int32(int(0...3200)) + Int32(int(0...500))).iso
            for _ in 0..<int(0...4) {
                let f = someDay(around: from, to)
                let end: String? = chance(0.3) ? nil : (f + Int32(int(0...700))).iso
                input.enrolments.append(spell(key, born: born, someInstitution(), f.iso, end, line: next()))
            }
            let cases = ["S-\(key)-1", "S-\(key)-2", "S-shared"]
            // Boundaries where off-by-one mistakes live: the 7th birthday, the window's and
            // the as-of date's edges, and the child's spell ends.
            let bornDay = D(born)
            var edges = [bornDay + 2556, bornDay + 2557, bornDay - 1, from, from - 1, to, to + 1, asOf, asOf + 1]
            for s in input.enrolments where s.childKey == key { edges += [s.from, s.from - 1, s.to ?? asOf, (s.to ?? asOf) + 1] }
            for _ in 0..<int(0...6) {
                let type = EventType.allCases[int(0...(EventType.allCases.count - 1))]
                let day = (chance(0.4) ? edges[int(0...(edges.count - 1))] : someDay(around: from, to)).iso
                input.events.append(event(cases[int(0...2)], key, born: born, type, day,
                                          reason: type == .caseClosed ? ["flyttet", "andet"][int(0...1)] : nil, line: next()))
            }
        }
        return input
    }

    @Test(arguments: 0..<300)
    func intervalsAgreeWithDayByDay(seed: Int) {
        let input = Self.randomInput(seed: UInt64(seed) &* 7919 &+ 17)
        let length = EvaluationPeriodLength.allCases[seed % 3]
        let facts = Transform.compute(institutions: input.institutions, assignments: input.assignments,
                                      enrolments: input.enrolments, events: input.events,
                                      window: input.window, asOf: input.asOf, period: length)
        let reference = ReferenceModel(institutions: input.institutions, assignments: input.assignments,
                                       enrolments: input.enrolments, events: input.events,
                                       window: input.window, asOf: input.asOf)

        var exposure: [String: Int] = [:]
        for line in facts.exposureLines {
            let parts = line.split(separator: " ")
            #expect(exposure[parts.dropLast().joined(separator: " ")] == nil, "one row per key")
            exposure[parts.dropLast().joined(separator: " ")] = Int(parts.last!)!
        }
        #expect(exposure == reference.exposure, "seed \(seed)")
        #expect(Set(facts.firstEventLines) == reference.firstEvents, "seed \(seed)")
        #expect(facts.firstEventLines.count == reference.firstEvents.count)
        #expect(facts.caseEventStatus == reference.caseEventStatus, "seed \(seed)")
        #expect(Set(facts.caseLines) == reference.cases, "seed \(seed)")
        #expect(facts.caseLines.count == reference.cases.count)

        let periods = EvaluationPeriods(window: input.window, length: length)
        let panel = reference.panel(periods)
        #expect(facts.panel.periods == periods)
        #expect(facts.panelCells.groups == panel.groups, "seed \(seed)")
        #expect(facts.panelCells.cells == panel.cells, "seed \(seed) \(length)")
    }
}
