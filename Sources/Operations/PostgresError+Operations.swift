import Pipeline
import Postgres

/// How `etl` takes a PostgreSQL error: whether to retry it, and the status it exits with
/// (declared here: the Postgres target knows nothing of `etl`'s statuses).
extension PostgresError: StewardError {
    /// A connection that could not be made or broke: the server's to fix, not the data's.
    package var exitStatus: ExitStatus {
        switch kind {
        case .connection: .databaseUnreachable
        case .otherSchema: .usage   // the wrong database given
        case .connectionString: .usage
        case .newerSchema: .usage   // the wrong etl installed
        default: .failure
        }
    }

    /// Failures worth retrying: the server is not there yet or is restarting. Data errors never are,
    /// nor a server that answered and refused etl (`refusedAccess`).
    var isTransient: Bool {
        if kind == .connection { return !refusedAccess }
        guard let sqlState else { return false }
        return sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300"].contains(sqlState)
    }
}

extension PostgresError {
    /// A connect the server answered and refused: a wrong password or user, no pg_hba.conf
    /// line, no such database. Retried as a server not there, it took 8 s to end with advice
    /// to check that the server runs (an adversarial review). libpq gives a failed connect
    /// no SQLSTATE: the server's words (in English, as an embedded server's are) are read.
    var refusedAccess: Bool {
        guard kind == .connection else { return false }
        return ["authentication failed for user", "no pg_hba.conf entry", "no password supplied",
                "does not exist", "permission denied for database", "is not permitted to log in"].contains { message.contains($0) }
    }
}
