import Pipeline

/// What every child's pass reads, shared by all threads.
struct ChildContext: Sendable {
    var births: [Int32]
    /// Spells of child c are `spells[spellStarts[c]..<spellStarts[c+1]]` (events likewise).
    var spellStarts: [Int]
    var eventStarts: [Int]
    var coverage: CoverageIndex
    var windowFrom: Int32
    var windowTo: Int32
    var asOf: Int32
    var periods: PeriodIndex
    var institutionCount: Int

    /// `metrics.md`: in age while `0 ≤ d − birth < 2557`.
    static let ageLimitDays: Int32 = 2557
}

/// The work for one range of children: sorts their spells and events into output order,
/// builds each timeline, sums exposure and attributes events. Children are independent,
/// so ranges run in parallel, each on its own copy of its children's rows.
struct ChildPass {
    let context: ChildContext
    private var timeline = TimelineBuilder()
    private var pieces: [ExposureFact] = []
    private(set) var exposure: [ExposureFact] = []
    private(set) var firstEvents: [FirstEventFact] = []
    private(set) var panel: PanelAccumulator
    /// Case events that repeat an earlier one of their child exactly, and the source lines of
    /// the first few (`noteRepeats`).
    private(set) var repeated: (count: Int, lines: [Int32]) = (0, [])
    /// The range's spells and events, in output order (taken by the caller).
    private var spells: [EnrolmentFact] = []
    private var events: [CaseEventFact] = []

    init(context: ChildContext) {
        self.context = context
        panel = PanelAccumulator(index: context.periods, institutions: context.institutionCount)
    }

    /// `spells` and `events`: all children's, grouped by child (`ChildContext`'s starts).
    mutating func run(children: Range<Int>, spells allSpells: [EnrolmentFact], events allEvents: [CaseEventFact]) {
        let (starts, ends) = (children.lowerBound, children.upperBound)
        var spells = Array(allSpells[context.spellStarts[starts]..<context.spellStarts[ends]])
        var events = Array(allEvents[context.eventStarts[starts]..<context.eventStarts[ends]])
        let (spellBase, eventBase) = (context.spellStarts[starts], context.eventStarts[starts])
        spells.withUnsafeMutableBufferPointer { spells in
            events.withUnsafeMutableBufferPointer { events in
                for child in children {
                    var mine = UnsafeMutableBufferPointer(rebasing:
                        spells[(context.spellStarts[child] - spellBase)..<(context.spellStarts[child + 1] - spellBase)])
                    mine.sort(by: Self.spellOrder)
                    var theirs = UnsafeMutableBufferPointer(rebasing:
                        events[(context.eventStarts[child] - eventBase)..<(context.eventStarts[child + 1] - eventBase)])
                    theirs.sort(by: Self.eventOrder)
                    noteRepeats(theirs)
                    timeline.build(mine, asOf: context.asOf)
                    addExposure(child: Int32(child))
                    attribute(theirs, child: Int32(child))
                }
            }
        }
        self.spells = spells
        self.events = events
    }

    mutating func takeSpells() -> [EnrolmentFact] { defer { spells = [] }; return spells }
    mutating func takeEvents() -> [CaseEventFact] { defer { events = [] }; return events }

    /// Output order of a child's spells: from, institution, to (open last), line.
    static func spellOrder(_ a: EnrolmentFact, _ b: EnrolmentFact) -> Bool {
        if a.from != b.from { return a.from < b.from }
        if a.institution != b.institution { return a.institution < b.institution }
        let ta = a.to?.rawValue ?? .max, tb = b.to?.rawValue ?? .max
        if ta != tb { return ta < tb }
        return a.line < b.line
    }

    /// Output order of a child's events: day, type (a case's life order), case id, line.
    static func eventOrder(_ a: CaseEventFact, _ b: CaseEventFact) -> Bool {
        if a.day != b.day { return a.day < b.day }
        if a.type != b.type { return a.type.order < b.type.order }
        return (a.caseRef, a.line) < (b.caseRef, b.line)
    }

    /// Counts the events equal to an earlier one in all but their line (an export that wrote
    /// its records twice doubles the notifications): all are kept, as metrics.md counts every
    /// event, and the steward is told. In `eventOrder` such events are in one run of equal
    /// day, type and case.
    private mutating func noteRepeats(_ events: UnsafeMutableBufferPointer<CaseEventFact>) {
        var start = 0
        for i in events.indices.dropFirst() {
            let e = events[i], before = events[i - 1]
            guard e.day == before.day, e.type == before.type, e.caseRef == before.caseRef else { start = i; continue }
            if events[start..<i].contains(where: { $0.paragraph == e.paragraph && $0.source == e.source && $0.reason == e.reason }) {
                repeated.count += 1
                if repeated.lines.count < Self.repeatedLinesKept { repeated.lines.append(e.line) }
            }
        }
    }

