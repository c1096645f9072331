import Evaluation
import Pipeline

/// The national evaluation panel (docs/decisions.md, "National figures"): the union of the
/// municipalities' panels on one calendar.
///
/// - **Periods.** One length for the nation (the national file's `evaluation.period`); a
///   municipality whose panel has another length, or none, is left out of the
///   difference-in-differences (its other figures stay). The national periods are the
///   calendar periods every remaining municipality has whole: from the latest first period
///   to the earliest last one, numbered 1…T.
/// - **Groups** are carried over by date: the national period that starts on the day the
///   institution's own group period starts; a group before the national period 1 is 1
///   (covered before the national panel begins: no period before), one after T is 0 (not
///   covered within the national periods).
/// - **Units** are institutions keyed by municipality (`code:number`), in that order.
package struct NationalPanel: Sendable, Equatable {
    package var periods: EvaluationPeriods
    package var institutions: [Institution]

    package init(periods: EvaluationPeriods, institutions: [Institution]) {
        self.periods = periods
        self.institutions = institutions
    }

    package struct Institution: Sendable, Equatable {
        package var municipality: String
        package var code: String
        package var number: String
        package var group: Int
        package var exposureDays: [Int]
        package var children: [Int]
        /// [metric][period], metrics in `Estimation.metrics` order.
        package var events: [[Int]]

        package init(municipality: String, code: String, number: String, group: Int, exposureDays: [Int], children: [Int],
                     events: [[Int]]) {
            self.municipality = municipality; self.code = code; self.number = number; self.group = group
            self.exposureDays = exposureDays; self.children = children; self.events = events
        }

        package var id: String { "\(code):\(number)" }
    }

    /// One institution's rows of a feed's panel within the national periods, in period order.
    package struct FeedRows: Sendable, Equatable {
        package var municipality: String
        package var code: String
        package var institution: String
        /// First day of the institution's own group period; nil for group 0.
        package var groupStart: Day?
        package var periodStarts: [Day]
        package var exposureDays: [Int]
        package var children: [Int]
        package var events: [[Int]]

        package init(municipality: String, code: String, institution: String, groupStart: Day?, periodStarts: [Day],
                     exposureDays: [Int], children: [Int], events: [[Int]]) {
            self.municipality = municipality; self.code = code; self.institution = institution
            self.groupStart = groupStart; self.periodStarts = periodStarts; self.exposureDays = exposureDays
            self.children = children; self.events = events
        }
    }

    /// The national periods for municipalities whose panels have `length` and span
    /// `first...last` (the first day of their first period, the last day of their last).
    package static func periods(_ spans: [ClosedRange<Day>], length: EvaluationPeriodLength) -> EvaluationPeriods {
        guard let first = spans.map(\.lowerBound).max(), let last = spans.map(\.upperBound).min(), first <= last else {
            // A window of one day holds no whole period: none.
            return EvaluationPeriods(window: Day(rawValue: 0)...Day(rawValue: 0), length: length)
        }
        return EvaluationPeriods(window: first...last, length: length)
    }

    /// The national group of an institution whose own group period starts on `groupStart`.
    package static func group(groupStart: Day?, in periods: EvaluationPeriods) -> Int? {
        guard let groupStart, let span = periods.span else { return 0 }
        if groupStart < span.lowerBound { return 1 }
        if groupStart > span.upperBound { return 0 }
        guard let p = periods.period(of: groupStart), periods[p].lowerBound == groupStart else { return nil }
        return p
    }

    package init(_ rows: [FeedRows], periods: EvaluationPeriods) throws {
        self.periods = periods
        let starts = periods.periods.map(\.lowerBound)
        var seen = Set<[UInt8]>()   // bytes, as the snapshot's key compares them
        institutions = try rows.map { r in
            // A feed made by etl gives an institution one group; `panelQuery` groups by institution
            // and group, so rows of two groups are not one institution's.
            guard seen.insert(Array("\(r.code):\(r.institution)".utf8)).inserted else {
                throw NationalError.malformedFeed(municipality: r.municipality, problem: "institution \(r.institution) has panel rows of more than one group")
            }
            guard r.periodStarts == starts, r.exposureDays.count == starts.count, r.children.count == starts.count,
                  r.events.count == Estimation.metrics.count, r.events.allSatisfy({ $0.count == starts.count }) else {
                throw NationalError.malformedFeed(municipality: r.municipality, problem:
                    "institution \(r.institution) has periods \(r.periodStarts.map(\.iso).joined(separator: ",")) in the national span, not \(starts.map(\.iso).joined(separator: ","))")
            }
            // As a check before the read could be answered otherwise, the rows read are held to it:
            // negative days made the estimates "not estimated" for the whole country (an adversarial review).
            guard (r.exposureDays + r.children + r.events.joined()).allSatisfy({ $0 >= 0 }) else {
                throw NationalError.malformedFeed(municipality: r.municipality, problem: "institution \(r.institution) has negative counts in its panel")
            }
            guard let group = Self.group(groupStart: r.groupStart, in: periods) else {
                throw NationalError.malformedFeed(municipality: r.municipality, problem:
                    "institution \(r.institution)'s group starts \(r.groupStart?.iso ?? "-"), which begins no national \(periods.length.rawValue)")
            }
            return Institution(municipality: r.municipality, code: r.code, number: r.institution, group: group,
                               exposureDays: r.exposureDays, children: r.children, events: r.events)
        }
        // In byte order, as transform orders a municipality's: the estimator's sums then add in one order.
        .sorted { $0.code != $1.code ? $0.code < $1.code : $0.number.utf8.lexicographicallyPrecedes($1.number.utf8) }
    }

    /// The estimator's panel of one metric (index into `Estimation.metrics`).
    package func panel(metric: Int) -> EvaluationPanel {
        EvaluationPanel(periods: periods.count, institutions: institutions.map {
            .init(id: $0.id, group: $0.group, exposureDays: $0.exposureDays, events: $0.events[metric])
        })
    }

    /// The institutions not estimated, whatever the metric or control group: the
    /// estimator's rule, so the reasons are recorded when nothing can be estimated.
    package var leftOut: [(institution: Institution, reason: LeftOutReason)] {
        institutions.compactMap { i in LeftOutReason.of(exposureDays: i.exposureDays, group: i.group).map { (i, $0) } }
    }
}
