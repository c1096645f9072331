import Foundation
import Glibc
import Postgres

/// One run at a time against a warehouse: a session-level advisory lock, held while the
/// connection lives (the server drops it when the session ends, however the process died).
/// The holder's name is its `application_name`, so a refused run can say who.
final class AdvisoryLock {
    static let key = 0x65746C_72756E  // "etl run"
    let connection: Connection

    init(connection: Connection, holder: String) throws {
        self.connection = connection
        try rename(holder)
        // A killed run's session holds the lock until the server sees its client gone, within
        // a second (`Connection.clientCheckMilliseconds`): asked again for a little longer.
        let patience = Date().addingTimeInterval(Double(3 * Connection.clientCheckMilliseconds) / 1000)
        var got = try Self.take(connection)
        while !got, Date() < patience {
            Thread.sleep(forTimeInterval: 0.1)
            got = try Self.take(connection)
        }
        guard got else {
            let who = try connection.query("""
                SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid()
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND (l.classid::bigint << 32 | l.objid::bigint) = $1
                """, [String(Self.key)], name: "run lock holder")
            throw OperationsError.locked(holder: who.first?.string(0) ?? "another etl process", lock: "advisory lock in the warehouse")
        }
    }

    private static func take(_ connection: Connection) throws -> Bool {
        try connection.query("SELECT pg_try_advisory_lock($1)", [String(key)], name: "run lock").first?.bool(0) == true
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
