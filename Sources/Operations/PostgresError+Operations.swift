import Pipeline
import Postgres

/// How `etl` takes a PostgreSQL error: whether to retry it, and the status it exits with
/// (declared here: the Postgres target knows nothing of `etl`'s statuses).
extension PostgresError: StewardError {
    /// A connection that could not be made or broke: the server's to fix, not the data's.
    package var exitStatus: ExitStatus { kind == .connection ? .databaseUnreachable : .failure }

    /// Failures worth retrying: the server is not there yet or is restarting. Data errors never are.
    var isTransient: Bool {
        if kind == .connection { return true }
        guard let sqlState else { return false }
        return sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300"].contains(sqlState)
    }
}
