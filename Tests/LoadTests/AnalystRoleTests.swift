import Foundation
import Testing
import TestSupport
@testable import Load
import Postgres

@Suite struct AnalystRoleTests {
    /// Everything the catalogue holds about some roles: attributes, password verifier,
    /// comment, memberships among them either way. Equal before and after means nothing
    /// changed. Memberships with roles outside the set are left out: the test server is
    /// shared, and other tests make and drop analysts of etl_analyst while this one runs.
    static func snapshot(_ roles: [String], on db: Connection) throws -> [[String?]] {
        try db.query("""
            SELECT a.rolname, a.rolsuper, a.rolinherit, a.rolcreaterole, a.rolcreatedb, a.rolcanlogin, a.rolreplication,
                   a.rolbypassrls, a.rolconnlimit, a.rolpassword, a.rolvaliduntil, shobj_description(a.oid, 'pg_authid'),
                   (SELECT string_agg(m.roleid::regrole::text || '>' || m.member::regrole::text, ',' ORDER BY m.roleid, m.member)
                    FROM pg_auth_members m
                    WHERE a.oid IN (m.roleid, m.member)
                      AND m.roleid::regrole::text = ANY($1::text[]) AND m.member::regrole::text = ANY($1::text[]))
            FROM pg_authid a WHERE a.rolname = ANY($1::text[]) ORDER BY a.rolname
            """, ["{" + roles.map { "\"\($0)\"" }.joined(separator: ",") + "}"]).map(\.values)
    }

    static func unique(_ prefix: String) -> String { "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())" }

    @Test func aNewRoleIsMarkedAndItsPasswordIsStoredAsAVerifierOnly() throws {
        let h = try LoadHarness()
        let role = Self.unique("ana")
        #expect(try AnalystRole.grant(role, password: "first-password-1", on: h.connection) == .created)
        let row = try #require(try h.connection.query("""
            SELECT rolcanlogin, rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls,
                   shobj_description(oid, 'pg_authid'), rolpassword, pg_has_role(oid, 'etl_analyst', 'MEMBER')
            FROM pg_authid WHERE rolname = $1
            """, [role]).first)
        #expect(try row.bool(0) == true)
        #expect(try row.bool(1) == false)
        #expect(row.string(2) == AnalystRole.marker)
        let verifier = try #require(row.string(3))
        #expect(verifier.hasPrefix("SCRAM-SHA-256$4096:") && !verifier.contains("first-password-1"))
        #expect(try row.bool(4) == true)
        // An idle transaction of its ends with its session after an hour (it would hold back retention).
        #expect(try h.connection.query("SELECT setconfig::text FROM pg_db_role_setting WHERE setrole = $1::regrole", [role]).first?.string(0)
                == "{idle_in_transaction_session_timeout=1h}")

        #expect(try AnalystRole.grant(role, password: "ignored", keepExisting: true, on: h.connection) == .unchanged)
        #expect(try h.connection.query("SELECT rolpassword FROM pg_authid WHERE rolname = $1", [role]).first?.string(0) == verifier)
        #expect(try AnalystRole.grant(role, password: "second-password-2", on: h.connection) == .passwordSet)
        #expect(try h.connection.query("SELECT rolpassword FROM pg_authid WHERE rolname = $1", [role]).first?.string(0) != verifier)
    }

    @Test func rolesTheToolDidNotMakeAreRefusedAndLeftAsTheyWere() throws {
        let h = try LoadHarness()
        let db = h.connection
        let byHand = Self.unique("steward"), handMember = Self.unique("member"), powerful = Self.unique("powerful")
        try db.execute("CREATE ROLE \(byHand) LOGIN PASSWORD 'theirs'")
        // A member of etl_analyst made by hand, without the tool's comment.
        try db.execute("CREATE ROLE \(handMember) LOGIN PASSWORD 'theirs' IN ROLE etl_analyst")
        // The tool's comment and membership, but a power of its own.
        try db.execute("CREATE ROLE \(powerful) LOGIN CREATEDB IN ROLE etl_analyst")
        try db.execute("COMMENT ON ROLE \(powerful) IS '\(AnalystRole.marker.replacingOccurrences(of: "'", with: "''"))'")
        defer { try? db.execute("DROP ROLE \(byHand); DROP ROLE \(handMember); DROP ROLE \(powerful)") }

        let watched = ["postgres", "etl_analyst", "pg_monitor", byHand, handMember, powerful]
        let before = try Self.snapshot(watched, on: db)
        #expect(before.count == watched.count)
        for (name, says) in [("postgres", "superuser"), ("etl_analyst", "group"), (byHand, "did not make it"),
                             (handMember, "did not make it"), (powerful, "may create roles or databases"),
                             ("pg_monitor", "PostgreSQL's"), ("", "1 to 63 bytes"), (String(repeating: "x", count: 64), "1 to 63 bytes"),
                             ("national_feed", "a role of the tool's own"), ("etl_report", "a role of the tool's own")] {
            let error = #expect(throws: AnalystRoleError.self, "\(name)") {
                try AnalystRole.grant(name, password: "X", on: db)
            }
            #expect(error?.description.contains(says) == true, "\(error.map(String.init(describing:)) ?? "")")
            // keepExisting asks for no change at all, and is refused the same way.
            #expect(throws: AnalystRoleError.self) { try AnalystRole.grant(name, password: "X", keepExisting: true, on: db) }
        }
        #expect(try Self.snapshot(watched, on: db) == before)
        #expect(try db.query("SELECT 1 FROM pg_roles WHERE rolname = ''").isEmpty)
        // The connection is still usable: every refusal rolled its transaction back.
        #expect(try db.query("SELECT 1").count == 1)
    }

    /// Migration 030 repairs what earlier versions let `etl warehouse analyst` do, and
    /// marks the analyst roles they made. On a server of its own: it changes roles, which
    /// belong to the whole cluster.
    @Test func migration030RepairsAndMarksWhatEarlierVersionsDid() throws {
        let server = try TestServer.privateServer()
        try server.start()
        defer { try? server.stop(.immediate) }
        try server.createDatabase("etl")
        let db = try Connection(url: server.connectionString(database: "etl"))
        _ = try Migrator(directory: FactFixture.sqlDirectory).migrate(db)
        // What `etl warehouse analyst etl_analyst|postgres|NAME --password X` did before.
        try db.execute("""
            ALTER ROLE etl_analyst LOGIN PASSWORD 'X';
            GRANT etl_analyst TO postgres;
            CREATE ROLE old_analyst LOGIN PASSWORD 'p' IN ROLE etl_analyst;
            CREATE ROLE bi_team NOLOGIN IN ROLE etl_analyst;
            """)
        let migration = try String(contentsOfFile: FactFixture.sqlDirectory + "/030_analyst_roles.sql", encoding: .utf8)
        try db.execute(migration)

        #expect(try db.query("SELECT rolcanlogin, rolpassword IS NULL FROM pg_authid WHERE rolname = 'etl_analyst'").first?.values == ["f", "t"])
        #expect(try db.query("SELECT EXISTS (SELECT FROM pg_auth_members WHERE member = 'postgres'::regrole AND roleid = 'etl_analyst'::regrole)")
            .first?.bool(0) == false)
        #expect(try AnalystRole.grant("old_analyst", password: "new-password", on: db) == .passwordSet)
        // A group granted etl_analyst by hand is not a login the tool made.
        #expect(throws: AnalystRoleError.self) { try AnalystRole.grant("bi_team", password: "X", on: db) }
    }
}
