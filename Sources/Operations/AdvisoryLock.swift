import Foundation
import Logging
import Pipeline
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
        if !got { try endReadersHoldingIt() }
        while !got, Date() < patience {
            Thread.sleep(forTimeInterval: 0.1)
            got = try take()
        }
        if !got, endSessionsOfEndedAttempts() { got = try take() }
        guard got else { throw try refusal(lock: lock, otherwise: otherwise) }
    }

    /// The warehouse's run lock for `holder`, once the attempts stopped by a signal are recorded
    /// as failed (`Ledger.markDead`, `command` naming who recorded them): a session of one that
    /// something between kept open is then ended below, not waited for (exit 75).
    package static func runLock(on connection: Connection, holder: String, command: String, state: StateLayout) throws -> AdvisoryLock {
        _ = try? Ledger(connection: connection).markDead(lockHeld: false, by: command, state: state)
        return try AdvisoryLock(connection: connection, holder: holder)
    }

    /// `name (attempt N)`: the run lock's holder once its attempt is in the ledger, so that a
    /// later command can tell a session whose attempt has ended.
    package static func attemptHolder(_ name: String, attempt: Int64) -> String { "\(name) (attempt \(attempt))" }

    /// A session of this role holding the run lock for an attempt its process has since
    /// recorded as ended (failed or succeeded, on another connection), and that has not begun
    /// a statement since, holds it for nothing: its client was cut while something between
    /// kept the server's side open, and it waits in a COPY for ever (an adversarial review).
    /// It is ended, with the load's other sessions of that attempt (named alike), with a
    /// warning; returns whether one was. An attempt another command
    /// marked `dead` is not enough: that rests on a host name and a pid, which another
    /// machine or container can share.
    private func endSessionsOfEndedAttempts() -> Bool {
        guard key == Self.runKey,
              (try? connection.query("SELECT to_regclass('etl.attempts') IS NOT NULL", name: "ledger there").first?.bool(0)) == true,
              let ended = try? connection.query("""
            WITH holder AS (
                SELECT a.application_name, t.status
                FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                JOIN etl.attempts t ON a.application_name LIKE '% (attempt ' || t.attempt_id || ')'
                WHERE \(Self.holding) AND a.usename = current_user
                  AND t.status IN ('failed', 'succeeded') AND a.state_change < t.finished_at)
            SELECT a.pid::text, a.application_name, h.status
            FROM pg_stat_activity a JOIN holder h USING (application_name)
            WHERE a.usename = current_user AND a.pid <> pg_backend_pid() AND a.datname = current_database()
            """, [String(key)], name: "sessions of ended attempts")
        else { return false }
        var any = false
        for row in ended {
            guard let pid = row.string(0),
                  (try? connection.query("SELECT pg_terminate_backend(\(pid), 5000)", name: "end a session of an ended attempt").first?.bool(0)) == true
            else { continue }
            any = true
            Logger(label: "etl").warning("ended session \(pid) (\(row.string(1) ?? "")), which held the run lock though its attempt has \(row.string(2) ?? "ended")")
        }
        return any
    }

    /// The sessions holding this lock (the `bigint` form of its key, `objsubid` 1).
    private static let holding = """
        l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.pid <> pg_backend_pid()
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND (l.classid::bigint << 32 | l.objid::bigint) = $1
        """
    private static let holders = "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE \(holding)"

    /// The tool's read-only roles (analysts, the national feed) never run etl: one that took the
    /// lock did so to stop the nights (an adversarial review), and its session is ended, with
    /// a warning. Where this role may not end it, the refusal names it.
    private func endReadersHoldingIt() throws {
        let readers = """
            SELECT a.pid::text, a.usename::text \(Self.holders)
              AND (a.usename = '\(EmbeddedServer.nationalFeedRole)' OR EXISTS (
                   SELECT FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
                   WHERE m.member = a.usesysid AND r.rolname = '\(EmbeddedServer.analystGroup)'))
            """
        for row in try connection.query(readers, [String(key)], name: "read-only holders") {
            guard let pid = row.string(0), let role = row.string(1),
                  (try? connection.query("SELECT pg_terminate_backend(\(pid))", name: "end a reader's session")) != nil else { continue }
            Logger(label: "etl").warning("ended session \(pid) of the read-only role \(role), which held the run lock: only etl takes it",
                                         metadata: ["role": "\(role)"])
        }
    }

    /// Who holds it: its name is whatever its client set, so its session and role too; and a
    /// session stuck in the server outlives its process (docs/national.md).
    private func refusal(lock: String, otherwise: String) throws -> OperationsError {
        let who = try connection.query("""
            SELECT a.application_name, a.pid::text, a.usename::text, to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS'),
                   a.usename = current_user, a.client_addr IS NULL \(Self.holders)
            """, [String(key)], name: "lock holder")
        guard let row = who.first, let pid = row.string(1), let role = row.string(2) else {
            return OperationsError.locked(holder: otherwise, lock: lock)
        }
        let name = row.string(0).flatMap { $0.isEmpty ? nil : $0 } ?? otherwise
        var holder = name + " (session \(pid) of role \(role), connected \(row.string(3) ?? "?"))"
        if try row.bool(5) == true, let ended = Self.endedProcess(named: name) {
            holder += " — its process (pid \(ended)) has ended, and its session still waits in the server on something that "
                + "does not answer (for the coordinator, a municipality's server: docs/national.md); it lets go when that answers, "
                + "or when this server is restarted (the embedded one: `etl warehouse stop`, then `start`; a session that does not "
                + "end within a minute is then stopped at once, nothing committed lost)"
        } else if try row.bool(4) != true {
            holder += " — not a session of this tool's role: end it (`SELECT pg_terminate_backend(\(pid))`) if it should not hold it"
        }
        return OperationsError.locked(holder: holder, lock: lock)
    }

    /// `command (pid N)`: a holder's name that tells, to a command on the same machine (its
    /// session through the socket), whether its process still runs.
    package static func naming(_ command: String) -> String { "\(command) (pid \(getpid()))" }

    /// The pid of a holder named by `naming` whose process has ended.
    static func endedProcess(named name: String) -> pid_t? {
        guard name.hasSuffix(")"), let open = name.range(of: " (pid ", options: .backwards),
              let pid = pid_t(name[open.upperBound..<name.index(before: name.endIndex)]), !Ledger.isAlive(pid) else { return nil }
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
                           WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                             AND (l.classid::bigint << 32 | l.objid::bigint) = $1)
            """, [String(runKey)], name: "run lock held")
        return try rows.first?.bool(0) ?? false
    }

    deinit {
        _ = try? connection.query("SELECT pg_advisory_unlock($1::bigint)", [String(key)], name: "unlock")
    }
}