    static let repeatedLinesKept = 5

    // MARK: - Exposure

    private mutating func addExposure(child: Int32) {
        let birth = context.births[Int(child)]
        let lowest = max(context.windowFrom, birth)
        let highest = min(context.windowTo, birth + ChildContext.ageLimitDays - 1)
        guard lowest <= highest else { return }
        pieces.removeAll(keepingCapacity: true)
        for s in timeline.segments {
            let a = max(s.from, lowest), b = min(s.to, highest)
            if a <= b {
                splitByCoverage(a, b, child: child, institution: s.institution)
                panel.add(a, b, institution: s.institution)
            }
        }
        panel.endChild()
        guard !pieces.isEmpty else { return }
        pieces.sort { ($0.year, $0.cohort == .treatment ? 1 : 0, $0.institution) < ($1.year, $1.cohort == .treatment ? 1 : 0, $1.institution) }
        var current = pieces[0]
        for p in pieces.dropFirst() {
            if p.year == current.year, p.cohort == current.cohort, p.institution == current.institution {
                current.days += p.days
            } else {
                exposure.append(current)
                current = p
            }
        }
        exposure.append(current)
    }

    /// Days a..b at one institution: treatment where covered, control in the gaps.
    private mutating func splitByCoverage(_ a: Int32, _ b: Int32, child: Int32, institution: Int32) {
        let cov = context.coverage
        let end = cov.intervals(of: institution).upperBound
        var k = cov.firstEnding(onOrAfter: a, of: institution)
        var p = a
        while p <= b {
            if k < end, cov.from[k] <= p {
                let q = min(cov.to[k], b)
                splitByYear(p, q, .treatment, child: child, institution: institution)
                p = q + 1
                k += 1
            } else {
                let q = k < end ? min(cov.from[k] - 1, b) : b
                splitByYear(p, q, .control, child: child, institution: institution)
                p = q + 1
            }
        }
    }

    private mutating func splitByYear(_ a: Int32, _ b: Int32, _ cohort: Cohort, child: Int32, institution: Int32) {
        var p = a
        var year = Day(rawValue: a).year
        while p <= b {
            let q = min(b, Day.january1(year + 1).rawValue - 1)
            pieces.append(ExposureFact(child: child, cohort: cohort, year: Int32(year), institution: institution, days: q - p + 1))
            p = q + 1
            year += 1
        }
    }

    // MARK: - Events

    /// The status of the child's day `day`, checked in `metrics.md`'s order.
    private func status(_ day: Int32, birth: Int32) -> Attribution {
        guard day >= context.windowFrom, day <= context.windowTo else { return .unattributed(.outsideWindow) }
        guard let s = timeline.segment(on: day) else { return .unattributed(.notEnrolled) }
        let age = day - birth
        guard age >= 0, age < ChildContext.ageLimitDays else { return .unattributed(.outOfAge) }
        let cohort: Cohort = context.coverage.isCovered(s.institution, on: day) ? .treatment : .control
        return .attributed(cohort, institution: s.institution)
    }

    private mutating func attribute(_ events: UnsafeMutableBufferPointer<CaseEventFact>, child: Int32) {
        let birth = context.births[Int(child)]
        var seen: (case: Bool, investigation: Bool, measure: Bool) = (false, false, false)
        for i in events.indices {
            let day = events[i].day.rawValue
            let attribution = status(day, birth: birth)
            events[i].ageDays = day - birth
            events[i].attribution = attribution
            // Events are in day order: the first of each kind met is the earliest.
            let kind: FirstEventKind
            switch events[i].type {
            case .caseOpened where !seen.case: kind = .case; seen.case = true
            case .investigationStarted where !seen.investigation: kind = .investigation; seen.investigation = true
            case .measureStarted where !seen.measure: kind = .measure; seen.measure = true
            default: continue
            }
            firstEvents.append(FirstEventFact(child: child, kind: kind, day: events[i].day,
                                              ageDays: day - birth, attribution: attribution))
        }
        // Output order within a child is by kind, not by day.
        let n = (seen.case ? 1 : 0) + (seen.investigation ? 1 : 0) + (seen.measure ? 1 : 0)
        if n > 1 {
            let tail = firstEvents.count - n
            firstEvents[tail...].sort { $0.kind.order < $1.kind.order }
        }
    }
}
