import Foundation
import Load
import Logging
import Pipeline
import Postgres

/// The warehouse a command works on: a named database, or the embedded server under the
/// state directory. Migrated on connect.
package struct WarehouseTarget: Sendable {
    /// A libpq URL or keyword string ("" for the `PG*` environment), or nil for the
    /// embedded server.
    package var url: String?
    package var state: StateLayout
    /// Whether connecting may create the embedded cluster. Only `etl run`, `etl demo` and
    /// `etl warehouse start` may: any other command on a state directory without one says
    /// so, rather than leave an empty warehouse behind.
    package var mayCreateCluster: Bool

    package init(url: String?, state: StateLayout, mayCreateCluster: Bool = true) {
        self.url = url; self.state = state; self.mayCreateCluster = mayCreateCluster
    }

    package static let embeddedDatabase = "etl"
    /// The variables by which libpq names a database (PGPASSWORD and PGSERVICE included).
    package static let libpqVariables = ["PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSERVICE"]

    /// `--database`, else `DATABASE_URL`, else the libpq environment (`PGHOST`, …), else the
    /// pipeline file's, else the embedded server.
    package static func resolve(flag: String?, pipeline: PipelineConfig?, state: StateLayout,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               mayCreateCluster: Bool = false) -> WarehouseTarget {
        func set(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let url = flag ?? set("DATABASE_URL")
            ?? (libpqVariables.contains { set($0) != nil } ? "" : nil)
            ?? pipeline?.database
        return WarehouseTarget(url: url, state: state, mayCreateCluster: mayCreateCluster)
    }

    package var embeddedServer: EmbeddedServer { EmbeddedServer(directory: state.postgres.path) }

    /// What to show a person: the URL, or its keywords without a password (`ConnectionInfo.shown`).
    package var displayName: String {
        guard let url else { return "embedded server in \(state.postgres.path)" }
        if url.isEmpty {
            let environment = ProcessInfo.processInfo.environment
            let set = Self.libpqVariables.filter { $0 != "PGPASSWORD" }.compactMap { name in
                environment[name].flatMap { $0.isEmpty ? nil : "\(name)=\($0)" }
            }
            return "the libpq environment (\(set.isEmpty ? "PGPASSWORD" : set.joined(separator: " ")))"
        }
        return ConnectionInfo.shown(url) ?? "a connection string libpq cannot read"
    }

    /// Starts the embedded server if it is the target (creating its cluster only when
    /// `mayCreateCluster`), then connects (retrying transient failures with backoff) and
    /// applies pending migrations. `embeddedDatabase`: the embedded server's database to use
    /// (the national coordinator's is another).
    package func connect(logger: Logger, retries: Int = 4, migrate: Bool = true, embeddedDatabase: String = Self.embeddedDatabase) throws -> Connection {
        let connection: Connection
        if let url {
            connection = try Self.connectRetrying(url, display: displayName, logger: logger, retries: retries)
        } else {
            let server = embeddedServer
            guard mayCreateCluster || server.clusterExists else { throw WarehouseError.noCluster(state: state.root.path) }
            try StateDirectory.checkBeforeMaking(state.root.path)
            if let since = stoppedByHandSince {   // a server someone started anyway is used
                guard case .running? = try? server.status() else { throw WarehouseError.stoppedByHand(state: state.root.path, since: since) }
            }
            // A server shutting down (a reboot, `pg_ctl stop -m fast`) is waited out, as a
            // remote one's restart is: it is started again once it has stopped.
            do {
                connection = try Self.retryingTransient(retries: retries, logger: logger, what: "embedded server not ready") {
                    try server.start()
                    try server.createDatabase(embeddedDatabase)
                    return try Connection(url: server.connectionString(database: embeddedDatabase))
                }
            } catch let error as PostgresError {
                throw WarehouseError.serverUnavailable(state: state.root.path, message: error.description)
            }
        }
        if migrate {
            let directory = try SchemaFiles.directory()
            let applied: [Migration]
            do {
                var migrator = Migrator(directory: directory)
                migrator.waiting = { logger.warning("\($0)") }
                migrator.programVersion = ProgramVersion.current
                applied = try migrator.migrate(connection)
            } catch let error as PostgresError where error.sqlState == "42501" {
                // An analyst's connection string given to etl (a new user's trial got the bare SQL error).
                let user = (try? connection.query("SELECT current_user").first?.string(0)) ?? nil
                throw OperationsError.notTheOwner(target: displayName, user: user ?? "?", message: error.message)
            }
            if !applied.isEmpty {
                logger.info("migrated the warehouse", metadata: ["from": "\(directory)", "applied": "\(applied.map(\.name).joined(separator: ","))"])
            }
        }
        return connection
    }

    /// Written by `etl warehouse stop`, removed by `etl warehouse start`: while it is there no
    /// other command starts the embedded server, which a steward stopped on purpose (for a
    /// backup, or to shut analysts out).
    package var stoppedByHandFile: URL { state.postgres.appendingPathComponent("stopped-by-hand") }

    /// When `etl warehouse stop` stopped the embedded server, if it did and no start followed.
    var stoppedByHandSince: String? {
        (try? String(contentsOf: stoppedByHandFile, encoding: .utf8)).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// The connection string the owner can paste into psql.
    package var psqlURL: String {
        guard let url else { return embeddedServer.connectionString(database: Self.embeddedDatabase) }
        guard url.isEmpty else { return url }
        var environment = PostgresURL(ConnectionInfo.defaults())
        environment.password = nil
        return environment.text
    }

    /// What became of a publish whose connection was lost.
    package enum LostPublish: Equatable, Sendable {
        /// The warehouse says `loadID` is published: the answer to its COMMIT was what was lost.
        case published
        /// Not published, or not a lost connection: the stage failed as any other.
        case notPublished
        /// The warehouse could not be asked: either run may be the published one.
        case unknown
    }

    /// Whether a publish whose connection was lost published `loadID` all the same: the
    /// answer to its COMMIT may be what was lost, and "as it was" would then be wrong (an
    /// adversarial review). Asked on a new session once the old one (`backend`) is gone, as
    /// it may still be committing.
    package func lostPublish(_ error: any Error, loadID: Int64, backend: Int32) -> LostPublish {
        guard (error as? PostgresError)?.kind == .connection else { return .notPublished }
        guard let db = try? Connection(url: psqlURL) else { return .unknown }
        let alive = "SELECT FROM pg_stat_activity WHERE pid = $1"
        func gone() -> Bool? { (try? db.query(alive, [String(backend)]))?.isEmpty }
        for wait in 0..<50 where gone() == false {
            if wait == 30 { _ = try? db.query("SELECT pg_terminate_backend($1)", [String(backend)]) }
            Thread.sleep(forTimeInterval: 0.2)
        }
        // Still there, it may yet commit: what the warehouse says now is not the answer.
        guard gone() == true, let published = try? Publisher(connection: db).isPublished(loadID: loadID) else { return .unknown }
        return published ? .published : .notPublished
    }

    /// What a publish of `run` (`forced` over a newer one) whose connection was lost says
    /// when `lostPublish` is unknown. Not a `connectionLost`: that says "as it was".
    func unconfirmedPublish(_ error: any Error, run: RunID, forced: Bool) -> OperationsError {
        .publishUnconfirmed(run: run, forced: forced, target: displayName, message: (error as? PostgresError)?.message ?? "\(error)")
    }

    static func connectRetrying(_ url: String, display: String, logger: Logger, retries: Int) throws -> Connection {
        do {
            return try retryingTransient(retries: retries, logger: logger, what: "database not reachable") { try Connection(url: url) }
        } catch let error as PostgresError where error.isTransient {
            throw OperationsError.databaseUnreachable(target: display, message: error.message)
        } catch let error as PostgresError where error.refusedAccess {
            throw OperationsError.databaseRefused(target: display, message: error.message)
        }
    }

    /// `body`, again after a transient failure (`isTransient`), at most `retries` times more,
    /// waiting 0.5, 1, 2, … s between; the last failure is thrown.
    static func retryingTransient<T>(retries: Int, logger: Logger, what: String, _ body: () throws -> T) throws -> T {
        var delay = 0.5
        for attempt in 0..<retries {
            do { return try body() } catch let error as PostgresError where error.isTransient {
                logger.warning("\(what), retrying", metadata: ["attempt": "\(attempt + 1)", "in_seconds": "\(delay)", "error": "\(error.message)"])
                Thread.sleep(forTimeInterval: delay)
                delay *= 2
            }
        }
        return try body()
    }
}
