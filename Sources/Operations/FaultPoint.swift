import Foundation
import Glibc
import Postgres

/// Named points of a run where a test stops the process, to kill it there with a real
/// signal (`ETL_STOP_AT=load.committed etl run …`, then SIGKILL once it has stopped): the
/// end-to-end tests of what a crash at any point leaves. Without `ETL_STOP_AT` a point costs
/// one environment lookup and a look at the `CommitGate`: a process being stopped goes no
/// further than its next point (at `<stage>.written`, its new files are not put in place).
///
/// Points: `run.connected` (a new run connected, nothing asked yet); `run.started`; `<stage>.started` and `<stage>.finished` for extract, transform and
/// load (the ledger not yet told); `extract.written` and `transform.written` (the stage's new
/// files written, not yet in place of the old); `load.copying` (the first fact file copied, the load's
/// transaction open); `load.copied` (every fact file copied, those of the load's other
/// connections committed and not yet attached); `load.committed` (before publish); `load.published` (before retention); `publish.published`
/// (`etl publish`, before its report).
package enum FaultPoint {
    package static func reach(_ name: String) {
        if ProcessInfo.processInfo.environment["ETL_STOP_AT"] == name {
            try? FileHandle.standardError.write(contentsOf: Data("etl: stopped at \(name) (ETL_STOP_AT), pid \(getpid())\n".utf8))
            raise(SIGSTOP)
            // A stop sent with the SIGCONT may be handled on another thread: give its handler
            // the moment to close the gate before this thread goes on to commit (a flaky test
            // saw a stopped extract put its files in place).
            usleep(200_000)
        }
        CommitGate.pass()
    }
}
