import Foundation
import Postgres

/// One holder at a time: a session-level advisory lock, held while the connection lives (the
/// server drops it when the session ends, however the process died). The run lock of a
/// warehouse (`runKey`) and the national coordinator's lock are both one. The holder's name
/// is its `application_name`, so a refused command can say who.
package final class AdvisoryLock {
    /// The warehouse's run lock: one run, stage rerun or publish at a time.
    package static let runKey: Int64 = 0x65746C_72756E  // "etl run"
    let connection: Connection
    private let key: Int64

    /// `lock` names the lock in the refusal; `otherwise` the holder when its session has no name.
    package init(connection: Connection, holder: String, key: Int64 = AdvisoryLock.runKey,
                 lock: String = "advisory lock in the warehouse", otherwise: String = "another etl process") throws {
        self.connection = connection
        self.key = key
        try rename(holder)
        // A killed holder's session keeps the lock until the server sees its client gone,
        // within a second (`Connection.clientCheckMilliseconds`): asked again for a little longer.
        let patience = Date().addingTimeInterval(Double(3 * Connection.clientCheckMilliseconds) / 1000)
        var got = try take()
        while !got, Date() < patience {
            Thread.sleep(forTimeInterval: 0.1)
            got = try take()
        }
        guard got else {
            // Its session too: a name is whatever its client set, and a session stuck in the
            // server outlives its process (docs/national.md).
            let who = try connection.query("""
                SELECT a.application_name, a.pid::text, a.usename::text, to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS'),
                       a.usename = current_user
                FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid()
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND (l.classid::bigint << 32 | l.objid::bigint) = $1
                """, [String(key)], name: "lock holder")
            guard let row = who.first, let pid = row.string(1), let role = row.string(2) else {
                throw OperationsError.locked(holder: otherwise, lock: lock)
            }
            var holder = (row.string(0).flatMap { $0.isEmpty ? nil : $0 } ?? otherwise)
                + " (session \(pid) of role \(role), connected \(row.string(3) ?? "?"))"
            if let ended = Self.endedProcess(named: row.string(0) ?? "") {
                holder += " — its process (pid \(ended)) has ended, and its session still waits in the server on something that "
                    + "does not answer (for the coordinator, a municipality's server: docs/national.md); it lets go when that answers"
            } else if try row.bool(4) != true {
                holder += " — not a session of this tool's role: end it (`SELECT pg_terminate_backend(\(pid))`) if it should not hold it"
            }
            throw OperationsError.locked(holder: holder, lock: lock)
        }
    }

    /// `command (pid N on HOST)`: a holder's name that tells whether its process still runs.
    package static func naming(_ command: String) -> String { "\(command) (pid \(getpid()) on \(Ledger.host))" }

    /// The pid of a holder named by `naming` on this host whose process has ended.
    static func endedProcess(named name: String) -> pid_t? {
        guard name.hasSuffix(")"), let open = name.range(of: " (pid ", options: .backwards) else { return nil }
        let parts = name[open.upperBound..<name.index(before: name.endIndex)].split(separator: " ", maxSplits: 2)
        guard parts.count == 3, parts[1] == "on", parts[2] == Ledger.host, let pid = pid_t(parts[0]), !Ledger.isAlive(pid) else { return nil }
        return pid
    }

    private func take() throws -> Bool {
        try connection.query("SELECT pg_try_advisory_lock($1::bigint)", [String(key)], name: "lock").first?.bool(0) == true
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
            """, [String(runKey)], name: "run lock held")
        return try rows.first?.bool(0) ?? false
    }

    deinit {
        _ = try? connection.query("SELECT pg_advisory_unlock($1::bigint)", [String(key)], name: "unlock")
    }
}
