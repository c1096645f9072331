import Evaluation
import Foundation
import Pipeline
import Postgres

/// One metric × control group of the evaluation: its estimates, or why there are none.
struct Estimation {
    var metric: String
    var controlGroup: ControlGroup
    var outcome: Result<EvaluationResult, EvaluationError>
}

extension LoadStage {
    /// The staggered difference-in-differences of `evaluation.md` on the run's panel: every
    /// metric against both control groups, estimated here and copied into the load's rows
    /// (with the institutions left out), inside the load's transaction. A panel that cannot
    /// be estimated (no covered institution with a period before, no one to compare with…)
    /// does not fail the load: the reason is recorded for the views and the report.
    /// Returns the rows written per table.
    func loadEvaluation(_ db: Connection, run: RunFolder, loadID: Int64) throws -> [String: Int] {
        let file = try EvaluationPanelFile(path: run.file(.transform, FactFile.evaluationPanel.rawValue))
        let estimations = Self.estimate(file)
        let id = String(loadID)
        var rows: [String: Int] = [:]
        rows["did_estimations"] = try copy(db, "did_estimations (load_id, metric, control_group, estimated, reason, periods, "
            + "period_length, last_estimated_period, comparison_only_group, institutions_treated, institutions_control, "
            + "institutions_left_out, pre_treatment_mean)") { line in
            for e in estimations {
                line.start(id); line.text(e.metric); line.text(e.controlGroup.rawValue)
                switch e.outcome {
                case .success(let r):
                    line.bool(true); line.null(); line.int(r.periods); line.text(file.length?.rawValue)
                    line.int(r.lastEstimatedPeriod); line.int(r.comparisonOnlyGroup)
                    line.int(r.institutionsTreated); line.int(r.institutionsControl); line.int(r.leftOut.count)
                    line.double(r.preTreatmentMean)
                case .failure(let error):
                    line.bool(false); line.text(error.description); line.int(file.periods); line.text(file.length?.rawValue)
                    line.null(); line.null(); line.null(); line.null(); line.int(file.leftOut.count); line.null()
                }
                line.end()
            }
        }
        let results = estimations.compactMap { e in (try? e.outcome.get()).map { (e, $0) } }
        rows["did_group_time_effects"] = try copy(db, "did_group_time_effects (load_id, metric, control_group, grp, period, "
            + "base_period, att, se, treated, controls)") { line in
            for (e, r) in results {
                for c in r.groupTime {
                    line.start(id); line.text(e.metric); line.text(e.controlGroup.rawValue); line.int(c.group); line.int(c.period)
                    line.int(c.basePeriod); line.double(c.estimate.att); line.double(c.estimate.se)
                    line.int(c.treated); line.int(c.controls)
                    line.end()
                }
            }
        }
        rows["did_aggregations"] = try copy(db, "did_aggregations (load_id, metric, control_group, aggregation, event_time, "
            + "grp, grp_start, att, se, groups, institutions)") { line in
            for (e, r) in results {
                func row(_ aggregation: String, eventTime: Int? = nil, group: Int? = nil, _ estimate: Estimate,
                         groups: Int, institutions: Int) {
                    line.start(id); line.text(e.metric); line.text(e.controlGroup.rawValue); line.text(aggregation)
                    line.int(eventTime); line.int(group); line.day(group.map { file.periodStarts[$0 - 1] })
                    line.double(estimate.att); line.double(estimate.se); line.int(groups); line.int(institutions)
                    line.end()
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
            }
        }
        rows["evaluation_left_out"] = try copy(db, "evaluation_left_out (load_id, institution, grp, reason)") { line in
            for l in file.leftOut {
                line.start(id); line.text(l.number); line.int(l.group); line.text(l.reason.rawValue)
                line.end()
            }
        }
        try db.execute("ANALYZE warehouse.did_estimations, warehouse.did_group_time_effects, warehouse.did_aggregations, "
                       + "warehouse.evaluation_left_out", name: "analyze evaluation")
        return rows
    }

    /// Every metric against both control groups, in the views' order.
    static func estimate(_ file: EvaluationPanelFile) -> [Estimation] {
        EvaluationPanelFile.metrics.indices.flatMap { m in
            let panel = file.panel(metric: m)
            return ControlGroup.allCases.map { group in
                Estimation(metric: EvaluationPanelFile.metrics[m], controlGroup: group,
                           outcome: Result { () throws(EvaluationError) in try Evaluation.estimate(panel, controlGroup: group) })
            }
        }
    }

    /// The rows are few (hundreds to thousands): built in memory, then sent in one COPY.
    private func copy(_ db: Connection, _ target: String, _ rows: (inout CopyLines) -> Void) throws -> Int {
        var lines = CopyLines()
        rows(&lines)
        return try db.copyIn("COPY warehouse.\(target) FROM STDIN", name: "copy \(target.prefix { $0 != " " })") { writer in
            try writer.write(bytes: lines.bytes)
        }
    }
}

/// COPY text lines of typed fields. Doubles are written in Swift's shortest form that
/// reads back to the same value, so the warehouse holds the estimator's figures exactly.
struct CopyLines {
    private(set) var bytes: [UInt8] = []
    private var first = true

    mutating func start(_ loadID: String) { first = true; text(loadID) }

    private mutating func separate() {
        if !first { bytes.append(0x09) }
        first = false
    }

    mutating func null() { separate(); bytes.append(contentsOf: CopyText.null) }

    mutating func text(_ value: String?) {
        guard let value else { null(); return }
        separate()
        CopyText.appendEscaped(value.utf8, to: &bytes)
    }

    mutating func int(_ value: Int?) { text(value.map(String.init)) }
    mutating func bool(_ value: Bool) { text(value ? "t" : "f") }
    mutating func day(_ value: Day?) { text(value?.iso) }
    mutating func double(_ value: Double?) { text(value.map { "\($0)" }) }

    mutating func end() { bytes.append(0x0A) }
}

extension Publisher {
    /// The evaluation's per-load tables (the panel is a fact partition, dropped with the others).
    static let evaluationTables = ["warehouse.did_estimations", "warehouse.did_group_time_effects",
                                   "warehouse.did_aggregations", "warehouse.evaluation_left_out"]
}
