/// An estimate with its analytic standard error.
package struct Estimate: Sendable, Equatable {
    package var att: Double
    /// `nil` where R `did` reports NA: a standard error of (numerically) zero, which only
    /// outcomes without any variation give.
    package var se: Double?

    package init(att: Double, se: Double?) {
        self.att = att
        self.se = se
    }

    /// The 95 % interval, `att ± 1.96 se` (`evaluation.md`).
    package var ciLow: Double? { se.map { att - 1.96 * $0 } }
    package var ciHigh: Double? { se.map { att + 1.96 * $0 } }
}

/// `ATT(g,t)`: the institutions of group `g` against the comparison institutions, from the
/// base period to period `t`.
package struct GroupTimeEffect: Sendable, Equatable {
    package var group: Int
    package var period: Int
    /// `g − 1` when `t ≥ g`, else `t − 1` (varying base period).
    package var basePeriod: Int
    package var estimate: Estimate
    /// Institutions of the group.
    package var treated: Int
    /// Comparison institutions of this cell.
    package var controls: Int

    package var isPostTreatment: Bool { period >= group }
}

/// The event study at one event time `e = t − g`.
package struct EventTimeEffect: Sendable, Equatable {
    package var eventTime: Int
    package var estimate: Estimate
    /// Groups with a cell at this event time.
    package var groups: Int
}

/// The average post-treatment effect of one group.
package struct GroupEffect: Sendable, Equatable {
    package var group: Int
    package var estimate: Estimate
    package var institutions: Int
}

/// The `dynamic` aggregation: per event time, and the average over `e ≥ 0`.
package struct DynamicAggregation: Sendable, Equatable {
    package var overall: Estimate
    package var byEventTime: [EventTimeEffect]
}

/// The `group` aggregation: per group, and the group-size weighted average.
package struct GroupAggregation: Sendable, Equatable {
    package var overall: Estimate
    package var byGroup: [GroupEffect]
}

/// Why an institution of the panel is not estimated.
package enum LeftOutReason: String, Sendable, CaseIterable {
    /// No exposure in at least one period: not in the balanced panel.
    case unbalanced
    /// Covered from period 1 (`G = 1`): no period before its worker came.
    case treatedFromFirstPeriod = "treated_from_first_period"

    /// The estimator's rule (`evaluation.md`), the one place it is written: a period without
    /// exposure, else covered from period 1; nil for an institution that is estimated. Panels
    /// that record their left-out institutions when nothing can be estimated ask it too.
    package static func of(exposureDays: [Int], group: Int) -> LeftOutReason? {
        if exposureDays.contains(where: { $0 <= 0 }) { return .unbalanced }
        return group == 1 ? .treatedFromFirstPeriod : nil
    }
}

package struct LeftOutInstitution: Sendable, Equatable {
    package var id: String
    package var group: Int
    package var reason: LeftOutReason
}

/// Everything `evaluation.md` asks for, for one metric and one control group.
package struct EvaluationResult: Sendable, Equatable {
    package var controlGroup: ControlGroup
    /// T of the panel.
    package var periods: Int
    /// The last period estimated: T, unless no institution is never covered (see
    /// `comparisonOnlyGroup`).
    package var lastEstimatedPeriod: Int
    /// Set when no estimated institution is never covered: as R `did` does, the group
    /// covered last then only serves as comparison (for `never_treated` it is taken as
    /// never covered), and periods from its first period on are not estimated.
    package var comparisonOnlyGroup: Int?

    /// Every `ATT(g,t)`, by group, then period.
    package var groupTime: [GroupTimeEffect]
    /// Post-treatment cells weighted by group size.
    package var simple: Estimate
    package var dynamic: DynamicAggregation
    package var group: GroupAggregation

    /// Institutions that enter the estimation (the balanced panel less those left out).
    package var institutionsEstimated: Int
    /// Institutions of the estimated groups.
    package var institutionsTreated: Int
    /// `never_treated`: the never-covered institutions. `not_yet_treated`: every
    /// institution that is a comparison in at least one post-treatment cell — the never
    /// covered and those covered after the first estimated group; the latter are also
    /// counted as treated.
    package var institutionsControl: Int
    /// Institutions not estimated, with their reason, in the panel's order.
    package var leftOut: [LeftOutInstitution]
    /// The treated institutions' mean outcome in their base period `g − 1`.
    package var preTreatmentMean: Double

    package func leftOutCount(_ reason: LeftOutReason) -> Int {
        leftOut.reduce(0) { $0 + ($1.reason == reason ? 1 : 0) }
    }
}
