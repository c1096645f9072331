/// Everything that can go wrong talking to PostgreSQL or running the embedded server,
/// as one value that says what happened, where, and (when known) what to do.
package struct PostgresError: Error, CustomStringConvertible, Sendable {
    package enum Kind: String, Sendable {
        /// Could not connect, or the connection broke.
        case connection
        /// The connection string is not one libpq reads (never retried).
        case connectionString = "connection-string"
        /// A statement failed on the server (see `sqlState`).
        case query
        /// A COPY failed or was aborted.
        case copy
        /// A column value could not be read as the requested type.
        case decoding
        /// initdb / pg_ctl / postgres were not found.
        case serverBinariesMissing = "server-binaries-missing"
        /// The embedded server could not be created, started or stopped.
        case server
        /// A migration file is malformed, changed after being applied, or failed.
        case migration
        /// The database's migrations are another schema's (a warehouse's, a national
        /// coordinator's): the command was given the wrong database.
        case otherSchema = "other-schema"
        /// The database was migrated by a newer etl than this one (a migration beyond its own).
        case newerSchema = "newer-schema"
        /// Reading a local file failed.
        case io
    }

    package var kind: Kind
    /// Message from the server or from this library.
    package var message: String
    /// SQLSTATE code (`PG_DIAG_SQLSTATE`), e.g. "23505"; nil when the error is not the server's.
    package var sqlState: String?
    package var detail: String?
    package var hint: String?
    /// 1-based character position in the statement the server complained about.
    package var position: Int?
    /// The statement's name/label given by the caller, or the migration file.
    package var statement: String?
    /// Where it happened: connection target, file path, server directory, ...
    package var context: String?

    package init(
        _ kind: Kind, _ message: String, sqlState: String? = nil, detail: String? = nil,
        hint: String? = nil, position: Int? = nil, statement: String? = nil, context: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.position = position
        self.statement = statement
        self.context = context
    }

    package var description: String {
        var text = "postgres \(kind.rawValue) error"
        if let sqlState { text += " [\(sqlState)]" }
        if let statement { text += " in '\(statement)'" }
        if let context { text += " (\(context))" }
        text += ": \(message)"
        if let position { text += " (at character \(position))" }
        if let detail { text += "; detail: \(detail)" }
        if let hint { text += "; hint: \(hint)" }
        return text
    }
}
