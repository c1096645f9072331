import Foundation
import Testing
import TestSupport
@testable import Postgres

@Suite struct ConnectionTests {
    /// A string libpq cannot read, or an option's value it refuses, is the string's fault:
    /// said without its password (libpq's words quote the string), and not a server to wait for (a review).
    @Test func anUnreadableConnectionStringIsSaidWithoutItsPassword() throws {
        for url in ["postgresql://ana:secret-pw@[bad", "host=/nowhere password='secret-pw' port=abc", "postgresql://ana@x/etl?port=abc&password=secret-pw",
                    "postgresql://ana:secret-pw%zz@x/etl", "postgresql://ana@x/etl?password=secret-pw%zz", "host=x password=secret-pw sslmode=bogus",
                    "host=x sslpassword=secret-pw port=abc", "postgresql://u:x\"secret-pw@[::1]x/db", "host=x password=abc x\"secret-pw host=h",
                    "host=x password='with\"quote secret-pw' port=abc"] {
            let error = try #require(throws: PostgresError.self) { try Connection(url: url) }
            #expect(error.kind == .connectionString && !error.description.contains("secret-pw"), "\(error)")
        }
        #expect(maskingPasswords("\"postgresql://u:p@h/db\" and password = 'x y'") == "\"postgresql://u:****@h/db\" and password = ****")
        // An option libpq refuses is still named, with its value (the string was read: its secrets are known).
        let port = try #require(throws: PostgresError.self) { try Connection(url: "host=x password=secret-pw port=abc") }
        #expect(port.description.contains("invalid integer value \"abc\" for connection option \"port\""), "\(port)")
        // A secret is starred where quoted as a value, not wherever its letters occur.
        #expect(withoutSecrets(of: "host=x password=abc", "invalid integer value \"abc\" for connection option \"port\"")
                == "invalid integer value \"****\" for connection option \"port\"")
        #expect(withoutSecrets(of: "host=x password=port", "for connection option \"portal\"") == "for connection option \"portal\"")
    }

    @Test func parametersRoundTripQuotesUnicodeAndNull() throws {
        let connection = try TestServer.freshDatabase().connect()
        try connection.execute("CREATE TABLE t (id int PRIMARY KEY, label text, amount double precision, ok boolean)")
        let tricky = "O'Brien; DROP TABLE t; -- \"æøå\" ÆØÅ \\ 🙂"
        try connection.execute("INSERT INTO t VALUES ($1, $2, $3, $4)", ["1", tricky, "2.5", "true"], name: "insert tricky")
        try connection.execute("INSERT INTO t VALUES ($1, $2, $3, $4)", ["2", nil, nil, nil], name: "insert nulls")

        let rows = try connection.query("SELECT id, label, amount, ok FROM t WHERE id = $1 OR id = $2 ORDER BY id", ["1", "2"])
        #expect(rows.count == 2)
        #expect(try rows[0].int(0) == 1)
        #expect(rows[0].string(1) == tricky)
        #expect(rows[0]["label"] == tricky)
        #expect(try rows[0].double("amount") == 2.5)
        #expect(try rows[0].bool(3) == true)
        #expect(rows[1].string(1) == nil)
        #expect(try rows[1].int("amount") == nil)
        #expect(try rows[1].bool("ok") == nil)
        // The parameter was data, not SQL: the table is still there.
        #expect(try connection.query("SELECT count(*) FROM t")[0].int(0) == 2)
    }

    /// Another connection (`ConnectionOpener` is Sendable: for another thread): the same
    /// database and role, and the session's name as it is now (quotes and backslashes
    /// survive the connection string).
    @Test func anOpenerOpensTheSameSessionElsewhere() throws {
        let connection = try TestServer.freshDatabase().connect()
        let name = "etl run 'it\\s' \\ 2"
        _ = try connection.query("SELECT set_config('application_name', $1, false)", [name])
        let opener = try connection.opener()
        let sql = "SELECT current_database(), current_user, current_setting('application_name'), pg_backend_pid()"
        let seen = try opener.open().query(sql)[0], here = try connection.query(sql)[0]
        #expect((0..<3).map { seen.string($0) } == (0..<3).map { here.string($0) })
        #expect(seen.string(3) != here.string(3))
        #expect(here.string(2) == name)
    }

    @Test func executeReturnsAffectedRows() throws {
        let connection = try TestServer.freshDatabase().connect()
        try connection.execute("CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 5)")
        #expect(try connection.execute("DELETE FROM t WHERE id > $1", ["2"]) == 3)
    }

    @Test func syntaxErrorCarriesSQLStateAndLabel() throws {
        let connection = try TestServer.freshDatabase().connect()
        let error = try #require(throws: PostgresError.self) {
            try connection.query("SELEC 1", name: "broken select")
        }
        #expect(error.kind == .query)
        #expect(error.sqlState == "42601")
        #expect(error.statement == "broken select")
        #expect(error.position == 1)
        #expect(error.description.contains("42601"))
        #expect(error.description.contains("broken select"))
        // The connection is still usable after a failed statement.
        #expect(try connection.query("SELECT 1")[0].int(0) == 1)
    }

    @Test func uniqueViolationCarriesSQLStateAndDetail() throws {
        let connection = try TestServer.freshDatabase().connect()
        try connection.execute("CREATE TABLE t (id int PRIMARY KEY)")
        try connection.execute("INSERT INTO t VALUES ($1)", ["7"])
        let error = try #require(throws: PostgresError.self) {
            try connection.execute("INSERT INTO t VALUES ($1)", ["7"], name: "insert duplicate")
        }
        #expect(error.sqlState == "23505")
        #expect(error.detail?.contains("(id)=(7)") == true)
    }

    @Test func transactionRollsBackWhenBodyThrows() throws {
        struct Boom: Error {}
        let connection = try TestServer.freshDatabase().connect()
        try connection.execute("CREATE TABLE t (id int)")
        #expect(throws: Boom.self) {
            try connection.transaction { connection in
                try connection.execute("INSERT INTO t VALUES ($1)", ["1"])
                throw Boom()
            }
        }
        #expect(try connection.query("SELECT count(*) FROM t")[0].int(0) == 0)

        let value = try connection.transaction { connection in
            try connection.execute("INSERT INTO t VALUES ($1)", ["2"])
            return 42
        }
        #expect(value == 42)
        #expect(try connection.query("SELECT count(*) FROM t")[0].int(0) == 1)
    }

    @Test func nestedTransactionUndoesOnlyInnerWork() throws {
        struct Boom: Error {}
        let connection = try TestServer.freshDatabase().connect()
        try connection.execute("CREATE TABLE t (id int)")
        try connection.transaction { connection in
            try connection.execute("INSERT INTO t VALUES (1)")
            try? connection.transaction { connection in
                try connection.execute("INSERT INTO t VALUES (2)")
                throw Boom()
            }
        }
        #expect(try connection.query("SELECT array_agg(id) FROM t")[0].string(0) == "{1}")
    }

    @Test func transactionWithSwallowedFailureDoesNotPretendToCommit() throws {
        let connection = try TestServer.freshDatabase().connect()
        try connection.execute("CREATE TABLE t (id int PRIMARY KEY)")
        let error = try #require(throws: PostgresError.self) {
            try connection.transaction { connection in
                try connection.execute("INSERT INTO t VALUES (1)")
                _ = try? connection.execute("INSERT INTO t VALUES (1)")
            }
        }
        #expect(error.message.contains("rolled back"))
        #expect(try connection.query("SELECT count(*) FROM t")[0].int(0) == 0)
    }

    @Test func wrongTypeIsAnErrorNotNull() throws {
        let connection = try TestServer.freshDatabase().connect()
        let row = try #require(try connection.query("SELECT 'abc' AS word").first)
        let error = try #require(throws: PostgresError.self) { try row.int("word") }
        #expect(error.kind == .decoding)
        #expect(error.description.contains("word"))
    }

    @Test func connectingWhereNothingListensIsAClearError() throws {
        let empty = try TestServer.temporaryDirectory()
        let error = try #require(throws: PostgresError.self) {
            try Connection(url: "postgresql:///etl?host=\(empty)&user=postgres")
        }
        #expect(error.kind == .connection)
        #expect(error.description.contains(empty))
        #expect(error.context?.contains("host=\(empty)") == true)

        // Keyword strings work the same way, and the password never shows.
        let keyword = try #require(throws: PostgresError.self) {
            try Connection(url: "host=\(empty) dbname=etl password=secret")
        }
        #expect(keyword.description.contains(empty))
        #expect(!keyword.description.contains("secret"))
    }

    /// Every connection finds a server that stops answering within about a minute (TCP
    /// keepalives) and gives up a connect after 10 s, unless its string says otherwise;
    /// libpq's defaults wait for hours.
    @Test func aConnectionGetsTimeoutsItsStringDoesNotSet() throws {
        let database = try TestServer.freshDatabase()
        let options = try database.connect().options()
        for (option, value) in Connection.lostPeerOptions { #expect(options[option] == value, "\(option)") }
        #expect(options["connect_timeout"] == ProcessInfo.processInfo.environment["PGCONNECT_TIMEOUT"] ?? "10")

        let separator = database.url.contains("?") ? "&" : "?"
        let tuned = try Connection(url: database.url + separator + "keepalives_idle=5&connect_timeout=3").options()
        #expect(tuned["keepalives_idle"] == "5" && tuned["connect_timeout"] == "3")
        #expect(tuned["keepalives_count"] == "3")
        #expect(try Connection(url: "keepalives=0 " + Self.keywords(database.url)).options()["keepalives"] == "0")
    }

    /// A database's (or role's) timeouts, a DBA's bound on analysts' queries, do not cut the
    /// tool's statements: they failed a load with the server's words only (an adversarial review).
    @Test func aDatabasesTimeoutsDoNotCutTheToolsStatements() throws {
        let database = try TestServer.freshDatabase()
        try database.connect().execute("ALTER DATABASE \(Connection.quoteIdentifier(database.name)) SET statement_timeout = '50ms'; "
                                       + "ALTER DATABASE \(Connection.quoteIdentifier(database.name)) SET idle_in_transaction_session_timeout = '50ms'")
        let connection = try database.connect()
        #expect(try connection.query("SELECT pg_sleep(0.2), current_setting('statement_timeout'), current_setting('lock_timeout')").first?.values
                == ["", "0", "0"])
        try connection.transaction { db in
            Thread.sleep(forTimeInterval: 0.2)
            _ = try db.query("SELECT 1")
        }
    }

    /// A server that takes the connection and never answers (a hung machine, or a port a
    /// local user holds): the connect fails after the default timeout, not never.
    @Test func aServerThatNeverAnswersFailsTheConnectInTime() throws {
        let (listener, port) = try silentLoopbackListener()
        let limit = Int(ProcessInfo.processInfo.environment["PGCONNECT_TIMEOUT"] ?? "") ?? Connection.connectTimeoutSeconds
        // Without the timeout libpq would wait for good: the listener is closed once the test
        // is done or 10 s late, whichever comes first, so that the test fails rather than hangs.
        let finished = DispatchSemaphore(value: 0), closed = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = finished.wait(timeout: .now() + .seconds(limit + 10))
            close(listener)
            closed.signal()
        }
        defer { finished.signal(); closed.wait() }
        let start = ContinuousClock.now
        let error = try #require(throws: PostgresError.self) {
            try Connection(url: "postgresql://postgres@127.0.0.1:\(port)/etl?sslmode=disable")
        }
        let waited = ContinuousClock.now - start
        #expect(error.kind == .connection)
        #expect(error.message.contains("timeout"), "\(error)")
        #expect(waited >= .seconds(limit - 1) && waited < .seconds(limit + 10), "\(waited)")
    }

    /// The database URL as a keyword string, for the keyword form of the same test.
    private static func keywords(_ url: String) throws -> String {
        try #require(ConnectionInfo.parse(url)).map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
    }

    /// After an immediate stop (or a crash) libpq reports the broken session as a plain error
    /// with no SQLSTATE, the connection still marked OK: it is a lost connection all the same
    /// (the runner then says "database unreachable", exit 69).
    @Test func aStatementAfterAnImmediateStopIsALostConnection() throws {
        let server = try TestServer.privateServer()
        try server.start()
        defer { try? server.stop() }
        let connection = try Connection(url: server.connectionString())
        #expect(try connection.query("SELECT 1")[0].int(0) == 1)
        try server.stop(.immediate)
        let error = try #require(throws: PostgresError.self) { try connection.query("SELECT 1") }
        #expect(error.kind == .connection, "\(error)")
        #expect(!error.message.contains("\n") && !error.message.contains("\t"), "one line in the log: \(error.message)")
    }

    @Test func closedConnectionThrows() throws {
        let connection = try TestServer.freshDatabase().connect()
        connection.close()
        connection.close()
        #expect(!connection.isOpen)
        let error = try #require(throws: PostgresError.self) { try connection.query("SELECT 1") }
        #expect(error.kind == .connection)
    }
}
