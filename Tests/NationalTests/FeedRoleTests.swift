import Foundation
import Postgres
import Testing
import TestSupport
@testable import National

/// `etl national feed-role` on a warehouse: the role it makes, and the roles it leaves alone.
/// On a server of its own, since roles belong to the whole cluster.
@Suite struct FeedRoleTests {
    @Test func makesAReadOnlyRoleOfTheFeedAndNoOtherRole() throws {
        let server = try TestServer.privateServer()
        try server.start()
        defer { try? server.stop(.immediate) }
        try server.createDatabase("etl")
        let db = try Connection(url: server.connectionString(database: "etl"))
        try Migrator(directory: ETL.repo.appendingPathComponent("sql").path).migrate(db)

        // A role of that name the tool did not make is left as it is.
        try db.execute("CREATE ROLE national_feed LOGIN")
        let refused = #expect(throws: FeedRoleError.self) { try FeedRole.grant(password: "x", keepExisting: false, on: db) }
        #expect(refused.map { "\($0)" }?.contains("lacks the tool's comment") == true)
        try db.execute("DROP ROLE national_feed")

        #expect(try FeedRole.grant(password: "first", keepExisting: false, on: db) == .created)
        let role = try #require(try db.query("""
            SELECT rolcanlogin, rolinherit, rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls, rolconnlimit,
                   rolconfig::text
            FROM pg_roles WHERE rolname = 'national_feed'
            """).first)
        // Keepalives: a coordinator cut off by the network does not hold a snapshot open for two hours.
        #expect(role.values == ["t", "f", "f", "20",
                                "{default_transaction_read_only=on,tcp_keepalives_idle=30,tcp_keepalives_interval=10,tcp_keepalives_count=3,"
                                + "idle_in_transaction_session_timeout=10min}"])
        let readable = try db.query("""
            SELECT DISTINCT table_schema FROM information_schema.role_table_grants WHERE grantee = 'national_feed'
            """).compactMap { $0.string(0) }
        #expect(readable == ["national_feed"])
        // A role made by an older version, without the keepalives or the idle timeout, gets them when the feed is printed again.
        try db.execute("ALTER ROLE national_feed RESET tcp_keepalives_idle; ALTER ROLE national_feed RESET idle_in_transaction_session_timeout")
        #expect(try FeedRole.grant(password: "ignored", keepExisting: true, on: db) == .unchanged)
        let settings = try db.query("SELECT rolconfig::text FROM pg_roles WHERE rolname = 'national_feed'").first?.string(0) ?? ""
        #expect(settings.contains("tcp_keepalives_idle=30") && settings.contains("idle_in_transaction_session_timeout=10min"), "\(settings)")
        #expect(try FeedRole.grant(password: "second", keepExisting: false, on: db) == .passwordSet)

        // The views are made anew when their files change; the grants follow (84_national_feed_grants.sql).
        try db.execute("UPDATE etl.schema_repeatables SET checksum = 'changed'")
        try Migrator(directory: ETL.repo.appendingPathComponent("sql").path).migrate(db)
        #expect(try db.query("SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = 'national_feed'").first?.int(0) == 5)

        // Powers of its own make it someone else's.
        try db.execute("ALTER ROLE national_feed CREATEDB")
        #expect(throws: FeedRoleError.self) { try FeedRole.grant(password: "x", keepExisting: false, on: db) }
    }
}
