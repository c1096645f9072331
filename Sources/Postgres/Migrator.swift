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
/// finds nothing left to do (or, if the first gave up, tries itself).
///
/// The upgrade's locks are asked for with a short `lock_timeout` and the whole transaction is
/// tried again, for at most `patience`, while other sessions read what it changes: a DDL
/// statement waiting for its lock queues every later reader behind it, so one long analyst
/// query would otherwise stop every view for as long as it runs. A deadlock with a reader
/// (which PostgreSQL finds after `deadlock_timeout`, before the lock timeout) is tried again
/// the same way.
package struct Migrator: Sendable {
    package let directory: String
    /// How long each try waits for a lock (and so holds readers up) before giving way.
    package var lockTimeout: Duration = .seconds(2)
    /// How long a migration keeps trying before it gives up, naming the sessions in its way.
    package var patience: Duration = .seconds(600)
    /// The pause between tries, in which readers queued behind a try get through.
    package var pause: Duration = .seconds(3)
    /// Told once, when the upgrade first gives way, which sessions are in its way: a command
    /// that waited minutes in silence looked hung (a review).
    package var waiting: (@Sendable (String) -> Void)?
    /// The version of the etl migrating (`1.2.3`), recorded with the views it makes: views a
    /// newer one made are not replaced by this one's. Nil: not recorded or compared.
    package var programVersion: String?

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
        // Asked first: the ALTER takes its table's strongest lock on every connection otherwise.
        if try connection.query("""
            SELECT FROM information_schema.columns WHERE table_schema = 'etl' AND table_name = 'schema_repeatables' AND column_name = 'made_by'
            """, name: "made_by there").isEmpty {
            try connection.execute("ALTER TABLE etl.schema_repeatables ADD COLUMN IF NOT EXISTS made_by text  -- the etl version that made them",
                                   name: "add made_by")
        }
        var applied: [Int: (name: String, checksum: String)] = [:]
        for row in try connection.query("SELECT version, name, checksum FROM etl.schema_migrations", name: "read applied migrations") {
            if let version = try row.int(0), let name = row.string(1), let checksum = row.string(2) { applied[version] = (name, checksum) }
        }

        var pending: [(migration: Migration, checksum: String)] = []
        for migration in files {
            let checksum = try sha256(migration.contents, connection)
            guard let recorded = applied[migration.version] else {
                pending.append((migration, checksum))
                continue
            }
            // Another first migration: not a changed file but the wrong database, a warehouse's or a
            // coordinator's ("restore the applied file" sent a steward the wrong way, a review).
            guard migration.version != 1 || recorded.name == migration.name else {
                throw PostgresError(
                    .otherSchema, "the database's migration 1 is \(recorded.name), not \(migration.name): it holds another schema "
                        + "(a warehouse and a national coordinator each have a database of their own)",
                    hint: "give the command the database it made", statement: migration.name, context: migration.path)
            }
            guard recorded.checksum == checksum else {
                throw PostgresError(
                    .migration, "\(migration.name) was changed after it was applied (recorded sha256 \(recorded.checksum), file now \(checksum))",
                    hint: "restore the applied file and put the change in a new numbered migration",
                    statement: migration.name, context: migration.path)
            }
        }
        let viewsChecksum = try sha256(views.reduce(into: Data()) { data, file in
            data.append(Data(file.name.utf8)); data.append(0); data.append(file.contents); data.append(0)
        }, connection)
        let repeatables = try connection.query("SELECT checksum, made_by FROM etl.schema_repeatables", name: "read repeatables").first
        let recorded = repeatables?.string(0)
        try refuseNewer(applied, files, viewsMadeBy: recorded == viewsChecksum ? nil : repeatables?.string(1))
        guard !pending.isEmpty || recorded != viewsChecksum else { return [] }

        let deadline = ContinuousClock.now + patience
        var told = false
        while true {
            do {
                try apply(pending, views, viewsChecksum: viewsChecksum, connection)
                return pending.map(\.migration) + views
            } catch let error as PostgresError where error.sqlState == "55P03" || error.sqlState == "40P01" {
                guard ContinuousClock.now + pause < deadline else { throw sessionsInTheWay(connection, error) }
                if !told, let waiting {
                    told = true
                    let sessions = sessionsHoldingLocks(connection)
                    waiting("the schema upgrade gives way to sessions reading the warehouse and tries again every \(Self.spoken(pause)) "
                            + "for up to \(Self.spoken(patience))" + (sessions.isEmpty ? "" : "; holding locks: " + sessions.joined(separator: ", ")))
                }
                Thread.sleep(forTimeInterval: Double(Self.milliseconds(pause)) / 1000)
            }
        }
    }

    /// A database a newer etl migrated: one of its migrations is not among this tool's, or its
    /// views (`viewsMadeBy`, when they differ from this tool's) were made by a later version.
    /// An older etl put back after an upgrade recreated its views over tables it did not
    /// know, and said "migrated" (a review).
    private func refuseNewer(_ applied: [Int: (name: String, checksum: String)], _ files: [Migration], viewsMadeBy: String?) throws {
        let own = files.last.map { ", whose newest is \($0.name)" } ?? ""
        var found: String?
        if let unknown = applied.keys.filter({ v in !files.contains { $0.version == v } }).min() {
            found = "its migration \(applied[unknown]!.name) is not among this tool's\(own)"
        } else if let viewsMadeBy, let programVersion, Self.isLater(viewsMadeBy, than: programVersion) {
            found = "its views were made by etl \(viewsMadeBy), and this is \(programVersion)"
        }
        guard let found else { return }
        throw PostgresError(
            .newerSchema, "the database was migrated by a newer etl: \(found)",
            hint: "run the etl (and its sql/ folder) that migrated it; to go back to this version, restore the database as it was before the upgrade",
            context: directory)
    }

    /// Whether dotted version `a` is later than `b` (`0.10.0` after `0.9.1`).
    static func isLater(_ a: String, than b: String) -> Bool {
        // Each part by its leading digits: `1-rc1` is 1, `v0` 0 (a re-test's 0.2.1-rc1 read as 0.2.0).
        let parts = { (v: String) in v.split(separator: ".").map { Int($0.drop { !$0.isNumber }.prefix { $0.isNumber }) ?? 0 } }
        let (x, y) = (parts(a), parts(b))
        for i in 0..<max(x.count, y.count) where (i < x.count ? x[i] : 0) != (i < y.count ? y[i] : 0) {
            return (i < x.count ? x[i] : 0) > (i < y.count ? y[i] : 0)
        }
        return false
    }

    /// One try at the upgrade, in one transaction.
    private func apply(_ pending: [(migration: Migration, checksum: String)], _ views: [Migration], viewsChecksum: String,
                       _ connection: Connection) throws {
        var current: Migration?
        do {
            try connection.transaction { db in
                try db.execute("SET LOCAL lock_timeout = \(max(1, Self.milliseconds(lockTimeout)))", name: "lock timeout")
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
                    INSERT INTO etl.schema_repeatables (checksum, objects, made_by) VALUES ($1, $2::jsonb, $3)
                    ON CONFLICT (singleton) DO UPDATE SET checksum = excluded.checksum, objects = excluded.objects,
                                                          made_by = excluded.made_by, applied_at = now()
                    """, [viewsChecksum, objects, programVersion], name: "record repeatables")
            }
        } catch var error as PostgresError {
            if let current {
                error.statement = current.name
                error.context = error.context ?? current.path
            }
            throw error
        }
    }

    /// The error of a migration that gave up: which sessions of this database hold locks on
    /// its tables and views (the longest-running first), and what to do. The try has rolled
    /// back, so who blocked it last is not known; should this query fail, it names none.
    private func sessionsInTheWay(_ connection: Connection, _ error: PostgresError) -> PostgresError {
        let sessions = sessionsHoldingLocks(connection)
        return PostgresError(
            .query, "the schema upgrade could not take its locks within \(Self.spoken(patience)) while other sessions read the "
                + "warehouse, and gave up; nothing was changed"
                + (sessions.isEmpty ? "" : ". Holding locks on its tables or views: " + sessions.joined(separator: ", ")),
            sqlState: error.sqlState, detail: error.message,
            hint: "let their queries finish, or end them (SELECT pg_cancel_backend(pid), or pg_terminate_backend(pid) "
                + "for one idle in a transaction; an etl command's own session says so in its name), then run the command again; "
                + "meanwhile each of its waits for a lock lasted at most \(Self.spoken(lockTimeout))",
            statement: error.statement, context: error.context)
    }

    /// The sessions of this database holding locks on its tables and views, the
    /// longest-running first; none when the query fails.
    private func sessionsHoldingLocks(_ connection: Connection) -> [String] {
        let rows = (try? connection.query("""
            SELECT DISTINCT a.pid::text, coalesce(a.usename, '?'), coalesce(nullif(a.application_name, ''), '-'), coalesce(a.state, '?'),
                   to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), a.xact_start
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                 JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE l.granted AND l.locktype = 'relation' AND a.pid <> pg_backend_pid() AND a.datname = current_database()
              AND a.backend_type = 'client backend' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\\_toast%'
            ORDER BY a.xact_start NULLS LAST, 1
            """, name: "sessions holding locks")) ?? []
        return rows.map { row in
            "pid \(row.string(0) ?? "?") (user \(row.string(1) ?? "?"), \(row.string(2) ?? "-"), \(row.string(3) ?? "?")"
                + (row.string(4).map { ", in a transaction since \($0) UTC" } ?? "") + ")"
        }
    }

    private static func milliseconds(_ d: Duration) -> Int64 {
        d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
    }

    /// A duration as a person reads it: `600 ms`, `2 s`, `10 min`.
    private static func spoken(_ d: Duration) -> String {
        let ms = milliseconds(d)
        return ms < 1000 ? "\(ms) ms" : ms < 120_000 || ms % 60_000 != 0 ? "\(ms / 1000) s" : "\(ms / 60_000) min"
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
