import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Postgres

@Suite struct MigratorTests {
    /// A migrations folder with the given files.
    func folder(_ files: [String: String]) throws -> String {
        let directory = try TestServer.temporaryDirectory()
        for (name, sql) in files {
            try sql.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8)
        }
        return directory
    }

    @Test func appliesInOrderAndRecords() throws {
        let connection = try TestServer.freshDatabase().connect()
        // 002 needs 001's table and 010 needs 002's column: any other order fails.
        let directory = try folder([
            "010_index.sql": "CREATE INDEX ON warehouse.child (born);",
            "001_child.sql": "CREATE SCHEMA warehouse; CREATE TABLE warehouse.child (id int PRIMARY KEY);",
            "002_born.sql": "ALTER TABLE warehouse.child ADD COLUMN born date;",
            "README.md": "not a migration",
        ])
        let applied = try Migrator(directory: directory).migrate(connection)
        #expect(applied.map(\.version) == [1, 2, 10])

        let rows = try connection.query("SELECT version, name, checksum, applied_at FROM etl.schema_migrations ORDER BY version")
        #expect(try rows.map { try $0.int(0) } == [1, 2, 10])
        #expect(rows.map { $0.string(1) } == ["001_child.sql", "002_born.sql", "010_index.sql"])
        // sha256 of "ALTER TABLE warehouse.child ADD COLUMN born date;" (as `sha256sum` gives it).
        #expect(rows[1].string(2) == "b58285d6695dc858f61358bbb9d9c72be7f88e8b89c0eda6a0158e2875f3064e")
        #expect(rows.allSatisfy { $0.string(3) != nil })
    }

    @Test func reapplyingIsANoOp() throws {
        let connection = try TestServer.freshDatabase().connect()
        let directory = try folder(["001_t.sql": "CREATE TABLE t (id int); INSERT INTO t VALUES (1);"])
        let migrator = Migrator(directory: directory)
        #expect(try migrator.migrate(connection).count == 1)
        #expect(try migrator.migrate(connection).isEmpty)
        #expect(try connection.query("SELECT count(*) FROM t")[0].int(0) == 1)
        #expect(try connection.query("SELECT count(*) FROM etl.schema_migrations")[0].int(0) == 1)
    }

    /// An older etl on a warehouse a newer one migrated is refused before it touches it: it
    /// recreated its views over tables it did not know and said "migrated" (a review).
    @Test func aDatabaseANewerEtlMigratedIsRefused() throws {
        let connection = try TestServer.freshDatabase().connect()
        let newerFiles = try folder(["001_t.sql": "CREATE TABLE t (id int);", "090_u.sql": "CREATE TABLE u (id int);"])
        try Migrator(directory: newerFiles).migrate(connection)
        let olderFiles = try folder(["001_t.sql": "CREATE TABLE t (id int);", "002_v.sql": "CREATE TABLE v (id int);"])
        let error = try #require(throws: PostgresError.self) { try Migrator(directory: olderFiles).migrate(connection) }
        #expect(error.kind == .newerSchema && error.description.contains("its migration 090_u.sql is not among this tool's, whose newest is 002_v.sql"), "\(error)")
        #expect(try connection.query("SELECT to_regclass('v') IS NULL")[0].bool(0) == true)

        // One between this tool's (a fix numbered in a gap), or only newer views: the same (a re-test).
        let gap = try TestServer.freshDatabase().connect()
        try Migrator(directory: try folder(["001_t.sql": "CREATE TABLE t (id int);", "002_g.sql": "CREATE TABLE g (id int);",
                                            "003_w.sql": "CREATE TABLE w (id int);"])).migrate(gap)
        let withoutGap = try folder(["001_t.sql": "CREATE TABLE t (id int);", "003_w.sql": "CREATE TABLE w (id int);"])
        let gapError = try #require(throws: PostgresError.self) { try Migrator(directory: withoutGap).migrate(gap) }
        #expect(gapError.kind == .newerSchema && gapError.description.contains("its migration 002_g.sql is not among this tool's"), "\(gapError)")

        let views = try TestServer.freshDatabase().connect()
        let newerViews = try folder(["001_t.sql": "CREATE SCHEMA w; CREATE TABLE w.t (id int);"])
        try FileManager.default.createDirectory(atPath: newerViews + "/views", withIntermediateDirectories: true)
        try "CREATE VIEW w.v2 AS SELECT id FROM w.t;".write(toFile: newerViews + "/views/10_v.sql", atomically: true, encoding: .utf8)
        var newer = Migrator(directory: newerViews)
        newer.programVersion = "0.10.0"
        try newer.migrate(views)
        var older = Migrator(directory: try folder(["001_t.sql": "CREATE SCHEMA w; CREATE TABLE w.t (id int);"]))
        older.programVersion = "0.9.1"
        let viewsError = try #require(throws: PostgresError.self) { try older.migrate(views) }
        #expect(viewsError.kind == .newerSchema && viewsError.description.contains("its views were made by etl 0.10.0, and this is 0.9.1"), "\(viewsError)")
        #expect(try views.query("SELECT to_regclass('w.v2') IS NOT NULL")[0].bool(0) == true, "the newer views kept")
        #expect(Migrator.isLater("0.2.1-rc1", than: "0.2.0") && Migrator.isLater("v0.3", than: "0.2.9") && !Migrator.isLater("0.2.0", than: "0.2.0"))
        older.programVersion = "0.10.0"   // the same version (a build of it) may make its own views
        try older.migrate(views)
        #expect(try views.query("SELECT to_regclass('w.v2') IS NULL")[0].bool(0) == true)
    }

    @Test func changedAppliedFileIsAnErrorNamingIt() throws {
        let connection = try TestServer.freshDatabase().connect()
        let directory = try folder(["001_t.sql": "CREATE TABLE t (id int);", "002_u.sql": "CREATE TABLE u (id int);"])
        try Migrator(directory: directory).migrate(connection)
        try "CREATE TABLE t (id bigint);".write(toFile: "\(directory)/001_t.sql", atomically: true, encoding: .utf8)
        try "CREATE TABLE v (id int);".write(toFile: "\(directory)/003_v.sql", atomically: true, encoding: .utf8)

        let error = try #require(throws: PostgresError.self) { try Migrator(directory: directory).migrate(connection) }
        #expect(error.kind == .migration)
        #expect(error.description.contains("001_t.sql"))
        // Nothing after the changed file was applied.
        #expect(try connection.query("SELECT to_regclass('v') IS NULL")[0].bool(0) == true)
    }

    @Test func failingMigrationRollsBackTheWholeUpgrade() throws {
        let connection = try TestServer.freshDatabase().connect()
        let directory = try folder([
            "001_ok.sql": "CREATE TABLE a (id int);",
            "002_bad.sql": "CREATE TABLE b (id int);\nCREATE TABLE c (id nosuchtype);",
        ])
        let error = try #require(throws: PostgresError.self) { try Migrator(directory: directory).migrate(connection) }
        #expect(error.sqlState == "42704")
        #expect(error.statement == "002_bad.sql")
        // One transaction: the warehouse stays wholly at the old version.
        #expect(try connection.query("SELECT to_regclass('a') IS NULL AND to_regclass('b') IS NULL")[0].bool(0) == true)
        #expect(try connection.query("SELECT count(*) FROM etl.schema_migrations")[0].int(0) == 0)
    }

    @Test func repeatableFilesAreMadeAnewWhenTheirTextChanges() throws {
        let connection = try TestServer.freshDatabase().connect()
        let directory = try folder(["001_t.sql": "CREATE SCHEMA w; CREATE TABLE w.t (id int, name text); INSERT INTO w.t VALUES (1, 'a');"])
        try FileManager.default.createDirectory(atPath: "\(directory)/views", withIntermediateDirectories: true)
        func write(_ name: String, _ sql: String) throws {
            try sql.write(toFile: "\(directory)/views/\(name)", atomically: true, encoding: .utf8)
        }
        // 20 reads 10's view: name order is dependency order.
        try write("10_ids.sql", "CREATE VIEW w.ids AS SELECT id FROM w.t;")
        try write("20_twice.sql", "CREATE FUNCTION w.twice(x bigint) RETURNS bigint LANGUAGE sql AS 'SELECT 2 * x'; CREATE VIEW w.doubled AS SELECT w.twice(id) AS v FROM w.ids;")
        let migrator = Migrator(directory: directory)
        #expect(try migrator.migrate(connection).map(\.name) == ["001_t.sql", "views/10_ids.sql", "views/20_twice.sql"])
        #expect(try connection.query("SELECT v FROM w.doubled")[0].int(0) == 2)
        #expect(try migrator.migrate(connection).isEmpty)

        // A changed view file: every view is made anew; a view no file makes any more is gone.
        try write("10_ids.sql", "CREATE VIEW w.ids AS SELECT id + 10 AS id FROM w.t;")
        try write("20_twice.sql", "CREATE FUNCTION w.twice(x bigint) RETURNS bigint LANGUAGE sql AS 'SELECT 2 * x'; CREATE VIEW w.doubled2 AS SELECT w.twice(id) AS v FROM w.ids;")
        #expect(try migrator.migrate(connection).map(\.name) == ["views/10_ids.sql", "views/20_twice.sql"])
        #expect(try connection.query("SELECT v FROM w.doubled2")[0].int(0) == 22)
        #expect(try connection.query("SELECT to_regclass('w.doubled') IS NULL")[0].bool(0) == true)

        // A migration may change a column the views read: they are dropped first, made last.
        try "ALTER TABLE w.t ALTER COLUMN id TYPE bigint;".write(toFile: "\(directory)/002_bigint.sql", atomically: true, encoding: .utf8)
        #expect(try migrator.migrate(connection).map(\.name).first == "002_bigint.sql")
        #expect(try connection.query("SELECT pg_typeof(id)::text FROM w.ids")[0].string(0) == "bigint")
    }

    @Test func failingViewFileRollsBackAndNamesIt() throws {
        let connection = try TestServer.freshDatabase().connect()
        let directory = try folder(["001_t.sql": "CREATE TABLE t (id int);"])
        try FileManager.default.createDirectory(atPath: "\(directory)/views", withIntermediateDirectories: true)
        try "CREATE VIEW v AS SELECT nosuchcolumn FROM t;".write(toFile: "\(directory)/views/10_v.sql", atomically: true, encoding: .utf8)
        let error = try #require(throws: PostgresError.self) { try Migrator(directory: directory).migrate(connection) }
        #expect(error.statement == "views/10_v.sql")
        #expect(try connection.query("SELECT to_regclass('t') IS NULL")[0].bool(0) == true)
    }

    @Test func malformedAndDuplicateNamesAreRejected() throws {
        let duplicate = try folder(["001_a.sql": "", "1_b.sql": ""])
        let error = try #require(throws: PostgresError.self) { try Migrator(directory: duplicate).migrations() }
        #expect(error.description.contains("share version 1"))

        let malformed = try folder(["001-a.sql": ""])
        #expect(throws: PostgresError.self) { try Migrator(directory: malformed).migrations() }
    }

    @Test func concurrentMigratorsApplyEachFileOnce() async throws {
        let database = try TestServer.freshDatabase()
        let directory = try folder([
            "001_t.sql": "CREATE TABLE t (id int); SELECT pg_sleep(0.2);",
            "002_u.sql": "INSERT INTO t VALUES (1);",
        ])
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    let connection = try database.connect()
                    return try Migrator(directory: directory).migrate(connection).count
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(counts.sorted() == [0, 0, 2])
        let connection = try database.connect()
        #expect(try connection.query("SELECT count(*) FROM t")[0].int(0) == 1)
    }

    /// An upgrade waiting for a long analyst transaction lets readers through between its
    /// tries (a reader that waits at most 3 s for a lock reads while it keeps trying), gives
    /// up naming the session in its way, and succeeds once that session has finished.
    @Test func anUpgradeGivesWayToReadersAndNamesTheSessionInItsWay() throws {
        let database = try TestServer.freshDatabase()
        let directory = try folder(["001_t.sql": "CREATE SCHEMA w; CREATE TABLE w.t (id int); INSERT INTO w.t VALUES (1);"])
        try FileManager.default.createDirectory(atPath: "\(directory)/views", withIntermediateDirectories: true)
        let view = "\(directory)/views/10_v.sql"
        try "CREATE VIEW w.v AS SELECT id FROM w.t;".write(toFile: view, atomically: true, encoding: .utf8)
        var migrator = Migrator(directory: directory)
        migrator.lockTimeout = .seconds(1)
        migrator.pause = .milliseconds(300)
        try migrator.migrate(database.connect())

        let analyst = try database.connect()
        let analystPID = try #require(try analyst.query("SELECT pg_backend_pid()")[0].int(0))
        try analyst.execute("BEGIN")
        _ = try analyst.query("SELECT * FROM w.v")
        try "CREATE VIEW w.v AS SELECT id, 2 * id AS twice FROM w.t;".write(toFile: view, atomically: true, encoding: .utf8)

        // Gives up within its patience, naming the analyst's session; nothing changed.
        var impatient = migrator
        impatient.patience = .seconds(2)
        let told = Mutex<[String]>([])   // said once, at the first try it gives way
        impatient.waiting = { message in told.withLock { $0.append(message) } }
        // Bounded, so that a migrator that waits for ever fails here rather than hangs.
        @Sendable func bounded() throws -> Connection {
            let connection = try database.connect()
            try connection.execute("SET statement_timeout = '20s'")
            return connection
        }
        let error = try #require(throws: PostgresError.self) { try impatient.migrate(bounded()) }
        #expect(error.sqlState == "55P03")
        #expect(error.message.contains("pid \(analystPID) ("), "\(error)")
        #expect(error.message.contains("nothing was changed"))
        let messages = told.withLock { $0 }
        #expect(messages.count == 1 && messages[0].contains("gives way") && messages[0].contains("pid \(analystPID) ("), "\(messages)")
        #expect(try analyst.query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'v'")[0].int(0) == 1)

        // A patient one, while a reader comes.
        migrator.patience = .seconds(60)
        let upgrade = Self.onThread { [migrator] in try migrator.migrate(bounded()).count }
        let watcher = try database.connect()
        #expect(try Self.waitUntil {
            try watcher.query("""
                SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                """)[0].bool(0) ?? false
        }, "the upgrade never waited for its lock")
        let reader = try database.connect()
        try reader.execute("SET lock_timeout = '3s'")
        #expect(try reader.query("SELECT id FROM w.v")[0].int(0) == 1)

        try analyst.execute("COMMIT")
        #expect(try upgrade.wait()?.get() == 1)
        #expect(try reader.query("SELECT twice FROM w.v")[0].int(0) == 2)
    }

    /// A deadlock with a reader (it read one view, the upgrade dropped another and waits for
    /// the first, the reader then reads the dropped one), which PostgreSQL ends by failing the
    /// upgrade's statement, is tried again as a lock timeout is: it failed the upgrade at once (a review).
    @Test func anUpgradeDeadlockedWithAReaderTriesAgain() throws {
        let database = try TestServer.freshDatabase()
        let directory = try folder(["001_t.sql": "CREATE SCHEMA w; CREATE TABLE w.t (id int); INSERT INTO w.t VALUES (1);"])
        try FileManager.default.createDirectory(atPath: "\(directory)/views", withIntermediateDirectories: true)
        func views(_ column: String) throws {
            try "CREATE VIEW w.a AS SELECT id AS \(column) FROM w.t; CREATE VIEW w.b AS SELECT id AS \(column) FROM w.t;"
                .write(toFile: "\(directory)/views/10_v.sql", atomically: true, encoding: .utf8)
        }
        try views("id")
        var migrator = Migrator(directory: directory)
        migrator.lockTimeout = .seconds(5)   // past deadlock_timeout (1 s): the deadlock is found first
        migrator.pause = .milliseconds(300)
        try migrator.migrate(database.connect())

        let reader = try database.connect()
        try reader.execute("BEGIN")
        _ = try reader.query("SELECT * FROM w.b")
        try views("n")
        let upgrade = Self.onThread { [migrator] in try migrator.migrate(database.connect()).count }
        // Once the upgrade has dropped w.a and waits for w.b, the reader reads w.a.
        let watcher = try database.connect()
        #expect(try Self.waitUntil {
            try watcher.query("""
                SELECT count(*) > 0 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                WHERE NOT l.granted AND c.relname = 'b' AND l.mode = 'AccessExclusiveLock'
                """)[0].bool(0) ?? false
        }, "the upgrade never waited for w.b")
        _ = try reader.query("SELECT * FROM w.a")
        try reader.execute("COMMIT")
        #expect(try upgrade.wait()?.get() == 1)
        #expect(try reader.query("SELECT n FROM w.a")[0].int(0) == 1)
    }

    /// The result of work on a thread of its own (not the shared task pool's, which other
    /// tests may hold), once it is there.
    final class Outcome: Sendable {
        let result = Mutex<Result<Int, any Error>?>(nil)

        /// The result, waiting for it a minute at most; nil if there is none by then.
        func wait() -> Result<Int, any Error>? {
            _ = MigratorTests.waitUntil(seconds: 60) { result.withLock { $0 } != nil }
            return result.withLock { $0 }
        }
    }

    static func onThread(_ body: @escaping @Sendable () throws -> Int) -> Outcome {
        let outcome = Outcome()
        Thread.detachNewThread {
            let result = Result { try body() }
            outcome.result.withLock { $0 = result }
        }
        return outcome
    }

    /// Whether `condition` holds within `seconds`, asked every 10 ms.
    static func waitUntil(seconds: Int = 30, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }
}
