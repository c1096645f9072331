import Foundation
import Load
import Logging
import Pipeline

/// `etl publish RUN`: puts the newest complete load of an earlier, still-kept run back,
/// under the run locks (so never in the middle of a run), and only with `force` over a
/// newer published run.
package struct Republisher {
    package var state: StateLayout
    package var target: WarehouseTarget
    package var logger: Logger

    package init(state: StateLayout, target: WarehouseTarget, logger: Logger) {
        self.state = state; self.target = target; self.logger = logger
    }

    /// Returns the load published. A failure is one of the run's step `publish`.
    package func publish(_ run: RunID, force: Bool) throws -> Int64 {
        do {
            return try publishLocked(run, force: force)
        } catch {
            throw OperationsError.placed(error, run: run, step: .publish, target: target.displayName)
        }
    }

    private func publishLocked(_ run: RunID, force: Bool) throws -> Int64 {
        let command = "etl publish \(run)"
        let lock = try RunLock(path: state.lockFile.path, holder: command)
        defer { withExtendedLifetime(lock) {} }
        let db = try target.connect(logger: logger)
        let holder = try AdvisoryLock(connection: db, holder: command)
        defer { withExtendedLifetime(holder) {} }
        try Ledger(connection: db).markDead(lockHeld: true, by: command, state: state)
        let publisher = Publisher(connection: db)
        let newer = try publisher.publishedRun(newerThan: run)
        if let newer, !force { throw OperationsError.wouldReplaceNewer(run: run, published: newer, command: command) }
        return try publisher.publish(run: run, command: command, forced: newer != nil)
    }
}
