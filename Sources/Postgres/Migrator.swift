import Foundation

/// Brings a warehouse's schema up to date (sql/README.md):
///
/// - the numbered files of `directory` (tables), each applied once, in order, and recorded in
///   `etl.schema_migrations`; an applied file whose SHA-256 changed is an error, since
///   applied migrations are history and a change goes in a new file;
/// - the repeatable files of `directory/views` (views and functions, which hold no data),
///   re-created, all of them, whenever any of their text changed.
///
/// Everything happens in one transaction: a warehouse is either wholly at the old version
/// or wholly at the new one, and readers see the old views until the commit. A session
/// advisory lock serialises migrators of several processes; the second waits and then
/// finds nothing left to do.
package struct Migrator: Sendable {
    package let directory: String

    /// Key of the advisory lock ("etlmig" in ASCII); any value unique to this use will do.
    static let lockKey = "111550709721447"

    package init(directory: String) {
        self.directory = directory
    }

    /// The numbered migration files, in order.
    package func migrations() throws -> [Migration] {
        try Migration.all(in: directory)
    }

    /// The repeatable files (`views/*.sql`), in name order.
    package func repeatables() throws -> [Migration] {
        try Migration.repeatables(in: (directory as NSString).appendingPathComponent("views"))
    }

    /// Applies the migrations not applied yet and, when anything changed, re-creates the
    /// repeatable objects. Returns the files applied (empty when up to date).
    @discardableResult
    package func migrate(_ connection: Connection) throws -> [Migration] {
        let files = try migrations()
        let views = try repeatables()
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
            CREATE TABLE IF NOT EXISTS etl.schema_repeatables (
                singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                checksum  text NOT NULL,   -- sha256 over the names and contents of sql/views/
                objects   jsonb NOT NULL,  -- what they made: [{"kind": "view"|"routine", "name": ...}]
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """, name: "create etl.schema_migrations")
        var applied: [Int: String] = [:]
        for row in try connection.query("SELECT version, checksum FROM etl.schema_migrations", name: "read applied migrations") {
            if let version = try row.int(0), let checksum = row.string(1) { applied[version] = checksum }
        }

        var pending: [(migration: Migration, checksum: String)] = []
        for migration in files {
            let checksum = try sha256(migration.contents, connection)
            guard let recorded = applied[migration.version] else {
                pending.append((migration, checksum))
                continue
            }
            guard recorded == checksum else {
                throw PostgresError(
                    .migration, "\(migration.name) was changed after it was applied (recorded sha256 \(recorded), file now \(checksum))",
                    hint: "restore the applied file and put the change in a new numbered migration",
                    statement: migration.name, context: migration.path)
            }
        }
        let viewsChecksum = try sha256(views.reduce(into: Data()) { data, file in
            data.append(Data(file.name.utf8)); data.append(0); data.append(file.contents); data.append(0)
        }, connection)
        let recorded = try connection.query("SELECT checksum FROM etl.schema_repeatables", name: "read repeatables").first?.string(0)
        guard !pending.isEmpty || recorded != viewsChecksum else { return [] }

        var current: Migration?
        do {
            try connection.transaction { db in
                // Tables may change under the views: drop the views first, make them anew last.
                try dropRepeatableObjects(db)
                for (migration, checksum) in pending {
                    current = migration
                    try db.execute(migration.sql, name: migration.name)
                    _ = try db.execute(
                        "INSERT INTO etl.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        [String(migration.version), migration.name, checksum], name: "record \(migration.name)")
                }
                let before = try definedObjects(db)
                for view in views {
                    current = view
                    try db.execute(view.sql, name: view.name)
                }
                current = nil
                let made = try definedObjects(db).subtracting(before).sorted()
                let objects = String(decoding: try JSONEncoder().encode(made), as: UTF8.self)
                _ = try db.execute("""
                    INSERT INTO etl.schema_repeatables (checksum, objects) VALUES ($1, $2::jsonb)
                    ON CONFLICT (singleton) DO UPDATE SET checksum = excluded.checksum, objects = excluded.objects, applied_at = now()
                    """, [viewsChecksum, objects], name: "record repeatables")
            }
        } catch var error as PostgresError {
            if let current {
                error.statement = current.name
                error.context = error.context ?? current.path
            }
            throw error
        }
        return pending.map(\.migration) + views
    }

    /// A view or routine made by the repeatable files.
    struct DefinedObject: Codable, Hashable, Comparable {
        var kind: String
        var name: String
        static func < (a: Self, b: Self) -> Bool { (a.kind, a.name) < (b.kind, b.name) }
    }

    /// Views and routines outside the system schemas and `public`, not part of an extension.
    private func definedObjects(_ db: Connection) throws -> Set<DefinedObject> {
        let rows = try db.query("""
            SELECT CASE c.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END, format('%I.%I', n.nspname, c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('v', 'm') AND n.nspname NOT IN ('public', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
              AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
            UNION ALL
            SELECT 'routine', format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE p.prokind IN ('f', 'p') AND n.nspname NOT IN ('public', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
              AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
            """, name: "list views and routines")
        return Set(rows.compactMap { row in row.string(0).flatMap { kind in row.string(1).map { DefinedObject(kind: kind, name: $0) } } })
    }

    /// Drops what the repeatable files made last time (CASCADE: views on views).
    private func dropRepeatableObjects(_ db: Connection) throws {
        guard let json = try db.query("SELECT objects FROM etl.schema_repeatables", name: "read repeatable objects").first?.string(0)
        else { return }
        for object in try JSONDecoder().decode([DefinedObject].self, from: Data(json.utf8)) {
            try db.execute("DROP \(object.kind.uppercased()) IF EXISTS \(object.name) CASCADE", name: "drop \(object.name)")
        }
    }

    /// SHA-256 of the bytes, hex, like `sha256sum`. Computed by the server
    /// (`sha256(bytea)`), which saves this target a crypto dependency.
    private func sha256(_ contents: Data, _ connection: Connection) throws -> String {
        let rows = try connection.query("SELECT encode(sha256(decode($1, 'base64')), 'hex')", [contents.base64EncodedString()],
                                        name: "checksum migration")
        guard let digest = rows.first?.string(0) else {
            throw PostgresError(.migration, "the server returned no checksum")
        }
        return digest
    }
}
