/// One metric × control group of an evaluation: its estimates, or why there are none.
package struct Estimation: Sendable {
    package var metric: String
    package var controlGroup: ControlGroup
    package var outcome: Result<EvaluationResult, EvaluationError>

    /// The evaluation's outcomes, as the warehouse names them, in the views' order and the
    /// panel files' column order (a municipality's and the national one).
    package static let metrics = ["detection", "investigation", "measure"]

    /// Every metric (`panel(m)` its panel) against both control groups, in the views' order.
    package static func all(panel: (Int) -> EvaluationPanel) -> [Estimation] {
        metrics.indices.flatMap { m in
            let metricPanel = panel(m)
            return ControlGroup.allCases.map { group in
                Estimation(metric: metrics[m], controlGroup: group,
                           outcome: Result { () throws(EvaluationError) in try Evaluation.estimate(metricPanel, controlGroup: group) })
            }
        }
    }
}

/// The estimates as rows of the tables a warehouse's load and the national snapshot share
/// (`did_estimations`, `did_group_time_effects`, `did_aggregations`), fields after the
/// table's key columns, nil for NULL. Doubles are in Swift's shortest form that reads back
/// to the same value, so the tables hold the estimator's figures exactly.
extension Estimation {
    /// metric, control_group, estimated, reason, periods, last_estimated_period,
    /// comparison_only_group, institutions_treated, institutions_control,
    /// institutions_left_out, pre_treatment_mean. `periods` and `leftOut`: the panel's, for
    /// an estimation that failed.
    package func estimationRow(periods: Int, leftOut: Int) -> [String?] {
        let head = [metric, controlGroup.rawValue]
        switch outcome {
        case .success(let r):
            return head + ["t", nil, String(r.periods), String(r.lastEstimatedPeriod), r.comparisonOnlyGroup.map(String.init),
                           String(r.institutionsTreated), String(r.institutionsControl), String(r.leftOut.count),
                           "\(r.preTreatmentMean)"]
        case .failure(let error):
            return head + ["f", error.description, String(periods), nil, nil, nil, nil, String(leftOut), nil]
        }
    }

    /// metric, control_group, grp, period, base_period, att, se, treated, controls.
    package var groupTimeRows: [[String?]] {
        guard case .success(let r) = outcome else { return [] }
        return r.groupTime.map { c in
            [metric, controlGroup.rawValue, String(c.group), String(c.period), String(c.basePeriod), "\(c.estimate.att)",
             c.estimate.se.map { "\($0)" }, String(c.treated), String(c.controls)]
        }
    }

    /// metric, control_group, aggregation, event_time, grp, grp_start, att, se, groups,
    /// institutions. `periodStarts`: the first day of each period (ISO), for `grp_start`.
    package func aggregationRows(periodStarts: [String]) -> [[String?]] {
        guard case .success(let r) = outcome else { return [] }
        var rows: [[String?]] = []
        func row(_ aggregation: String, eventTime: Int? = nil, group: Int? = nil, _ estimate: Estimate, groups: Int, institutions: Int) {
            rows.append([metric, controlGroup.rawValue, aggregation, eventTime.map(String.init), group.map(String.init),
                         group.map { periodStarts[$0 - 1] }, "\(estimate.att)", estimate.se.map { "\($0)" }, String(groups),
                         String(institutions)])
        }
        let groups = r.group.byGroup.count
        row("simple", r.simple, groups: groups, institutions: r.institutionsTreated)
        row("dynamic", r.dynamic.overall, groups: groups, institutions: r.institutionsTreated)
        for t in r.dynamic.byEventTime {
            // The institutions behind an event time: those of the groups with a cell there.
            let behind = r.groupTime.reduce(0) { $0 + ($1.period - $1.group == t.eventTime ? $1.treated : 0) }
            row("dynamic", eventTime: t.eventTime, t.estimate, groups: t.groups, institutions: behind)
        }
        row("group", r.group.overall, groups: groups, institutions: r.institutionsTreated)
        for g in r.group.byGroup {
            row("group", group: g.group, g.estimate, groups: 1, institutions: g.institutions)
        }
        return rows
    }
}
