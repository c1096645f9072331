import Foundation
import Logging
import Pipeline
import Postgres
import SyntheticDrop

/// `etl demo`: a synthetic municipality through the whole pipeline into the embedded
/// warehouse, and the treatment/control comparison read back from `metrics`.
public struct Demo {
    public var state: StateLayout
    public var children: Int
    public var seed: UInt64
    public var asOf: Day
    public var logger: Logger

    public init(state: StateLayout, children: Int, seed: UInt64, asOf: Day, logger: Logger) {
        self.state = state; self.children = children; self.seed = seed; self.asOf = asOf; self.logger = logger
    }

    public func run() throws -> String {
        let config = try PipelineConfig.load(path: try ShippedFiles.pipeline("copenhagen"))
        let drop = state.root.appendingPathComponent("demo/inbox/\(asOf.iso)", isDirectory: true)
        let t0 = Date()
        let summary = try DropGenerator(.init(children: children, seed: seed, asOf: asOf, windowFrom: config.windowFrom))
            .write(to: drop)
        logger.info("generated a synthetic drop", metadata: [
            "drop": "\(drop.path)", "children": "\(summary.children)", "institutions": "\(summary.institutions)",
            "events": "\(summary.events)", "seconds": "\(String(format: "%.1f", Date().timeIntervalSince(t0)))"])

        let target = WarehouseTarget(url: nil, state: state)
        let runner = PipelineRunner(config: config, state: state, target: target, logger: logger)
        let result = try runner.runNew(drop: drop, inbox: nil, force: true, asOf: asOf)
        let db = try target.connect(logger: logger, migrate: false)
        return result.line + "\n\n" + (try ComparisonReport(connection: db).render()) + "\nQuery the warehouse: psql '\(target.psqlURL)'\n"
            + (result.report.map { "The committee's report: \($0)\n" } ?? "The committee's report was not written: \(result.reportError ?? "")\n")
    }
}

/// The comparison table of `metrics.cohort_comparison` and the cohorts' sizes, as text.
public struct ComparisonReport {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    public func render() throws -> String {
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

/// Files that ship with the tool (`pipelines/`), found like the migrations (`SchemaFiles`).
public enum ShippedFiles {
    public static func pipeline(_ name: String) throws -> String {
        let sql = URL(fileURLWithPath: try SchemaFiles.directory())
        let path = sql.deletingLastPathComponent().appendingPathComponent("pipelines/\(name).yaml").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw OperationsError.io(path: path, message: "the shipped pipeline file is missing")
        }
        return path
    }
}
