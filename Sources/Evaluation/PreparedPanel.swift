/// The estimated part of a panel in the estimator's layout: the institutions sorted by
/// group (never covered first, then by first covered period), outcomes period-major, so
/// every group and every comparison set is a few contiguous ranges of one period's row.
struct PreparedPanel {
    /// Estimated institutions.
    let n: Int
    /// T of the panel.
    let panelPeriods: Int
    /// The last period estimated: T, or the period before `comparisonOnlyGroup`.
    let periods: Int
    /// `y[(t − 1) × n + i]`: the outcome of sorted institution `i` in period `t`.
    let y: [Double]
    /// Institutions `0..<neverCount` are never covered (for `never_treated`, including a
    /// comparison-only group taken as never covered, as R `did` does).
    let neverCount: Int
    /// The estimated groups, ascending, with their institutions.
    let groups: [(value: Int, units: Range<Int>)]
    /// `firstAfter[t]`: the first sorted institution whose group is later than `t` (`n`
    /// if none), for `t` in `0...periods`; later-covered institutions follow it.
    let firstAfter: [Int]
    let comparisonOnlyGroup: Int?
    let leftOut: [LeftOutInstitution]

    init(_ panel: EvaluationPanel, controlGroup: ControlGroup) throws(EvaluationError) {
        let lastPeriod = panel.periods
        guard lastPeriod >= 2 else { throw .tooFewPeriods(periods: lastPeriod) }

        // Ids as bytes: a String takes canonically equivalent numbers (`Å`, `A` + ring) for one.
        var seen = Set<[UInt8]>(minimumCapacity: panel.institutions.count)
        var leftOut: [LeftOutInstitution] = []
        var kept: [(index: Int, group: Int)] = []
        kept.reserveCapacity(panel.institutions.count)
        for (index, institution) in panel.institutions.enumerated() {
            try Self.validate(institution, periods: lastPeriod)
            guard seen.insert(Array(institution.id.utf8)).inserted else { throw .duplicateInstitution(id: institution.id) }
            if let reason = LeftOutReason.of(exposureDays: institution.exposureDays, group: institution.group) {
                leftOut.append(LeftOutInstitution(id: institution.id, group: institution.group, reason: reason))
            } else {
                kept.append((index, institution.group))
            }
        }
        guard !kept.isEmpty else {
            throw .noInstitutionsEstimated(
                unbalanced: leftOut.count { $0.reason == .unbalanced },
                treatedFromFirstPeriod: leftOut.count { $0.reason == .treatedFromFirstPeriod })
        }

        var treatedGroups = Array(Set(kept.lazy.map(\.group).filter { $0 > 0 })).sorted()
        guard let latest = treatedGroups.last else { throw .noTreatedGroup(periods: lastPeriod, coveredLeftOut: leftOut.count { $0.group > 1 }) }
        // No never-covered institution: R `did` (2.5) keeps the group covered last as the
        // comparison and estimates only the periods before it; with `never_treated` that
        // group counts as never covered.
        var periods = lastPeriod
        var comparisonOnlyGroup: Int?
        if !kept.contains(where: { $0.group == 0 }) {
            guard treatedGroups.count > 1 else {
                throw .noComparisonInstitutions(group: latest, neverLeftOut: leftOut.count { $0.group == 0 })
            }
            comparisonOnlyGroup = latest
            periods = latest - 1
            treatedGroups.removeLast()
            if controlGroup == .neverTreated {
                for k in kept.indices where kept[k].group == latest { kept[k].group = 0 }
            }
        }
        let neverCount = kept.count { $0.group == 0 }
        if controlGroup == .neverTreated && neverCount < EvaluationError.minimumNeverTreated {
            throw .tooFewNeverTreated(count: neverCount)
        }

        // Never covered first, then by group; stable, so ties keep the panel's order.
        kept.sort { ($0.group, $0.index) < ($1.group, $1.index) }
        let n = kept.count
        var y = [Double](repeating: 0, count: n * periods)
        for (i, unit) in kept.enumerated() {
            let institution = panel.institutions[unit.index]
            for t in 0..<periods {
                y[t * n + i] = EvaluationPanel.outcome(
                    events: institution.events[t], exposureDays: institution.exposureDays[t])
            }
        }
        var groups: [(value: Int, units: Range<Int>)] = []
        var start = neverCount
        for g in treatedGroups {
            while kept[start].group != g { start += 1 }
            var end = start
            while end < n && kept[end].group == g { end += 1 }
            groups.append((g, start..<end))
            start = end
        }
        var firstAfter = [Int](repeating: n, count: periods + 1)
        var i = neverCount
        for t in 0...periods {
            while i < n && kept[i].group <= t { i += 1 }
            firstAfter[t] = i
        }

        self.n = n
        self.panelPeriods = lastPeriod
        self.periods = periods
        self.y = y
        self.neverCount = neverCount
        self.groups = groups
        self.firstAfter = firstAfter
        self.comparisonOnlyGroup = comparisonOnlyGroup
        self.leftOut = leftOut
    }

    private static func validate(_ institution: EvaluationPanel.Institution, periods: Int) throws(EvaluationError) {
        func fail(_ problem: String) -> EvaluationError {
            .malformedInstitution(id: institution.id, problem: problem)
        }
        guard institution.exposureDays.count == periods, institution.events.count == periods else {
            throw fail("\(institution.exposureDays.count) exposure and \(institution.events.count) event counts "
                + "for a panel of \(periods) periods")
        }
        guard (0...periods).contains(institution.group) else {
            throw fail("group \(institution.group) is not a period of the panel (1–\(periods)) nor 0 (never covered)")
        }
        if let t = institution.exposureDays.firstIndex(where: { $0 < 0 }) {
            throw fail("negative exposure days in period \(t + 1)")
        }
        if let t = institution.events.firstIndex(where: { $0 < 0 }) {
            throw fail("a negative number of events in period \(t + 1)")
        }
    }
}
