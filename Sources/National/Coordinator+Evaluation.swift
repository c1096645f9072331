import Evaluation
import Pipeline
import Postgres

extension Coordinator {
    /// The national difference-in-differences: every metric against both control groups on
    /// the national panel (the `Evaluation` estimator, as a warehouse's load runs it), and the
    /// panel itself, into the snapshot's tables. A panel that cannot be estimated is
    /// recorded with the estimator's reason. Returns the estimations made.
    func writeEvaluation(_ panel: NationalPanel, snapshot sid: String) throws -> Int {
        let estimations = NationalPanel.metrics.indices.flatMap { m in
            let metricPanel = panel.panel(metric: m)
            return ControlGroup.allCases.map { group in
                (metric: NationalPanel.metrics[m], group: group,
                 outcome: Result { () throws(EvaluationError) in try Evaluation.estimate(metricPanel, controlGroup: group) })
            }
        }
        let leftOut = panel.leftOut
        let starts = panel.periods.periods.map(\.lowerBound)

        try copy("did_estimations (snapshot_id, metric, control_group, estimated, reason, periods, last_estimated_period, "
                 + "comparison_only_group, institutions_treated, institutions_control, institutions_left_out, pre_treatment_mean)") { rows in
            for e in estimations {
                switch e.outcome {
                case .success(let r):
                    rows.append([sid, e.metric, e.group.rawValue, "t", nil, String(r.periods), String(r.lastEstimatedPeriod),
                                 r.comparisonOnlyGroup.map(String.init), String(r.institutionsTreated), String(r.institutionsControl),
                                 String(r.leftOut.count), "\(r.preTreatmentMean)"])
                case .failure(let error):
                    rows.append([sid, e.metric, e.group.rawValue, "f", error.description, String(panel.periods.count), nil, nil,
                                 nil, nil, String(leftOut.count), nil])
                }
            }
        }
        let results = estimations.compactMap { e in (try? e.outcome.get()).map { (e.metric, e.group, $0) } }
        try copy("did_group_time_effects (snapshot_id, metric, control_group, grp, period, base_period, att, se, treated, controls)") { rows in
            for (metric, group, r) in results {
                for c in r.groupTime {
                    rows.append([sid, metric, group.rawValue, String(c.group), String(c.period), String(c.basePeriod),
                                 "\(c.estimate.att)", c.estimate.se.map { "\($0)" }, String(c.treated), String(c.controls)])
                }
            }
        }
        try copy("did_aggregations (snapshot_id, metric, control_group, aggregation, event_time, grp, grp_start, att, se, groups, institutions)") { rows in
            for (metric, group, r) in results {
                func row(_ aggregation: String, eventTime: Int? = nil, group g: Int? = nil, _ estimate: Estimate, groups: Int, institutions: Int) {
                    rows.append([sid, metric, group.rawValue, aggregation, eventTime.map(String.init), g.map(String.init),
                                 g.map { starts[$0 - 1].iso }, "\(estimate.att)", estimate.se.map { "\($0)" }, String(groups),
                                 String(institutions)])
                }
                let groups = r.group.byGroup.count
                row("simple", r.simple, groups: groups, institutions: r.institutionsTreated)
                row("dynamic", r.dynamic.overall, groups: groups, institutions: r.institutionsTreated)
                for t in r.dynamic.byEventTime {
                    let behind = r.groupTime.reduce(0) { $0 + ($1.period - $1.group == t.eventTime ? $1.treated : 0) }
                    row("dynamic", eventTime: t.eventTime, t.estimate, groups: t.groups, institutions: behind)
                }
                row("group", r.group.overall, groups: groups, institutions: r.institutionsTreated)
                for g in r.group.byGroup {
                    row("group", group: g.group, g.estimate, groups: 1, institutions: g.institutions)
                }
            }
        }
        try copy("evaluation_left_out (snapshot_id, municipality, institution, grp, reason)") { rows in
            for (i, reason) in leftOut {
                rows.append([sid, i.municipality, i.number, String(i.group), reason.rawValue])
            }
        }
        try copy("evaluation_panel (snapshot_id, municipality, institution, period, period_start, grp, exposure_days, children, "
                 + "detected, investigated, measured)") { rows in
            for i in panel.institutions {
                for p in starts.indices {
                    rows.append([sid, i.municipality, i.number, String(p + 1), starts[p].iso, String(i.group),
                                 String(i.exposureDays[p]), String(i.children[p]), String(i.events[0][p]),
                                 String(i.events[1][p]), String(i.events[2][p])])
                }
            }
        }
        return results.count
    }

    /// Rows built in memory (thousands at most), sent in one COPY into `snapshot.<target>`.
    /// Doubles are in Swift's shortest form that reads back to the same value, so the snapshot
    /// holds the estimator's figures exactly.
    private func copy(_ target: String, _ build: (inout [[String?]]) -> Void) throws {
        var rows: [[String?]] = []
        build(&rows)
        guard !rows.isEmpty else { return }
        var bytes: [UInt8] = []
        for row in rows {
            for (k, field) in row.enumerated() {
                if k > 0 { bytes.append(0x09) }
                if let field { CopyText.appendEscaped(field.utf8, to: &bytes) } else { bytes.append(contentsOf: CopyText.null) }
            }
            bytes.append(0x0A)
        }
        try db.copyIn("COPY snapshot.\(target) FROM STDIN", name: "copy \(target.prefix { $0 != " " })") { writer in
            try writer.write(bytes: bytes)
        }
    }
}
