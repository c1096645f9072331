import Foundation
import Logging
import Pipeline
import Postgres
import SyntheticDrop

/// `etl demo`: a synthetic municipality through the whole pipeline into the embedded
/// warehouse, and the treatment/control comparison read back from `metrics`.
///
/// It has a state directory of its own (`defaultState`), and refuses a state directory or
/// warehouse that holds a real pipeline's runs: synthetic figures must never be published
/// over a municipality's.
package struct Demo {
    package var state: StateLayout
    package var children: Int
    package var seed: UInt64
    package var asOf: Day
    package var logger: Logger
    /// A warehouse named with `--database`; nil: the embedded one in the demo's state directory.
    package var database: String?

    /// `./.etl-demo`: never the steward's state directory (`ETL_STATE_DIR`).
    package static let defaultState = ".etl-demo"

    package init(state: StateLayout, children: Int, seed: UInt64, asOf: Day, logger: Logger, database: String? = nil) {
        self.state = state; self.children = children; self.seed = seed; self.asOf = asOf; self.logger = logger
        self.database = database
    }

    package func run() throws -> String {
        let config = try PipelineConfig.load(path: try ShippedFiles.pipeline("copenhagen"))
        let target = WarehouseTarget(url: database, state: state)
        var runner = PipelineRunner(config: config, state: state, target: target, logger: logger)
        runner.demo = true
        try runner.checkStateDirectoryForDemo()
        let drop = state.root.appendingPathComponent("demo/inbox/\(asOf.iso)", isDirectory: true)
        let t0 = Date()
        let summary = try DropGenerator(.init(children: children, seed: seed, asOf: asOf, windowFrom: config.windowFrom))
            .write(to: drop)
        logger.info("generated a synthetic drop", metadata: [
            "drop": "\(drop.path)", "children": "\(summary.children)", "institutions": "\(summary.institutions)",
            "events": "\(summary.events)", "seconds": "\(String(format: "%.1f", Date().timeIntervalSince(t0)))"])

        let result = try runner.runNew(drop: drop, inbox: nil, force: true, asOf: asOf)
        let db = try target.connect(logger: logger, migrate: false)
        return result.line + "\n\n" + (try ComparisonReport(connection: db).render())
            + "\n" + (try CausalReport(connection: db).render(controlGroup: config.evaluation.controlGroup.rawValue))
            + "\nThe synthetic drop was made so (the truth the estimates can be held against):\n" + summary.injectedEffect
            + "\n\nQuery the warehouse: psql '\(target.psqlURL)'\n"
            + (result.report.map { "The committee's report: \($0)\n" } ?? "The committee's report was not written: \(result.reportError ?? "")\n")
    }
}

/// The comparison table of `metrics.cohort_comparison` and the cohorts' sizes, as text.
package struct ComparisonReport {
    package let connection: Connection

    package init(connection: Connection) { self.connection = connection }

    package func render() throws -> String {
        let cohorts = try connection.query("""
            SELECT cohort, children_exposed, round(child_years::numeric, 1), detected, investigated, measured
            FROM metrics.cohort_summary ORDER BY cohort DESC
            """, name: "cohort sizes")
        var out = Table.render(header: ["cohort", "children", "child-years", "first case", "first § 50", "first measure"],
                               rows: cohorts.map { row in (0..<6).map { row.string($0) ?? "–" } })
        let rows = try connection.query("""
            SELECT comparison, statistic, treatment, control, estimate, ci_low, ci_high FROM metrics.cohort_comparison
            """, name: "comparison")
        func f(_ text: String?) -> String { text.flatMap(Double.init).map { String(format: "%.2f", $0) } ?? "–" }
        out += "\ntreatment against control\n"
        out += Table.render(header: ["figure", "treatment", "control", "estimate", "95 % interval"], rows: rows.map { row in
            let kind = row.string(1) == "rate_ratio" ? "rate ratio" : "difference, months"
            return ["\(row.string(0) ?? "") (\(kind))", f(row.string(2)), f(row.string(3)), f(row.string(4)),
                    "\(f(row.string(5))) … \(f(row.string(6)))"]
        })
        return out
    }
}

