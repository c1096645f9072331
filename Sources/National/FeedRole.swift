import Operations
import Pipeline
import Postgres

/// The login role a national coordinator reads a warehouse's national feed as
/// (`etl national feed-role`): it reads the views of schema `national_feed` and nothing else,
/// in read-only transactions, and the embedded server lets it in over TCP with its SCRAM
/// password (`EmbeddedServer.accessRules`).
///
/// As for analysts' roles, the tool changes the role only when it made it: the comment
/// `marker` and no power of its own (superuser, CREATEROLE, CREATEDB, REPLICATION, BYPASSRLS).
package enum FeedRole {
    package static let name = EmbeddedServer.nationalFeedRole
    package static let marker = "etl national feed role: made by `etl national feed-role`; reads schema national_feed only"
    /// The grants of sql/views/84_national_feed_grants.sql, made at once for a new role.
    static let grants = "GRANT USAGE ON SCHEMA national_feed TO national_feed; GRANT SELECT ON ALL TABLES IN SCHEMA national_feed TO national_feed"

    /// The role's session settings. Keepalives: a coordinator cut off by the network ends its
    /// session, a read snapshot held open, within about a minute, not after the kernel's two
    /// hours. The idle timeout: a coordinator alive but stuck (waiting on another
    /// municipality's commit through a tunnel that keeps TCP up) left this warehouse's feed
    /// sessions idle in a transaction, which held back its own migrations and with them its
    /// analysts (an adversarial review); a publish's gaps between reads are seconds.
    static let sessionSettings = Connection.serverKeepaliveSettings + [("idle_in_transaction_session_timeout", "10min")]

    package enum Outcome: Equatable, Sendable {
        case created, passwordSet, unchanged
    }

    /// Creates the role with `password`, or sets the password of the role the tool made
    /// before (with `keepExisting`, leaves it). One transaction: a refusal changes nothing;
    /// the password reaches the server only as a SCRAM verifier made by libpq.
    @discardableResult
    package static func grant(password: String, keepExisting: Bool, on db: Connection) throws -> Outcome {
        try db.transaction { db in
            _ = try db.query("SELECT pg_advisory_xact_lock(hashtext('etl national feed-role'))", name: "lock feed role")
            guard try !db.query("SELECT 1 FROM pg_namespace WHERE nspname = 'national_feed'", name: "find feed schema").isEmpty else {
                throw FeedRoleError.noFeed
            }
            let rows = try db.query("""
                SELECT r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls,
                       r.rolname IN (current_user, session_user),
                       shobj_description(r.oid, 'pg_authid') IS NOT DISTINCT FROM $2,
                       coalesce(r.rolconfig, '{}') @> $3::text[]
                FROM pg_roles r WHERE r.rolname = $1
                """, [name, marker, Connection.textArray(sessionSettings.map { "\($0.0)=\($0.1)" })], name: "find feed role")
            let outcome: Outcome
            if let role = rows.first {
                if try role.bool(0) == true { throw FeedRoleError.notFeedRole("it has powers of its own (superuser, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS)") }
                if try role.bool(1) == true { throw FeedRoleError.notFeedRole("it is the role this command connects as") }
                guard try role.bool(2) == true else { throw FeedRoleError.notFeedRole("`etl national feed-role` did not make it (it lacks the tool's comment)") }
                if keepExisting {
                    outcome = .unchanged
                } else {
                    try run(db, "ALTER ROLE %I LOGIN PASSWORD %L", try db.scramVerifier(password: password, role: name))
                    outcome = .passwordSet
                }
            } else {
                try run(db, "CREATE ROLE %I LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 20 PASSWORD %L",
                        try db.scramVerifier(password: password, role: name))
                try run(db, "COMMENT ON ROLE %I IS %L", marker)
                // A coordinator only reads; nothing it sends may change this warehouse.
                try run(db, "ALTER ROLE %I SET default_transaction_read_only = %L", "on")
                outcome = .created
            }
            // Set once: printing the feed again (keep-existing) needs no right to alter the role.
            if try rows.first?.bool(3) != true {
                for (setting, value) in sessionSettings { try run(db, "ALTER ROLE %I SET \(setting) = %L", value) }
            }
            try db.execute(grants, name: "grant the feed")
            return outcome
        }
    }

    /// A statement the server builds with `format()` (%I the role's name, %L the value).
    private static func run(_ db: Connection, _ template: String, _ value: String) throws {
        try db.execute(try db.format(template, [name, value], name: "feed role"), name: "feed role")
    }
}

package enum FeedRoleError: StewardError, Equatable {
    case notFeedRole(String)
    case noFeed

    package var description: String {
        switch self {
        case .notFeedRole(let why):
            "role \(FeedRole.name) exists but is not the national feed's role, so it is left as it is: \(why). Drop or rename it first"
        case .noFeed:
            "this warehouse has no national feed (schema national_feed); it is made by migration 050: run `etl migrate` with this version of etl"
        }
    }

    package var exitStatus: ExitStatus {
        switch self {
        case .notFeedRole: .usage
        case .noFeed: .failure
        }
    }
}
