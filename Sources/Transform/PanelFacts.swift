import Pipeline

/// The evaluation panel (`evaluation.md`, *The panel*): for every institution of the
/// register and every period 1...T, the exposure days of both cohorts on days of the
/// period at the institution, the children they belong to, and the first cases,
/// investigations and measures attributed to it on those days; and per institution its
/// group, the first period holding a covered day (0: none).
package struct PanelFacts: Sendable, Equatable {
    package var periods: EvaluationPeriods
    /// Per institution id.
    package var groups: [Int32]
    /// Cell (institution i, period p) is at `i × T + p − 1`.
    package var exposureDays: [Int32]
    /// Distinct children with an exposure day in the cell (for the small-cell rule).
    package var children: [Int32]
    /// Per `FirstEventKind` in output order: first events attributed in the cell.
    package var events: [[Int32]]

    package func cell(_ institution: Int32, _ period: Int) -> Int { Int(institution) * periods.count + period - 1 }
}

/// Period boundaries as raw days, for the per-child pass: period k (0-based) is
/// `starts[k] ..< starts[k + 1]`. Periods are consecutive, so T + 1 numbers say it all.
struct PeriodIndex: Sendable {
    let starts: [Int32]

    init(_ periods: EvaluationPeriods) {
        starts = periods.periods.map(\.lowerBound.rawValue) + (periods.periods.last.map { [$0.upperBound.rawValue + 1] } ?? [])
    }

    var count: Int { max(0, starts.count - 1) }

    /// The 0-based period holding `day`, if any.
    func period(of day: Int32) -> Int? {
        guard count > 0, day >= starts[0], day < starts[count] else { return nil }
        var lo = 0, hi = count  // the last start ≤ day
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if starts[mid] <= day { lo = mid } else { hi = mid }
        }
        return lo
    }
}

/// One pass's share of the panel: exposure days and children per cell for its children.
/// Dense (institutions × T, 8 bytes a cell): at national scale about 1 MB a pass.
struct PanelAccumulator {
    let index: PeriodIndex
    var days: [Int32]
    var children: [Int32]
    /// The period of the current child's latest cell, and the cells of that period it has:
    /// a child's days come in time order, so a cell can only repeat in that period (a child
    /// moving away and back within one quarter).
    private var frontier = -1
    private var frontierCells: [Int] = []

    init(index: PeriodIndex, institutions: Int) {
        self.index = index
        days = [Int32](repeating: 0, count: index.count == 0 ? 0 : institutions * index.count)
        children = days
    }

    /// Exposure days `a...b` of one child at `institution`; calls for one child in time order.
    mutating func add(_ a: Int32, _ b: Int32, institution: Int32) {
        let t = index.count
        guard t > 0 else { return }
        var p = max(a, index.starts[0])
        let end = min(b, index.starts[t] - 1)
        guard p <= end, var k = index.period(of: p) else { return }
        let row = Int(institution) * t
        while p <= end {
            let q = min(end, index.starts[k + 1] - 1)
            let cell = row + k
            days[cell] += q - p + 1
            if k != frontier {
                frontier = k
                frontierCells.removeAll(keepingCapacity: true)
            }
            if !frontierCells.contains(cell) {
                frontierCells.append(cell)
                children[cell] += 1
            }
            p = q + 1
            k += 1
        }
    }

    /// The next child starts.
    mutating func endChild() {
        frontier = -1
        frontierCells.removeAll(keepingCapacity: true)
    }
}

extension PanelFacts {
    /// Sums the passes' accumulators, places the attributed first events and finds each
    /// institution's group from its coverage.
    static func build(periods: EvaluationPeriods, index: PeriodIndex, accumulators: [PanelAccumulator],
                      firstEvents: [FirstEventFact], coverage: CoverageIndex, institutions: Int) -> PanelFacts {
        let t = index.count
        let cells = t == 0 ? 0 : institutions * t
        var days = [Int32](repeating: 0, count: cells), children = days
        for a in accumulators where !a.days.isEmpty {
            for c in 0..<cells {
                days[c] += a.days[c]
                children[c] += a.children[c]
            }
        }
        var events = [[Int32]](repeating: [Int32](repeating: 0, count: cells), count: FirstEventKind.allCases.count)
        for e in firstEvents {
            guard let institution = e.attribution.institution, let k = index.period(of: e.day.rawValue) else { continue }
            events[e.kind.order][Int(institution) * t + k] += 1
        }
        var groups = [Int32](repeating: 0, count: institutions)
        if t > 0 {
            let first = index.starts[0], last = index.starts[t] - 1
            for i in 0..<Int32(institutions) {
                // Absorbing: the first covered day in the periods decides, whatever follows.
                let k = coverage.firstEnding(onOrAfter: first, of: i)
                guard k < coverage.intervals(of: i).upperBound, coverage.from[k] <= last else { continue }
                groups[Int(i)] = Int32(index.period(of: max(coverage.from[k], first))! + 1)
            }
        }
        return PanelFacts(periods: periods, groups: groups, exposureDays: days, children: children, events: events)
    }
}