/// The difference-in-differences of `metrics.did_summary` next to the naive rate ratios of
/// `metrics.cohort_comparison`, in sentences a committee member can read.
package struct CausalReport {
    package let connection: Connection

    package init(connection: Connection) { self.connection = connection }

    /// `controlGroup`: the pipeline's `evaluation.control_group`, the comparison led with.
    package func render(controlGroup: String) throws -> String {
        let rows = try connection.query("""
            SELECT s.metric, s.att, s.ci_low, s.ci_high, s.pre_treatment_mean, s.institutions_treated,
                   s.institutions_control, s.institutions_left_out, s.periods, s.period_length, st.reason, c.estimate,
                   c.ci_low, c.ci_high
            FROM metrics.did_summary s
            JOIN metrics.did_status st USING (metric, control_group)
            LEFT JOIN metrics.cohort_comparison c ON c.comparison = CASE s.metric WHEN 'detection' THEN 'detection_rate_per_1000'
                 WHEN 'investigation' THEN 'investigation_rate_per_1000' ELSE 'measure_rate_per_1000' END
            WHERE s.control_group = $1 AND s.aggregation = 'simple'
            """, [controlGroup], name: "causal summary")
        guard let first = rows.first else { return "" }
        let against = controlGroup == "never_treated" ? "institutions without one" : "institutions without one yet"
        var out = "Did the social workers cause it? Each institution before and after its social worker came, against "
            + "\(against) (staggered difference-in-differences, \(first.string(8) ?? "?") periods of a "
            + "\((first.string(9) ?? "?").replacingOccurrences(of: "_", with: " "))):\n"
        func f(_ x: Double) -> String { String(format: "%.1f", x) }
        for row in rows {
            let what = ["detection": "First cases", "investigation": "First § 50 investigations",
                        "measure": "First measures"][row.string(0) ?? ""] ?? (row.string(0) ?? "")
            var line = "- \(what) "
            if let att = try row.double(1), let low = try row.double(2), let high = try row.double(3) {
                line += (att >= 0 ? "rose by " : "fell by ") + f(abs(att)) + " per 1,000 child-years after the social worker came"
                    + " (95 % interval \(f(low)) to \(f(high))" + (low <= 0 && 0 <= high ? ", which includes no change" : "") + ")"
                if let before = try row.double(4), before > 0 {
                    line += String(format: ", %+.0f %% against the %.1f these institutions had before", 100 * att / before, before)
                }
            } else {
                line += "could not be estimated: \(row.string(10) ?? "no estimate")"
            }
            if let naive = try row.double(11) {
                line += String(format: "; the naive comparison says %.2f×", naive)
                    + ((try row.double(12)).map { String(format: " (%.2f to %.2f)", $0, (try? row.double(13)).flatMap { $0 } ?? .nan) } ?? "")
                    + ", and it mixes the effect with the choice of institutions"
            }
            out += line + ".\n"
        }
        if let treated = try first.int(5), let control = try first.int(6) {
            out += "Compared: \(treated) institutions that got a social worker against \(control)"
                + (controlGroup == "never_treated" ? " that never did" : " not yet covered")
                + "; \(try first.int(7) ?? 0) left out (a period without children, or covered from the first period).\n"
        }
        return out
    }
}

/// Files that ship with the tool (`pipelines/`), found like the migrations (`SchemaFiles`).
package enum ShippedFiles {
    package static func pipeline(_ name: String) throws -> String {
        let sql = URL(fileURLWithPath: try SchemaFiles.directory())
        let path = sql.deletingLastPathComponent().appendingPathComponent("pipelines/\(name).yaml").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw OperationsError.io(path: path, message: "the shipped pipeline file is missing")
        }
        return path
    }
}
