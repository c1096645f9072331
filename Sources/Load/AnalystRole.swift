import Postgres

/// Analysts' login roles: members of `etl_analyst` (sql/007_roles.sql), which reads the
/// metrics views and nothing else.
public enum AnalystRole {
    /// Creates the role, or sets its password and membership if it exists.
    public static func grant(_ name: String, password: String?, on db: Connection) throws {
        let exists = try !db.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [name], name: "role exists").isEmpty
        // The server quotes the name and password (format %I, %L): nothing is spliced here.
        for template in exists
            ? ["ALTER ROLE %I LOGIN PASSWORD %L", "GRANT etl_analyst TO %I"]
            : ["CREATE ROLE %I LOGIN PASSWORD %L IN ROLE etl_analyst"] {
            let statement = try db.query("SELECT format($1, $2::text, $3::text)", [template, name, password], name: "analyst role")
            try db.execute(statement.first?.string(0) ?? "", name: "analyst role \(name)")
        }
    }
}
