import Evaluation
import Foundation
import Pipeline
import Postgres

extension LoadStage {
    /// The staggered difference-in-differences of `evaluation.md` on the run's panel: every
    /// metric against both control groups, estimated here and copied into the load's rows
    /// (with the institutions left out), inside the load's transaction. A panel that cannot
    /// be estimated (no covered institution with a period before, no one to compare with…)
    /// does not fail the load: the reason is recorded for the views and the report.
    /// Returns the rows written per table.
    func loadEvaluation(_ db: Connection, _ evaluation: PanelEstimates, loadID: Int64) throws -> [String: Int] {
        let (file, estimations) = (evaluation.file, evaluation.estimations)
        let id = String(loadID), length = file.length?.rawValue
        let starts = file.periodStarts.map(\.iso)
        var rows: [String: Int] = [:]
        rows["did_estimations"] = try copy(db, "did_estimations (load_id, period_length, metric, control_group, estimated, reason, "
            + "periods, last_estimated_period, comparison_only_group, institutions_treated, institutions_control, "
            + "institutions_left_out, pre_treatment_mean, reason_code)",
            estimations.map { e in
                let code: String? = if case .failure(let error) = e.outcome { error.code } else { nil }
                return [id, length] + e.estimationRow(periods: file.periods, leftOut: file.leftOut.count) + [code]
            })
        rows["did_group_time_effects"] = try copy(db, "did_group_time_effects (load_id, metric, control_group, grp, period, "
            + "base_period, att, se, treated, controls)", estimations.flatMap { $0.groupTimeRows.map { [id] + $0 } })
        rows["did_aggregations"] = try copy(db, "did_aggregations (load_id, metric, control_group, aggregation, event_time, "
            + "grp, grp_start, att, se, groups, institutions)",
            estimations.flatMap { $0.aggregationRows(periodStarts: starts).map { [id] + $0 } })
        rows["evaluation_left_out"] = try copy(db, "evaluation_left_out (load_id, institution, grp, reason)",
                                               file.leftOut.map { [id, $0.number, String($0.group), $0.reason.rawValue] })
        // The views pick the published load's rows by load_id: its statistics are what their plans
        // need. Of every column, they cost 56–84 ms a load (the tables hold every kept load's rows).
        try db.execute("ANALYZE " + Publisher.evaluationTables.map { "\($0) (load_id)" }.joined(separator: ", "),
                       name: "analyze evaluation")
        return rows
    }

    /// The run's panel, read and estimated (while the fact files are being copied).
    static func estimate(_ run: RunFolder) throws -> PanelEstimates {
        let started = Date()
        let file = try EvaluationPanelFile(path: run.file(.transform, FactFile.evaluationPanel.rawValue))
        return PanelEstimates(file: file, estimations: estimate(file), seconds: Date().timeIntervalSince(started))
    }

    /// Every metric against both control groups, in the views' order.
    static func estimate(_ file: EvaluationPanelFile) -> [Estimation] {
        Estimation.all { file.panel(metric: $0) }
    }

    /// The rows are few (hundreds to thousands): built in memory, then sent in one COPY.
    private func copy(_ db: Connection, _ target: String, _ rows: [[String?]]) throws -> Int {
        let bytes = CopyText.records(rows)
        return try db.copyIn("COPY warehouse.\(target) FROM STDIN", name: "copy \(target.prefix { $0 != " " })") { writer in
            try writer.write(bytes: bytes)
        }
    }
}

/// A run's panel and its estimates, before they are copied into the load.
struct PanelEstimates: Sendable {
    var file: EvaluationPanelFile
    var estimations: [Estimation]
    /// Reading the panel and estimating.
    var seconds: Double
}
