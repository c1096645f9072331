import Pipeline

/// The transform's pure core: extract's records in, fact rows out (`metrics.md`,
/// *Days, ages, windows*, *Exposure*, *First events and their attribution*).
///
/// Decisions where `metrics.md` is silent (also in docs/):
/// - An explicit end (`udmeldt`, `til`) after the as-of date is kept as written; only an
///   open end runs to the as-of date. An open spell or assignment starting after the as-of
///   date covers no day. The window is `[from, to ?? asOf]` as given, even past the as-of
///   date; a window ending before it starts is an error.
/// - `coverage.tsv` shows the union with adjacent intervals merged ([1,5] ∪ [6,9] = [1,9]),
///   then clipped to the as-of date (intervals starting after it are left out); exposure uses
///   the unclipped union, which differs only for days after the as-of date.
/// - A child's birth day is the one of its first record read (enrolments in file order,
///   then case events); records disagreeing are counted (`children.birth_conflict`), and
///   every age is `d − that birth`, negative before birth.
/// - A case's child is the child of its earliest `sag_oprettet` (same day: the lower line);
///   its closing is the latest `sag_afsluttet` of that case id (same day: the higher line),
///   whatever child it names. A case id without `sag_oprettet` has no `cases` row (counted).
/// - A spell or assignment at an institution missing from the register is skipped and
///   counted: it neither wins a day nor gives coverage, and its child is in `children.tsv`
///   only through other records. A repeated register number keeps the first entry.
/// - Events of a child with no spell are kept: `not_enrolled` in the window, else
///   `outside_window` (counted).
/// - Output orders (text compared byte-wise): institutions by number; children by key;
///   enrolments by key, from, institution, to (open last), line; coverage by institution,
///   from; exposure by key, year, cohort, institution; case events by key, day, the life
///   order of `EventType.allCases`, case id, line; first events by key, then case,
///   investigation, measure; cases by case id.
package enum Transform {
    /// Computes every fact of one extract. `window` is already resolved (`to ?? asOf`).
    package static func compute(institutions: [InstitutionRecord], assignments: [AssignmentRecord],
                               enrolments: [EnrolmentRecord], events: [CaseEventRecord],
                               window: ClosedRange<Day>, asOf: Day, period: EvaluationPeriodLength = .quarter) -> Facts {
        let register = Register(institutions)
        var spells = SpellTable(register: register)
        for e in enrolments { spells.add(e) }
        var table = EventTable()
        for e in events { table.add(e) }
        return compute(register: register, assignments: assignments, spells: consume spells, events: consume table,
                       window: window, asOf: asOf, period: period)
    }

    /// The same, with the pipeline file's window: `to` nil means the as-of date.
    package static func compute(institutions: [InstitutionRecord], assignments: [AssignmentRecord],
                               enrolments: [EnrolmentRecord], events: [CaseEventRecord],
                               windowFrom: Day, windowTo: Day?, asOf: Day,
                               period: EvaluationPeriodLength = .quarter) throws(TransformError) -> Facts {
        compute(institutions: institutions, assignments: assignments, enrolments: enrolments, events: events,
                window: try resolveWindow(from: windowFrom, to: windowTo, asOf: asOf), asOf: asOf, period: period)
    }

    /// `[from, to ?? asOf]`; a window ending before it starts is a pipeline-file mistake.
    package static func resolveWindow(from: Day, to: Day?, asOf: Day) throws(TransformError) -> ClosedRange<Day> {
        let end = to ?? asOf
        guard from <= end else { throw .windowEndsBeforeStart(from: from, to: end) }
        return from...end
    }

    /// The core. Consumes the input tables and frees each part once used: at a million
    /// children they are hundreds of megabytes that must not outlive their last use.
    static func compute(register: Register, assignments: [AssignmentRecord], spells: consuming SpellTable,
                        events table: consuming EventTable, window: ClosedRange<Day>, asOf: Day,
                        period: EvaluationPeriodLength?) -> Facts {
        let children = ChildDirectory(spells: spells.children, events: table.children)
        spells.children = ChildKeys()
        table.children = ChildKeys()
        let childCount = children.keys.count

        // Group spells and events by ranked child, and rank case ids, all at once.
        var spellInput: [EnrolmentFact] = [], eventInput: [CaseEventFact] = []
        swap(&spellInput, &spells.spells)
        swap(&eventInput, &table.events)
        var grouped = Grouped(spells: consume spellInput, events: consume eventInput, caseIDs: table.caseIDs, children: children)
        // Moved out, not copied: the in-place sorts below must not trigger a copy-on-write.
        var spellRows: [EnrolmentFact] = [], eventRows: [CaseEventFact] = []
        swap(&spellRows, &grouped.spells)
        swap(&eventRows, &grouped.events)
        let (spellStarts, eventStarts, caseOrder) = (grouped.spellStarts, grouped.eventStarts, grouped.caseOrder)

        // Coverage: open ends run to the as-of date.
        var intervals: [(institution: Int32, from: Int32, to: Int32)] = []
        intervals.reserveCapacity(assignments.count)
        var skippedAssignments = 0
        for a in assignments {
            guard let id = register.id(a.institution) else { skippedAssignments += 1; continue }
            intervals.append((id, a.from.rawValue, (a.to ?? asOf).rawValue))
        }
        let coverage = CoverageIndex(assignments: intervals, institutionCount: register.institutions.count)

        // The per-child pass, children split into ranges run on all cores.
        // No period length: no periods (a single day holds no whole year).
        let periods = EvaluationPeriods(window: period == nil ? window.lowerBound...window.lowerBound : window,
                                        length: period ?? .year)
        let context = ChildContext(births: children.births, spellStarts: spellStarts, eventStarts: eventStarts,
                                   coverage: coverage, windowFrom: window.lowerBound.rawValue,
                                   windowTo: window.upperBound.rawValue, asOf: asOf.rawValue,
                                   periods: PeriodIndex(periods), institutionCount: register.institutions.count)
        let ranges = ForkJoin.ranges(childCount, pieces: ForkJoin.cores * 8)
        // Each range sorts and attributes its own copy of its children's spells and events (a
        // range shares nothing mutable).
        let (allSpells, allEvents) = (consume spellRows, consume eventRows)
        var passes: [ChildPass] = ForkJoin.map(ranges.count) { k in
            var pass = ChildPass(context: context)
            pass.run(children: ranges[k], spells: allSpells, events: allEvents)
            return pass
        }
        _ = consume allSpells
        _ = consume allEvents
        // The ranges' rows, in order, are the whole tables: the four put together on all cores.
        let spellParts = passes.indices.map { passes[$0].takeSpells() }
        let eventParts = passes.indices.map { passes[$0].takeEvents() }
        let done = passes
        let whole = ForkJoin.map(4) { k -> WholeTable in
            switch k {
            case 0: .exposure(concatenated(done.map(\.exposure)))
            case 1: .events(concatenated(eventParts))
            case 2: .spells(concatenated(spellParts))
            default: .firstEvents(concatenated(done.map(\.firstEvents)))
            }
        }
        guard case let .exposure(exposure) = whole[0], case let .events(eventTable) = whole[1], case let .spells(spellTable) = whole[2],
              case let .firstEvents(firstEvents) = whole[3] else { fatalError("compute: order") }
        (spellRows, eventRows) = (spellTable, eventTable)
        let panel = PanelFacts.build(periods: periods, index: context.periods, accumulators: done.map(\.panel),
                                     firstEvents: firstEvents, coverage: coverage, institutions: register.institutions.count)
        let (cases, withoutOpening) = CaseRows.build(events: eventRows, caseCount: caseOrder.count)
        let (skippedCount, skipped) = (spells.skippedCount, spells.skipped)

        var counts = Tally.counts(firstEvents: firstEvents, events: eventRows, exposure: exposure)
        counts[TransformCounts.skippedAssignments] = skippedAssignments
        counts[TransformCounts.institutions] = register.institutions.count
        counts[TransformCounts.duplicateInstitutions] = register.duplicates
        counts[TransformCounts.children] = childCount
        counts[TransformCounts.birthConflicts] = children.birthConflicts
        counts[TransformCounts.skippedEnrolments] = skippedCount
        counts[TransformCounts.casesWithoutOpening] = withoutOpening
        counts[TransformCounts.repeatedEvents] = done.reduce(0) { $0 + $1.repeated.count }
        let repeatedLines = done.flatMap(\.repeated.lines).map(Int.init).sorted().prefix(ChildPass.repeatedLinesKept)
        var withoutSpell = 0, theirEvents = 0
        for c in 0..<childCount where spellStarts[c] == spellStarts[c + 1] && eventStarts[c] < eventStarts[c + 1] {
            withoutSpell += 1
            theirEvents += eventStarts[c + 1] - eventStarts[c]
        }
        counts[TransformCounts.childrenWithoutSpell] = withoutSpell
        counts[TransformCounts.eventsOfChildrenWithoutSpell] = theirEvents

        return Facts(
            institutions: register.institutions, childKeys: children.keys,
            births: children.births.map { Day(rawValue: $0) },
            caseIDs: table.caseIDs.table(in: caseOrder),
            vocabulary: (0..<table.vocabulary.count).map { table.vocabulary.string($0) },
            enrolments: spellRows, coverage: clippedCoverage(coverage, institutions: register.institutions.count, asOf: asOf),
            exposure: exposure, caseEvents: eventRows, firstEvents: firstEvents, cases: cases,
            panel: panel, counts: counts, skipped: skipped, repeatedEventLines: Array(repeatedLines))
    }

    private enum WholeTable: Sendable {
        case exposure([ExposureFact]), events([CaseEventFact]), spells([EnrolmentFact]), firstEvents([FirstEventFact])
    }

    /// The parts one after another, in one allocation.
    private static func concatenated<T>(_ parts: [[T]]) -> [T] {
        var out: [T] = []
        out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for p in parts { out.append(contentsOf: p) }
        return out
    }

    /// The coverage rows: the merged intervals, ends clipped to the as-of date.
    static func clippedCoverage(_ coverage: CoverageIndex, institutions: Int, asOf: Day) -> [CoverageFact] {
        var rows: [CoverageFact] = []
        for i in 0..<Int32(institutions) {
            for k in coverage.intervals(of: i) where coverage.from[k] <= asOf.rawValue {
                rows.append(CoverageFact(institution: i, from: Day(rawValue: coverage.from[k]),
                                         to: Day(rawValue: min(coverage.to[k], asOf.rawValue))))
            }
        }
        return rows
    }
}
