import Evaluation
import Pipeline
import Postgres

extension Coordinator {
    /// The national difference-in-differences: every metric against both control groups on
    /// the national panel (the `Evaluation` estimator, as a warehouse's load runs it), and the
    /// panel itself, into the snapshot's tables. A panel that cannot be estimated is
    /// recorded with the estimator's reason. Returns the estimations made.
    func writeEvaluation(_ panel: NationalPanel, snapshot sid: String) throws -> Int {
        let estimations = Estimation.all { panel.panel(metric: $0) }
        let leftOut = panel.leftOut
        let starts = panel.periods.periods.map(\.lowerBound)

        try copy("did_estimations (snapshot_id, metric, control_group, estimated, reason, periods, last_estimated_period, "
                 + "comparison_only_group, institutions_treated, institutions_control, institutions_left_out, pre_treatment_mean)",
                 estimations.map { [sid] + $0.estimationRow(periods: panel.periods.count, leftOut: leftOut.count) })
        try copy("did_group_time_effects (snapshot_id, metric, control_group, grp, period, base_period, att, se, treated, controls)",
                 estimations.flatMap { $0.groupTimeRows.map { [sid] + $0 } })
        try copy("did_aggregations (snapshot_id, metric, control_group, aggregation, event_time, grp, grp_start, att, se, groups, institutions)",
                 estimations.flatMap { $0.aggregationRows(periodStarts: starts.map(\.iso)).map { [sid] + $0 } })
        try copy("evaluation_left_out (snapshot_id, municipality, institution, grp, reason)",
                 leftOut.map { i, reason in [sid, i.municipality, i.number, String(i.group), reason.rawValue] })
        try copy("evaluation_panel (snapshot_id, municipality, institution, period, period_start, grp, exposure_days, children, "
                 + "detected, investigated, measured)",
                 panel.institutions.flatMap { i in
                     starts.indices.map { p in
                         [sid, i.municipality, i.number, String(p + 1), starts[p].iso, String(i.group), String(i.exposureDays[p]),
                          String(i.children[p]), String(i.events[0][p]), String(i.events[1][p]), String(i.events[2][p])]
                     }
                 })
        return estimations.count { (try? $0.outcome.get()) != nil }
    }

    /// Rows built in memory (thousands at most), sent in one COPY into `snapshot.<target>`.
    private func copy(_ target: String, _ rows: [[String?]]) throws {
        guard !rows.isEmpty else { return }
        let bytes = CopyText.records(rows)
        try db.copyIn("COPY snapshot.\(target) FROM STDIN", name: "copy \(target.prefix { $0 != " " })") { writer in
            try writer.write(bytes: bytes)
        }
    }
}
