import Foundation

/// Applies the numbered SQL files of a directory in order, each in its own transaction,
/// and records them in `etl.schema_migrations`, so an older warehouse is upgraded in place.
///
/// A session advisory lock serialises migrators of several processes; the second waits
/// and then finds nothing left to do. An applied file whose SHA-256 changed is an error:
/// applied migrations are history, and a change goes in a new file.
public struct Migrator: Sendable {
    public let directory: String

    /// Key of the advisory lock ("etlmig" in ASCII); any value unique to this use will do.
    static let lockKey = "111550709721447"

    public init(directory: String) {
        self.directory = directory
    }

    /// The migration files, in order.
    public func migrations() throws -> [Migration] {
        try Migration.all(in: directory)
    }

    /// Applies the files not applied yet; returns them (empty when up to date).
    @discardableResult
    public func migrate(_ connection: Connection) throws -> [Migration] {
        let files = try migrations()
        _ = try connection.query("SELECT pg_advisory_lock($1::bigint)", [Self.lockKey], name: "lock migrations")
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1::bigint)", [Self.lockKey], name: "unlock migrations") }

        try connection.execute("""
            CREATE SCHEMA IF NOT EXISTS etl;
            CREATE TABLE IF NOT EXISTS etl.schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,  -- sha256 of the file, hex
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """, name: "create etl.schema_migrations")
        var applied: [Int: String] = [:]
        for row in try connection.query("SELECT version, checksum FROM etl.schema_migrations", name: "read applied migrations") {
            if let version = try row.int(0), let checksum = row.string(1) { applied[version] = checksum }
        }

        var appliedNow: [Migration] = []
        for migration in files {
            let checksum = try sha256(migration.contents, connection)
            if let recorded = applied[migration.version] {
                guard recorded == checksum else {
                    throw PostgresError(
                        .migration, "\(migration.name) was changed after it was applied (recorded sha256 \(recorded), file now \(checksum))",
                        hint: "restore the applied file and put the change in a new numbered migration",
                        statement: migration.name, context: migration.path)
                }
                continue
            }
            do {
                try connection.transaction { connection in
                    try connection.execute(migration.sql, name: migration.name)
                    try connection.execute(
                        "INSERT INTO etl.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        [String(migration.version), migration.name, checksum], name: "record \(migration.name)")
                }
            } catch var error as PostgresError {
                error.context = error.context ?? migration.path
                throw error
            }
            appliedNow.append(migration)
        }
        return appliedNow
    }

    /// SHA-256 of the file's bytes, hex, like `sha256sum`. Computed by the server
    /// (`sha256(bytea)`), which saves this target a crypto dependency.
    private func sha256(_ contents: Data, _ connection: Connection) throws -> String {
        let hex = contents.map { String(format: "%02x", $0) }.joined()
        let rows = try connection.query("SELECT encode(sha256(decode($1, 'hex')), 'hex')", [hex], name: "checksum migration")
        guard let digest = rows.first?.string(0) else {
            throw PostgresError(.migration, "the server returned no checksum")
        }
        return digest
    }
}
