import Foundation
import Logging
import Operations
import Pipeline
import Postgres

/// The national coordinator's database (docs/national.md): the municipalities' feeds as
/// partitioned tables of foreign tables (`sync`), and the national snapshots (`publish`).
/// Its schema is `sql/national/` (numbered migrations and repeatable views), applied on
/// connect as a warehouse's is.
package struct Coordinator {
    package let file: NationalFile
    package let db: Connection
    /// What to show a person: the database, its password masked.
    package let target: String
    let logger: Logger

    /// The embedded server's database for the coordinator: never `etl`, whose migrations
    /// are a warehouse's.
    package static let embeddedDatabase = "national"

    /// `url` (`--database`, `DATABASE_URL`, the libpq environment; nil: the national file's
    /// `database`, else the embedded server under `state`). Only `sync` may create the
    /// embedded cluster.
    package static func connect(file: NationalFile, url: String?, state: StateLayout, mayCreateCluster: Bool,
                                logger: Logger) throws -> Coordinator {
        let chosen = url ?? file.database
        let target = WarehouseTarget(url: chosen, state: state, mayCreateCluster: mayCreateCluster)
        let display = chosen == nil ? "the embedded server in \(state.postgres.path), database \(embeddedDatabase)" : target.displayName
        // As a warehouse is reached: an embedded server stopped by hand stays stopped (a
        // national publish started it again, an adversarial review found), a restarting one is waited out.
        let db = try target.connect(logger: logger, migrate: false, embeddedDatabase: embeddedDatabase)
        let directory = try SchemaFiles.directory() + "/national"
        do {
            var migrator = Migrator(directory: directory)
            migrator.programVersion = ProgramVersion.current
            let applied = try migrator.migrate(db)
            if !applied.isEmpty {
                logger.info("migrated the coordinator", metadata: ["applied": "\(applied.map(\.name).joined(separator: ","))"])
            }
        } catch let error as PostgresError where error.kind == .otherSchema {
            throw NationalError.notACoordinator(target: display, detail: error.message)
        } catch let error as PostgresError where error.kind == .migration {
            throw NationalError.notACoordinator(target: display, detail: error.description)
        }
        try db.execute("SET enable_partitionwise_aggregate = on; SET jit = off; SET statement_timeout = \(file.readTimeout * 1000)",
                       name: "session settings")
        return Coordinator(file: file, db: db, target: display, logger: logger)
    }

    /// Runs `body` holding the coordinator's advisory lock: one sync or publish at a time.
    func exclusively<T>(_ command: String, _ body: () throws -> T) throws -> T {
        let key: Int64 = 5634527961634701  // any value unique to this use
        // Its pid and host in the name: a session stuck in the server (docs/national.md) can be
        // told from a command still running.
        let lock = try AdvisoryLock(connection: db, holder: AdvisoryLock.naming(command), key: key, lock: "advisory lock \(key) on \(target)",
                                    otherwise: "another `etl national sync` or `publish`")
        defer { withExtendedLifetime(lock) {} }
        do {
            return try body()
        } catch let error as PostgresError where error.kind == .connection && !db.isOpen {
            // The coordinator's own server went away before a commit: one transaction, so
            // nothing of it is there (a publish's commit is asked again, `publish`).
            throw NationalError.coordinatorLost(target: target, message: Self.firstLine(error.message),
                                                command: String(command.split(separator: " ").last ?? ""))
        }
    }


    /// The published snapshot, if any.
    package func publishedSnapshot() throws -> Int64? {
        try db.query("SELECT snapshot_id FROM snapshot.published", name: "published snapshot").first
            .flatMap { try $0.int(0) }.map(Int64.init)
    }
}
