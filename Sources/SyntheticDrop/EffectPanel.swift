import Pipeline

/// What the generator knows of the evaluation panel (`evaluation.md`), per institution and
/// calendar month from the window's first to the as-of date's: exposure days of both
/// cohorts, and first cases, investigations and measures attributed there — with the
/// effect (as written) and without it. Months add up to any quarter, half-year or year, so
/// a test can rebuild the panel of any `evaluation.period` and hold the warehouse's panel
/// and estimates against it.
package struct EffectPanel: Sendable, Equatable {
    /// Institution numbers, in register order.
    package private(set) var institutions: [String] = []
    /// The month of index 0, as year × 12 + month − 1.
    package private(set) var firstMonth = 0
    package private(set) var months = 0
    /// Cell (institution i, month m) at `i × months + m`.
    package private(set) var exposureDays: [Int32] = []
    /// [metric in `DropSummary.Metric` order][cell].
    package private(set) var events: [[Int32]] = []
    package private(set) var eventsWithoutEffect: [[Int32]] = []
    /// Per institution, the days covered by a social worker (merged, open ends at the as-of date).
    package private(set) var coverage: [[ClosedRange<Int32>]] = []
    /// The first day of each month and, last, the day after the as-of date's month.
    private var monthStarts: [Int32] = []

    package init() {}

    init(daycare: Daycare, windowFrom: Day, asOf: Day) {
        institutions = daycare.institutions.map { String($0.number) }
        coverage = daycare.institutions.map(\.coverage)
        let (y, m, _) = windowFrom.civil, (ly, lm, _) = asOf.civil
        firstMonth = y * 12 + m - 1
        months = ly * 12 + lm - 1 - firstMonth + 1
        monthStarts = (0...months).map { k in
            let index = firstMonth + k
            return Day(year: index / 12, month: index % 12 + 1, day: 1)!.rawValue
        }
        exposureDays = [Int32](repeating: 0, count: institutions.count * months)
        events = [[Int32]](repeating: exposureDays, count: DropSummary.Metric.allCases.count)
        eventsWithoutEffect = events
    }

    private func month(of day: Int32) -> Int {
        var lo = 0, hi = months  // the last month starting on or before `day`
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if monthStarts[mid] <= day { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// An exposed piece's days, split by month.
    mutating func addExposure(_ p: Piece) {
        let row = Int(p.institution) * months
        var d = p.start, k = month(of: d)
        while d <= p.end {
            let last = min(p.end, monthStarts[k + 1] - 1)
            exposureDays[row + k] += last - d + 1
            d = last + 1
            k += 1
        }
    }

    /// A child's first events, attributed to the institution of their piece.
    mutating func addEvents(_ f: CaseSimulator.FirstEvents, effect: Bool) {
        let row = Int(f.piece.institution) * months
        for (metric, day) in [f.caseDay, f.investigation, f.measure].enumerated() {
            guard let day else { continue }
            if effect { events[metric][row + month(of: day.rawValue)] += 1 }
            else { eventsWithoutEffect[metric][row + month(of: day.rawValue)] += 1 }
        }
    }

    /// One institution's panel over periods.
    package struct Row: Sendable, Equatable {
        /// The first period with a covered day; 0: none (`evaluation.md`).
        package var group: Int
        package var exposureDays: [Int]
        /// [metric][period]
        package var events: [[Int]]
        package var eventsWithoutEffect: [[Int]]
    }

    /// The panel over `periods` (whole months inside the window), by institution number.
    package func rows(_ periods: EvaluationPeriods) -> [String: Row] {
        var out: [String: Row] = [:]
        let ranges: [Range<Int>] = periods.periods.map { p in
            let (y, m, _) = p.lowerBound.civil, (ly, lm, _) = p.upperBound.civil
            return (y * 12 + m - 1 - firstMonth)..<(ly * 12 + lm - firstMonth)
        }
        precondition(ranges.allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= months }, "periods outside the generated months")
        for (i, number) in institutions.enumerated() {
            func sum(_ cells: [Int32]) -> [Int] { ranges.map { r in r.reduce(0) { $0 + Int(cells[i * months + $1]) } } }
            let group = periods.span.flatMap { span in
                coverage[i].lazy.compactMap { r -> Int? in
                    let first = max(r.lowerBound, span.lowerBound.rawValue)
                    return first <= min(r.upperBound, span.upperBound.rawValue) ? periods.period(of: Day(rawValue: first)) : nil
                }.first
            } ?? 0
            out[number] = Row(group: group, exposureDays: sum(exposureDays), events: events.map(sum),
                              eventsWithoutEffect: eventsWithoutEffect.map(sum))
        }
        return out
    }
}
