import Foundation
import Glibc

/// One run at a time, before the database is reached: an exclusive `flock` on
/// `<state>/etl.lock`, which names the run holding it. The kernel drops the lock when the
/// process dies, so a crash never leaves a stale lock. (The database side is `AdvisoryLock`.)
package final class RunLock {
    private let fd: Int32
    package let path: String

    /// Takes the lock or throws `OperationsError.locked` naming the holder.
    package init(path: String, holder: String) throws {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        try StateDirectory.checkBeforeMaking(folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        fd = open(path, O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else {
            throw OperationsError.io(path: path, message: "cannot open the lock file: \(String(cString: strerror(errno))); check that this user may write the state directory")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let current = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            throw OperationsError.locked(holder: current.flatMap { $0.isEmpty ? nil : $0 } ?? "another etl process", lock: path)
        }
        rename(holder)
    }

    /// Names the holder anew (a run's id is chosen after the lock is taken).
    package func rename(_ holder: String) {
        ftruncate(fd, 0)
        let text = "\(holder) (pid \(getpid()), since \(RunReports.plain(ETLLogHandler.iso.format(Date()))) UTC)\n"
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }
}
