import Foundation
import Logging
import Pipeline
import Postgres
import Synchronization

/// The line a command stopped by a signal (a shutdown's SIGTERM, Ctrl-C, a hang-up, a time
/// limit) leaves: for a run, which run and stage, and what to look at next, kept in the run
/// folder too, so the next command records it for the attempt in place of "killed"; for any
/// other command, which one. A stop ended a run, then a national publish, in silence
/// (adversarial reviews).
///
/// The handler only closes the `CommitGate` (nothing commits after a stop) and writes the
/// signal's number to a pipe, which is all a signal handler may safely do; a thread reading
/// the pipe does the rest, then ends the process by the same signal, so its exit status still
/// says it was one (the cron wrapper reads it). What the stage had not committed the server
/// rolls back when the session goes.
package enum StopSignals {
    package struct Activity: Sendable {
        package var run: RunID
        package var stage: String?
        /// `RunFolder.unrecordedError` of the attempt; nil before the attempt is recorded.
        package var errorFile: String?
        /// Whether the run's publish has committed: then analysts see it, whatever comes after.
        package var published = false

        package init(run: RunID, stage: String? = nil, errorFile: String? = nil) {
            self.run = run; self.stage = stage; self.errorFile = errorFile
        }
    }

    private static let activity = Mutex<Activity?>(nil)
    private static let scratch = Mutex<URL?>(nil)
    private static let pipe: (read: Int32, write: Int32) = {
        var fds: [Int32] = [-1, -1]
        _ = Glibc.pipe(&fds)
        return (fds[0], fds[1])
    }()
    /// SIGQUIT (Ctrl-\) too: the Swift runtime took it for a crash, printed its report (with
    /// memory that held CPR numbers) and let the run go on (an adversarial review).
    static let signals = [SIGTERM, SIGINT, SIGHUP, SIGQUIT]

    /// What the process works on now; nil when no run.
    package static func record(_ now: Activity?) { activity.withLock { $0 = now } }
    package static func recordStage(_ stage: String?) { activity.withLock { $0?.stage = stage } }
    package static func recordPublished() { activity.withLock { $0?.published = true } }
    /// A private temporary folder the command removes as it ends (`etl check`'s), and a stop
    /// removes too: it holds records of the drop.
    package static func recordScratch(_ folder: URL?) { scratch.withLock { $0 = folder } }

    /// Installs the handlers, once, before any work; `command` names it (its subcommands only:
    /// its values may hold a password).
    package static func install(logger: Logger, command: String) {
        let fds = pipe
        guard fds.read >= 0 else { return }   // no pipe: the signals keep their default action
        // A parent's thread may have blocked them (a dispatch worker's, which blocks all, starting
        // etl): left blocked, a stop would wait for the run to end.
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for number in signals { sigaddset(&blocked, number) }
        pthread_sigmask(SIG_UNBLOCK, &blocked, nil)
        _ = CommitGate.isClosed   // initialised here, never in the handler
        Thread.detachNewThread {
            var number: Int32 = 0
            while read(fds.read, &number, MemoryLayout<Int32>.size) != MemoryLayout<Int32>.size {}
            stop(by: number, logger: logger, command: command)
        }
        for number in signals {
            let before = signal(number) { number in
                CommitGate.close()
                var number = number
                _ = write(StopSignals.pipe.write, &number, MemoryLayout<Int32>.size)
            }
            // One ignored when etl started stays so, as is the custom: `nohup etl load …` is
            // not stopped by the hang-up of the terminal it was started from.
            if let before, unsafeBitCast(before, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { signal(number, SIG_IGN) }
        }
    }

    private static func stop(by number: Int32, logger: Logger, command: String) {
        let name = [SIGTERM: "SIGTERM", SIGINT: "SIGINT", SIGHUP: "SIGHUP", SIGQUIT: "SIGQUIT"][number] ?? "signal \(number)"
        // The line goes to a terminal or a pipe that the same Ctrl-C may have ended (`etl run
        // | tee`): etl ignores SIGPIPE (`ETL.main`), so the write fails and the stop goes on.
        if let now = activity.withLock({ $0 }) {
            let text = now.published
                ? "stopped by \(name) in run \(now.run) after its publish: analysts see this run; what comes after it (the committee's "
                    + "report, clearing old loads) may not be done: `etl report` writes the committee's page for it now (the next run "
                    + "would, and clears the old loads)"
                : "stopped by \(name) in run \(now.run)\(now.stage.map { ", stage \($0)" } ?? ""): what the stage had not yet committed "
                    + "is rolled back, and what it had stays (a load committed waits for its publish); a run is published whole or not "
                    + "at all. `etl runs show \(now.run)` says whether it was, and the step left"
            if let file = now.errorFile { try? (text + "\n").write(toFile: file, atomically: true, encoding: .utf8) }
            var metadata: Logger.Metadata = ["run": "\(now.run)", "exit_status": .stringConvertible(128 + Int(number))]
            metadata["stage"] = now.stage.map { "\($0)" }
            logger.error("\(text)", metadata: metadata)
        } else {
            let text = "`\(command)` was stopped by \(name) before it finished: what it had not committed is rolled back. "
                + "Run it again once what stopped it (a time limit, a shutdown) is dealt with"
            logger.error("\(text)", metadata: ["exit_status": .stringConvertible(128 + Int(number))])
        }
        if let folder = scratch.withLock({ $0 }) {
            // The command's threads may still make files in it: removed until it stays gone a moment.
            for _ in 0..<20 {
                try? FileManager.default.removeItem(at: folder)
                usleep(10_000)
                if !FileManager.default.fileExists(atPath: folder.path) { break }
            }
        }
        // What was printed before the stop reaches its pipe (`etl national status | …` lost it).
        fflush(nil)   // every output stream: `stdout` itself is shared mutable state to Swift 6
        signal(number, SIG_DFL)
        raise(number)
    }
}
