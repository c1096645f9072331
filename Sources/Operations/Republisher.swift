import Foundation
import Load
import Logging
import Pipeline
import Report

/// `etl publish RUN`: puts the newest complete load of an earlier, still-kept run back,
/// under the run locks (so never in the middle of a run), and only with `force` over a
/// newer published run; then the committee's report follows it.
package struct Republisher {
    package var state: StateLayout
    package var target: WarehouseTarget
    package var logger: Logger

    package init(state: StateLayout, target: WarehouseTarget, logger: Logger) {
        self.state = state; self.target = target; self.logger = logger
    }

    /// What `publish` did: the load it published, and the committee's report it wrote then
    /// (the paths), or why not: the run is published either way.
    package struct Published {
        package var load: Int64
        package var report: Result<[String], any Error>
    }

    /// A failure is one of the run's step `publish`.
    package func publish(_ run: RunID, force: Bool) throws -> Published {
        do {
            return try publishLocked(run, force: force)
        } catch {
            throw OperationsError.placed(error, run: run, step: .publish, target: target.displayName)
        }
    }

    /// The committee's report for `run`, now published, as the nightly run writes it: in
    /// the run's folder, and at `report.out` of the run's pipeline file (as a rerun takes it).
    /// Under the run locks, so no other publish comes between. Returns the paths written.
    private func writeReport(_ run: RunID) throws -> [String] {
        let folder = state.run(run)
        let pipeline = try RunInfo.pipelineInPlace(folder)
        let config: PipelineConfig
        do { config = try PipelineConfig.loadTrusted(path: pipeline) } catch {
            throw OperationsError.io(path: pipeline, message: "the run's pipeline file cannot be read (\(error)), so the committee's page "
                                     + "is not known; write it with `etl report --pipeline FILE`")
        }
        let db = try target.connect(logger: logger, migrate: false)
        defer { db.close() }
        return try NightlyReport(config: config, stateRoot: state.root).write(connection: db, runFolder: folder.root) { logger.notice("\($0)") }
    }

    private func publishLocked(_ run: RunID, force: Bool) throws -> Published {
        let command = "etl publish \(run)"
        let lock = try RunLock(path: state.lockFile.path, holder: command)
        defer { withExtendedLifetime(lock) {} }
        let db = try target.connect(logger: logger)
        let holder = try AdvisoryLock.runLock(on: db, holder: command, command: command, state: state)
        defer { withExtendedLifetime(holder) {} }
        try Ledger(connection: db).markDead(lockHeld: true, by: command, state: state)
        let publisher = Publisher(connection: db)
        guard let load = try publisher.newestLoad(of: run) else {
            // A failed run's own next step (the same file would stop a rerun from load again).
            var why = try publisher.whyNotLoaded(run)
            if case .runNotLoaded = why, let step = try RunReports(connection: db, state: state).reloadStep(run) { why = .runNotLoaded(run, next: step) }
            throw why
        }
        let newer = try publisher.publishedRun(newerThan: run, asOf: load.asOf)
        if let newer, !force { throw OperationsError.wouldReplaceNewer(run: run, asOf: load.asOf, published: newer, command: command) }
        do {
            try publisher.publish(loadID: load.id, run: run, command: command, forced: newer != nil)
        } catch {
            switch target.lostPublish(error, loadID: load.id, backend: db.backendPID) {
            case .published: logger.warning("the connection was lost during the publish, and the warehouse says run \(run) is published (load \(load.id))")
            case .notPublished: throw error
            case .unknown: throw target.unconfirmedPublish(error, run: run, forced: newer != nil)
            }
        }
        StopSignals.recordPublished()
        FaultPoint.reach("publish.published")
        // As after a nightly publish: the committee's page follows what analysts see.
        return Published(load: load.id, report: Result { try writeReport(run) })
    }
}
