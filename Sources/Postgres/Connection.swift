import CLibPQ
import Foundation
import Logging

/// One connection to PostgreSQL through libpq.
///
/// Deliberately not `Sendable`: a libpq connection must never be used by two threads at
/// once, and a non-Sendable class lets the Swift 6 compiler enforce that instead of a
/// comment. Open one connection per task (they are cheap on a local socket); a
/// connection can still move to another task as a `sending` value.
package final class Connection {
    /// nil once closed.
    var handle: OpaquePointer?
    /// The server process of this session, known after the connection is lost too.
    package private(set) var backendPID: Int32 = 0
    /// The connection target without its password, for error messages and logs.
    package let target: String

    /// Connects with a URL (`postgresql://user@host/db`, `postgresql:///db?host=/socket/dir`)
    /// or a keyword string (`host=/socket/dir dbname=db`); libpq parses both.
    static let connectionStringHint = "write it as postgresql://USER@HOST:PORT/DATABASE, or as keywords: host=HOST dbname=DATABASE "
        + "(libpq's connection strings: each option's value as its documentation lists)"

    package init(url: String) throws {
        target = describeTarget(url)
        // Read first: libpq's word for a string it cannot read quotes it, password and all, and
        // a failed connect was retried as a server not there (a review).
        var unreadable: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &unreadable) else {
            let why = unreadable.map { String(cString: $0).trimmingTrailingWhitespace() } ?? "it cannot be read"
            unreadable.map { PQfreemem($0) }
            throw PostgresError(.connectionString, "the connection string is not one libpq reads: \(withoutTheString(why))",
                                hint: Self.connectionStringHint)
        }
        PQconninfoFree(options)
        guard let conn = Self.connect(url) else {
            throw PostgresError(.connection, "libpq could not allocate a connection", context: target)
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = nonEmpty(PQerrorMessage(conn)) ?? "connection failed"
            PQfinish(conn)
            // An option's value libpq refuses (`port=abc`, `sslmode=bogus`, a service not defined)
            // is the string's fault, not a server to wait for.
            let option = message.contains(/for connection option|invalid connection option|invalid \w+ value|could not match \d+ host names|definition of service|service file|could not parse network address/)
            // The string was read: its secrets are known, and starred wherever libpq's words hold them.
            guard option else { throw PostgresError(.connection, withoutSecrets(of: url, message), context: target) }
            throw PostgresError(.connectionString, withoutSecrets(of: url, message), hint: Self.connectionStringHint, context: target)
        }
        // Swift strings are UTF-8; make the server convert whatever its encoding is.
        if PQsetClientEncoding(conn, "UTF8") != 0 {
            let error = PostgresError(.connection, connection: conn, statement: nil, fallback: "could not set client_encoding to UTF8")
            PQfinish(conn)
            throw error
        }
        // Server notices (e.g. "schema already exists, skipping") go to the log at debug
        // level instead of libpq's default of printing them on stderr.
        PQsetNoticeReceiver(conn, { _, result in
            guard let result, let text = nonEmpty(PQresultErrorMessage(result)) else { return }
            noticeLogger.debug("\(text)")
        }, nil)
        handle = conn
        backendPID = PQbackendPID(conn)
        // A session whose client is gone ends within a second, even in the middle of a
        // statement or a lock wait: a killed run's session would otherwise keep the run lock
        // until its statement ended (found by a release review). PostgreSQL 14 and later, on
        // the platforms that can poll for it (Linux): elsewhere the server refuses, and the
        // session goes on without.
        //
        // The server's own keepalives, for a client it can no longer reach (a partition, the
        // machine gone): it would otherwise keep the session, its open transaction and the run
        // lock for the kernel's two hours, and refuse every run meanwhile (an adversarial
        // review). PostgreSQL ignores them on a local socket.
        if PQserverVersion(conn) >= 140000 {
            _ = try? execute("SET client_connection_check_interval = \(Self.clientCheckMilliseconds)", name: "client check")
        }
        _ = try? execute(Self.serverKeepalives + "; " + Self.noTimeouts, name: "session settings")
    }

    /// As pg_dump sets them: a role's or database's timeouts (a DBA's bound on analysts'
    /// queries) cut a load's COPY and statistics, and the run failed with only the server's
    /// "canceling statement due to statement timeout" (an adversarial review). Where etl
    /// means a bound it sets one (the publish's lock_timeout, the national read timeout).
    static let noTimeouts = "SET statement_timeout = 0; SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0"

    /// The server's side of `lostPeerOptions`: its settings, and them set for this session.
    package static let serverKeepaliveSettings = [("tcp_keepalives_idle", "30"), ("tcp_keepalives_interval", "10"), ("tcp_keepalives_count", "3")]
    static let serverKeepalives = serverKeepaliveSettings.map { "SET \($0.0) = \($0.1)" }.joined(separator: "; ")

    /// TCP options a connection gets unless its string sets them: a server that stops
    /// answering while the client waits for it (a network partition, a machine gone) is found
    /// within about a minute, not after the kernel's two hours of silence; with data still
    /// unacknowledged, the kernel gives up after its retransmissions (about 15 minutes).
    /// No `tcp_user_timeout`: Linux 5.11 and later also abort a sender whose peer shows a
    /// zero window for that long, so a COPY to a server that stops reading for a minute (a
    /// storage failover, a paused machine) would fail though the server answers (a review).
    /// libpq ignores them on a local socket.
    package static let lostPeerOptions = [("keepalives", "1"), ("keepalives_idle", "30"), ("keepalives_interval", "10"),
                                          ("keepalives_count", "3")]

    /// How long a connection may take to be made, unless its string or `PGCONNECT_TIMEOUT`
    /// says: libpq's own default is to wait for as long as the kernel does.
    package static let connectTimeoutSeconds = 10

    /// `PQconnectdbParams` with the defaults above put before the string, so that whatever
    /// the string sets wins (libpq expands it in place of `dbname`).
    private static func connect(_ url: String) -> OpaquePointer? {
        var options = lostPeerOptions
        if getenv("PGCONNECT_TIMEOUT") == nil { options.append(("connect_timeout", String(connectTimeoutSeconds))) }
        options.append(("dbname", url))
        let keywords = options.map { strdup($0.0) }, values = options.map { strdup($0.1) }
        defer { (keywords + values).forEach { free($0) } }
        return PQconnectdbParams(keywords.map { $0.map { UnsafePointer($0) } } + [nil],
                                 values.map { $0.map { UnsafePointer($0) } } + [nil], 1)
    }

    /// How often the server checks, while a statement runs, that this client still listens.
    package static let clientCheckMilliseconds = 1000

    deinit { close() }

    /// Closes the connection; further use throws. Closing twice is harmless.
    package func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    package var isOpen: Bool { handle.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// Runs one or more statements separated by semicolons (simple query protocol, no
    /// parameters). For DDL and migrations; results other than errors are discarded.
    package func execute(_ sql: String, name: String? = nil) throws {
        let conn = try open(name)
        try consume(PQexec(conn, sql), conn, name)
    }

    /// Runs one statement with text parameters `$1, $2, ...` and returns the number of
    /// rows it affected (INSERT/UPDATE/DELETE/...; 0 for other commands).
    @discardableResult
    package func execute(_ sql: String, _ params: [String?], name: String? = nil) throws -> Int {
        let conn = try open(name)
        let result = try withParameters(params) { count, values in
            PQexecParams(conn, sql, count, nil, values, nil, nil, 0)
        }
        return try consume(result, conn, name) { affectedRows($0) }
    }

    /// Runs one statement with text parameters `$1, $2, ...` (values are sent apart from
    /// the SQL, never spliced into it) and returns its rows.
    package func query(_ sql: String, _ params: [String?] = [], name: String? = nil) throws -> [Row] {
        let conn = try open(name)
        let result = try withParameters(params) { count, values in
            PQexecParams(conn, sql, count, nil, values, nil, nil, 0)
        }
        return try consume(result, conn, name) { Row.all(in: $0) }
    }

    /// A statement the server builds with `format()` from `template` (`%I` quotes an
    /// identifier, `%L` a value) and `arguments`: for the SQL where a parameter cannot go
    /// (roles, servers, user mappings), with nothing spliced into it here.
    package func format(_ template: String, _ arguments: [String], name: String? = nil) throws -> String {
        guard let text = try query("SELECT format($1, VARIADIC $2::text[])", [template, Self.textArray(arguments)],
                                   name: name ?? "format statement").first?.string(0) else {
            throw PostgresError(.query, "format() returned nothing", statement: template)
        }
        return text
    }

    /// A `text[]` literal of `values` (every element quoted), for a parameter.
    package static func textArray(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }

    /// Quotes an identifier (database, table, column name) for the rare SQL where a
    /// parameter cannot go, e.g. `CREATE DATABASE`.
    package static func quoteIdentifier(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: - Internals shared by the extensions

    func open(_ statement: String?) throws -> OpaquePointer {
        guard let handle else {
            throw PostgresError(.connection, "the connection is closed", statement: statement, context: target)
        }
        return handle
    }

    /// Checks a result, hands it to `read` when it succeeded, and always frees it.
    @discardableResult
    func consume<T>(
        _ result: OpaquePointer?, _ conn: OpaquePointer, _ statement: String?,
        read: (OpaquePointer) throws -> T = { _ in () }
    ) throws -> T {
        guard let result else {
            throw PostgresError(.connection, connection: conn, statement: statement, fallback: "no result from server")
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return try read(result)
        case PGRES_COPY_IN, PGRES_COPY_OUT:
            abandonCopy(conn)
            throw PostgresError(.query, "COPY through execute/query is not supported; use copyIn", statement: statement)
        default:
            throw classified(PostgresError(.query, result: result, connection: conn, statement: statement), conn)
        }
    }

    /// A statement that failed because the connection broke (the server stopped or
    /// restarted, the backend was terminated) is a connection error, whatever the statement
    /// was (a query, a COPY): the caller reports "database unreachable", not a data error.
    ///
    /// An error without a SQLSTATE comes from libpq, not the server. After an immediate
    /// shutdown or a crash libpq 15 reports "server closed the connection unexpectedly" so,
    /// with the connection still marked OK until it reads from the socket again: reading
    /// (`PQconsumeInput`) tells.
    func classified(_ error: PostgresError, _ conn: OpaquePointer) -> PostgresError {
        var error = error
        let unreadable = error.sqlState == nil && PQconsumeInput(conn) == 0
        if unreadable || PQstatus(conn) != CONNECTION_OK || error.sqlState.map(Self.isConnectionLoss) == true { error.kind = .connection }
        return error
    }

    /// SQLSTATEs that end the session: class 08 (connection exception), 57P01–57P03 (admin
    /// or crash shutdown, cannot connect now), 57P05 (idle session timeout), 25P03 (idle in
    /// transaction timeout).
    static func isConnectionLoss(_ sqlState: String) -> Bool {
        sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03", "57P05", "25P03"].contains(sqlState)
    }

    /// Leaves a COPY started by mistake so the connection is usable again.
    private func abandonCopy(_ conn: OpaquePointer) {
        _ = PQputCopyEnd(conn, "COPY is only supported through copyIn")
        var buffer: UnsafeMutablePointer<CChar>?
        while PQgetCopyData(conn, &buffer, 0) > 0 { PQfreemem(buffer) }
        drainResults(conn)
    }
}

/// Reads every pending result so the connection is idle again; returns the first error.
@discardableResult
func drainResults(_ conn: OpaquePointer, statement: String? = nil) -> PostgresError? {
    var firstError: PostgresError?
    while let result = PQgetResult(conn) {
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        if status == PGRES_FATAL_ERROR, firstError == nil {
            firstError = PostgresError(.query, result: result, connection: conn, statement: statement)
        }
        // Still in COPY IN means the end was never accepted: stop rather than loop forever.
        if status == PGRES_COPY_IN || status == PGRES_COPY_BOTH { break }
    }
    return firstError
}

/// The row count in a command tag ("INSERT 0 5", "COPY 100000"), 0 when it has none.
func affectedRows(_ result: OpaquePointer) -> Int {
    guard let text = PQcmdTuples(result) else { return 0 }
    return Int(String(cString: text)) ?? 0
}

/// Passes parameters to libpq as NUL-terminated C strings, NULL for nil.
private func withParameters<T>(
    _ params: [String?], _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?) throws -> T
) throws -> T {
    guard params.count <= Int(UInt16.max) else {
        throw PostgresError(.query, "too many parameters (\(params.count)); PostgreSQL allows 65535")
    }
    let copies: [UnsafeMutablePointer<CChar>?] = params.map { $0.flatMap { strdup($0) } }
    defer { copies.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    return try pointers.withUnsafeBufferPointer { try body(Int32(params.count), $0.baseAddress) }
}

let noticeLogger = Logger(label: "etl.postgres.notice")
