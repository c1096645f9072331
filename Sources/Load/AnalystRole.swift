import Postgres

/// Analysts' login roles: members of `etl_analyst` (sql/007_roles.sql), which reads the
/// metrics views and nothing else, and the only roles the embedded server lets in over TCP
/// (`EmbeddedServer.accessRules`).
///
/// The tool changes only roles it made. It knows them by three marks, all set when it
/// creates one: membership of `etl_analyst`, the comment `marker` on the role, and no
/// power of its own (not a superuser; cannot create roles or databases, replicate or
/// bypass row security). A role without all three is refused, whatever its name.
package enum AnalystRole {
    package static let group = EmbeddedServer.analystGroup
    package static let marker = "etl analyst role: made by `etl warehouse analyst`; reads schema metrics only"

    /// How long an analyst's transaction may sit idle before the server ends its session.
    package static let idleTransactionTimeout = "1h"

    package enum Outcome: Equatable, Sendable {
        case created, passwordSet, unchanged
    }

    /// Creates the role with `password`, or sets the password of an analyst role the tool
    /// made before (with `keepExisting`, leaves it). Checks and change are one transaction,
    /// so a refusal changes nothing; the password reaches the server only as a SCRAM verifier.
    @discardableResult
    package static func grant(_ name: String, password: String, keepExisting: Bool = false, on db: Connection) throws -> Outcome {
        try db.transaction { db in
            // Serialise the check and the change against another `etl warehouse analyst`
            // on this database (advisory locks are per database; on another one, a race
            // ends in an error from CREATE ROLE, never in a half-made role).
            _ = try db.query("SELECT pg_advisory_xact_lock(hashtext('etl warehouse analyst'))", name: "lock analyst roles")
            try checkName(name)
            guard try !db.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [group], name: "find group role").isEmpty else {
                throw AnalystRoleError(role: name, problem: .groupMissing)
            }
            let rows = try db.query("""
                SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls,
                       r.rolname IN (current_user, session_user),
                       EXISTS (SELECT FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                               WHERE m.member = r.oid AND g.rolname = $2),
                       shobj_description(r.oid, 'pg_authid') IS NOT DISTINCT FROM $3
                FROM pg_roles r WHERE r.rolname = $1
                """, [name, group, marker], name: "find role")
            if let role = rows.first {
                let flags = try (0..<8).map { try role.bool($0) ?? false }
                if flags[0] { throw AnalystRoleError(role: name, problem: .notAnalyst("it is a superuser")) }
                if flags[1] || flags[2] || flags[3] || flags[4] {
                    throw AnalystRoleError(role: name, problem: .notAnalyst("it may create roles or databases, replicate or bypass row security"))
                }
                if flags[5] { throw AnalystRoleError(role: name, problem: .notAnalyst("it is the role this command connects as")) }
                guard flags[6], flags[7] else {
                    throw AnalystRoleError(role: name, problem: .notAnalyst("`etl warehouse analyst` did not make it (it lacks membership of \(group) or the tool's comment)"))
                }
                if keepExisting { return .unchanged }
                try run(db, "ALTER ROLE %I LOGIN PASSWORD %L", name, try db.scramVerifier(password: password, role: name))
                return .passwordSet
            }
            try run(db, "CREATE ROLE %I LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L IN ROLE \(group)",
                    name, try db.scramVerifier(password: password, role: name))
            try run(db, "COMMENT ON ROLE %I IS %L", name, marker)
            // A transaction left open for a day (a client in manual-commit mode) would keep
            // retention from dropping the loads its snapshot can read, night after night.
            try run(db, "ALTER ROLE %I SET idle_in_transaction_session_timeout = %L", name, idleTransactionTimeout)
            return .created
        }
    }

    /// Names no analyst role may have, refused before the catalogue is even read.
    private static func checkName(_ name: String) throws {
        if name == group {
            throw AnalystRoleError(role: name, problem: .notAnalyst("it is the group the analysts' roles are members of, never a login"))
        }
        if name.isEmpty || name.utf8.count > 63 {
            throw AnalystRoleError(role: name, problem: .badName("a role name has 1 to 63 bytes"))
        }
        if name.hasPrefix("pg_") {
            throw AnalystRoleError(role: name, problem: .badName("names starting with pg_ are PostgreSQL's"))
        }
        // The tool's other roles: taken by an analyst, the report or the national feed could not be made.
        if ["etl_report", EmbeddedServer.nationalFeedRole].contains(name) {
            throw AnalystRoleError(role: name, problem: .badName("it is the name of a role of the tool's own (the report's or the national feed's)"))
        }
    }

    /// Runs a statement the server builds with `format()` (%I quotes the name, %L the
    /// value), so nothing is spliced into SQL here.
    private static func run(_ db: Connection, _ template: String, _ name: String, _ value: String) throws {
        try db.execute(try db.format(template, [name, value], name: "analyst role"), name: "analyst role \(name)")
    }
}
