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
        // Checked before the drop is written into it (it was made in a folder others could read, a review).
        try StateDirectory.checkBeforeMaking(state.root.path)
        let target = WarehouseTarget(url: database, state: state)
        var runner = PipelineRunner(config: config, state: state, target: target, logger: logger)
        runner.demo = true
        try runner.checkStateDirectoryForDemo()
        try? FileManager.default.removeItem(at: target.stoppedByHandFile)   // the demo's own warehouse: the demo starts it
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
