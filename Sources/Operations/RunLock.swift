import Foundation
import Glibc
import Postgres

/// One run at a time, before the database is reached: an exclusive `flock` on
/// `<state>/etl.lock`, which names the run holding it. The kernel drops the lock when the
/// process dies, so a crash never leaves a stale lock. (The database side is `AdvisoryLock`.)
package final class RunLock {
    private let fd: Int32
    package let path: String

    /// Takes the lock or throws `OperationsError.locked` naming the holder.
    package init(path: String, holder: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        fd = open(path, O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else {
            throw OperationsError.io(path: path, message: "cannot open the lock file: \(String(cString: strerror(errno)))")
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
        let text = "\(holder) (pid \(getpid()))\n"
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// One run at a time against a warehouse: a session-level advisory lock, held while the
/// connection lives (the server drops it when the session ends, however the process died).
/// The holder's name is its `application_name`, so a refused run can say who.
final class AdvisoryLock {
    static let key = 0x65746C_72756E  // "etl run"
    let connection: Connection

    init(connection: Connection, holder: String) throws {
        self.connection = connection
        try rename(holder)
        let got = try connection.query("SELECT pg_try_advisory_lock($1)", [String(Self.key)], name: "run lock")
        guard try got.first?.bool(0) == true else {
            let who = try connection.query("""
                SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid()
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND (l.classid::bigint << 32 | l.objid::bigint) = $1
                """, [String(Self.key)], name: "run lock holder")
            throw OperationsError.locked(holder: who.first?.string(0) ?? "another etl process", lock: "advisory lock in the warehouse")
        }
    }

    func rename(_ holder: String) throws {
        _ = try connection.execute("SELECT set_config('application_name', $1, false)", [holder], name: "name session")
    }

    /// Whether any session (this one included) holds the run lock of this database.
    static func isHeld(on connection: Connection) throws -> Bool {
        let rows = try connection.query("""
            SELECT EXISTS (SELECT FROM pg_locks l
                           WHERE l.locktype = 'advisory' AND l.granted
                             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                             AND (l.classid::bigint << 32 | l.objid::bigint) = $1)
            """, [String(key)], name: "run lock held")
        return try rows.first?.bool(0) ?? false
    }

    deinit {
        _ = try? connection.query("SELECT pg_advisory_unlock($1)", [String(Self.key)], name: "run unlock")
    }
}
