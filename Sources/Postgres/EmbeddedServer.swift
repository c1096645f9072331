import Foundation
import Logging

/// The PostgreSQL server the tool runs itself when no database is named: a cluster in
/// `<directory>/data`, reachable through a Unix socket in `<directory>` and, when asked
/// (`start(listen:)`), on one TCP address.
///
/// - The superuser is always `postgres` (`initdb -U postgres`), whoever runs the tool, so
///   connection strings are the same on every machine.
/// - Who may connect is `pg_hba.conf`, written by the tool on every start (`accessRules`):
///   the owner as `postgres` through the socket (`trust`: the directory is 0700, so only
///   its owner and root reach the socket); analysts' roles and the national feed's role over
///   TCP with a SCRAM password; nothing else.
/// - Encoding UTF8 with the C locale: byte-order sorting, identical on every machine and
///   independent of which OS locales are installed.
/// - As root, the server runs as the `postgres` account (see `ServerAccount`).
///
/// A value type holding only paths, so it is Sendable; concurrent `start`/`stop` calls,
/// from this or another process, are serialised by a lock file.
package struct EmbeddedServer: Sendable {
    /// Absolute path of the server's directory; it also holds the socket.
    package let directory: String
    package var dataDirectory: String { directory + "/data" }
    package var logFile: String { directory + "/server.log" }
    package var socketDirectory: String { directory }

    /// The port when the server listens on no TCP address: it only names the socket file
    /// (`.s.PGSQL.5432`). With `--listen HOST:PORT` the socket takes that port too.
    package static let defaultPort = 5432
    package static let superuser = "postgres"
    /// The group role whose members (and only they) may connect over TCP.
    package static let analystGroup = "etl_analyst"
    /// The login role a national coordinator reads the national feed as (docs/national.md).
    package static let nationalFeedRole = "national_feed"
    /// sun_path holds 108 bytes including the terminating NUL.
    static let maximumSocketPathLength = 107

    let searchPath: [String]?
    /// False for throwaway servers (tests): no fsync anywhere, so a crash of the machine
    /// (not of the server) may corrupt the cluster, in exchange for much faster initdb,
    /// commits and stops.
    let durable: Bool
    let logger: Logger

    /// - Parameters:
    ///   - searchPath: directories to look for the server programs in, instead of PATH
    ///     and /usr/lib/postgresql/*/bin.
    ///   - durable: keep true for anything that holds data worth keeping.
    package init(
        directory: String, searchPath: [String]? = nil, durable: Bool = true,
        logger: Logger = Logger(label: "etl.postgres.server")
    ) {
        self.directory = URL(fileURLWithPath: directory).standardizedFileURL.path
        self.searchPath = searchPath
        self.durable = durable
        self.logger = logger
    }

    package func status() throws -> ServerStatus {
        try ServerStatus.read(dataDirectory: dataDirectory)
    }

    /// The TCP address recorded by the last `start(listen:)` that set one, nil for none.
    package var listen: TCPAddress? {
        (try? String(contentsOfFile: listenFile, encoding: .utf8)).flatMap { TCPAddress($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
    /// The port of the socket (and of TCP, when listening).
    package var port: Int { listen?.port ?? Self.defaultPort }
    var listenFile: String { directory + "/listen" }

    /// True once `initdb` has made the cluster.
    package var clusterExists: Bool { clusterVersion() != nil }

    /// A URL for libpq and `psql`, e.g. `postgresql:///etl?host=/var/etl/postgres&port=5432&user=postgres`.
    /// The port and user are spelled out so PGPORT/PGUSER in the environment cannot redirect it.
    package func connectionString(database: String = "postgres") -> String {
        var pathCharacters = CharacterSet.urlPathAllowed
        pathCharacters.remove(charactersIn: "/?#")
        var hostCharacters = CharacterSet.urlQueryAllowed
        hostCharacters.remove(charactersIn: "&=+#")
        let name = database.addingPercentEncoding(withAllowedCharacters: pathCharacters) ?? database
        let host = socketDirectory.addingPercentEncoding(withAllowedCharacters: hostCharacters) ?? socketDirectory
        return "postgresql:///\(name)?host=\(host)&port=\(port)&user=\(Self.superuser)"
    }

    /// What `start(listen:)` does with the TCP address.
    package enum ListenChange: Sendable, Equatable {
        /// The one recorded by the last start that set one (none at first).
        case keep
        /// No TCP: the socket only.
        case off
        case on(TCPAddress)
    }

    /// Creates the cluster on first use and starts the server; harmless when it is running.
    /// Recovers from a stale pid file left by a crash.
    package func start() throws { try start(listen: .keep) }

    /// Starts the server as `start()` does, listening on TCP as `change` says; the address
    /// is recorded, so later starts (by any command) keep it. A running server that
    /// listens otherwise is refused: `restartNeeded(for:)` tells before.
    package func start(listen change: ListenChange) throws {
        let previous = listen
        let wanted: TCPAddress? = switch change {
        case .keep: previous
        case .off: nil
        case .on(let address): address
        }
        try checkSocketPathLength(port: wanted?.port ?? Self.defaultPort)
        let account = try ServerAccount.forCurrentUser()
        try prepareDirectory(account)
        try withLock {
            if change != .keep, restartNeeded(for: wanted) {
                throw PostgresError(.server, "the server is running \(Self.describe(RunningListen.read(dataDirectory: dataDirectory)))",
                                    hint: "stop it first (etl warehouse stop) to start it \(wanted.map { "listening on \($0)" } ?? "without TCP")",
                                    context: directory)
            }
            try record(wanted)
            do {
                try startLocked(account)
            } catch {
                try? record(previous)
                throw error
            }
        }
    }

    /// True when the server runs, but not on the TCP address `wanted` (nil: none).
    package func restartNeeded(for wanted: TCPAddress?) -> Bool {
        guard case .running = (try? status()) ?? .stopped, let running = RunningListen.read(dataDirectory: dataDirectory) else { return false }
        return !running.serves(wanted, socketPort: Self.defaultPort)
    }

    private static func describe(_ running: RunningListen?) -> String {
        guard let running else { return "" }
        return running.host.map { "listening on \(TCPAddress(host: $0, port: running.port))" } ?? "without TCP"
    }

    private func record(_ address: TCPAddress?) throws {
        if let address {
            // Read by every command that connects, without the lock: replaced whole, never truncated.
            let fresh = listenFile + ".new"   // one writer at a time: the caller holds the lock
            try ServerAccount.write("\(address)\n", to: fresh, account: nil)
            guard rename(fresh, listenFile) == 0 else {
                unlink(fresh)
                throw PostgresError(.server, "cannot write \(listenFile): \(String(cString: strerror(errno)))", context: directory)
            }
        } else if FileManager.default.fileExists(atPath: listenFile) {
            try FileManager.default.removeItem(atPath: listenFile)
        }
    }

    private func startLocked(_ account: ServerAccount?) throws {
        let binaries = try ServerBinaries.locate(searchPath: searchPath, majorVersion: clusterVersion())
        if clusterVersion() == nil { try initialiseCluster(binaries, account) }
        // Never started on stock settings: a cluster an older version's killed initdb left.
        guard (try? String(contentsOfFile: dataDirectory + "/postgresql.conf", encoding: .utf8))?.contains(Self.includeLine) == true else {
            throw PostgresError(.server, "the cluster in \(dataDirectory) was never finished (its initdb was stopped): it lacks etl's settings",
                                hint: "stop anything running from it, remove \(dataDirectory), and run again: a new cluster is made", context: directory)
        }
        try writeSettings(account)
        let rulesChanged = try writeAccessRules(account)
        switch try status() {
        case .running(let pid):
            logger.debug("PostgreSQL already running", metadata: ["pid": "\(pid)", "directory": "\(directory)"])
            if rulesChanged { try reload(binaries, account) }
            return
        case .stale(let pid):
            // postgres refuses to start while its old pid still looks alive (a zombie
            // does), so remove the file; the shared-memory check still stops a start
            // while old backends linger, and the retries below wait those out.
            logger.warning("removing stale postmaster.pid", metadata: ["pid": "\(pid)", "directory": "\(directory)"])
            try? FileManager.default.removeItem(atPath: dataDirectory + "/postmaster.pid")
        case .stopped:
            break
        }
        try startServer(binaries, account)
    }

    package enum StopMode: String, Sendable {
        /// Ends open sessions and writes a checkpoint: nothing is lost.
        case fast
        /// Kills the server without a checkpoint: the next start replays the WAL. For
        /// throwaway servers.
        case immediate
    }

    /// Stops the server. Harmless when it is not running; a stale pid file is removed.
    /// A fast stop that a session holds up past `patience` seconds is made an immediate
    /// one: a session stuck in a call without a timeout (postgres_fdw's cancel of a query to a
    /// server whose processes are stopped, in PostgreSQL 15) ignores the stop for ever, and
    /// held the coordinator's lock with it (an adversarial review). Nothing committed is lost:
    /// the next start replays the WAL.
    package func stop(_ mode: StopMode = .fast, patience: Int = 60) throws {
        guard FileManager.default.fileExists(atPath: dataDirectory) else { return }
        let account = try ServerAccount.forCurrentUser()
        try account?.makeTraversable(above: directory, logger: logger)
        try withLock {
            switch try status() {
            case .stopped:
                return
            case .stale:
                try? FileManager.default.removeItem(atPath: dataDirectory + "/postmaster.pid")
            case .running:
                let binaries = try ServerBinaries.locate(searchPath: searchPath, majorVersion: clusterVersion())
                func pgCtlStop(_ mode: StopMode, waiting seconds: Int) throws -> Subprocess.Result {
                    try Subprocess.run(binaries.pgCtl, ["stop", "-D", dataDirectory, "-m", mode.rawValue, "-w", "-t", "\(seconds)"],
                                       as: account, in: directory)
                }
                var result = try pgCtlStop(mode, waiting: patience)
                if result.status != 0, mode == .fast, case .running = try status() {
                    logger.warning("""
                        the server did not stop within \(patience) s (a session that does not end, or a long checkpoint); \
                        it is stopped at once (nothing committed is lost: its next start replays the log)
                        """, metadata: ["directory": "\(directory)"])
                    result = try pgCtlStop(.immediate, waiting: 60)   // the server kills what has not ended after 5 s
                }
                guard result.status == 0 else {
                    throw PostgresError(.server, "pg_ctl stop failed: \(result.output)", context: directory)
                }
                logger.info("stopped PostgreSQL", metadata: ["directory": "\(directory)"])
            }
        }
    }

    /// Creates `name` unless it exists. Safe when two processes race to create it.
    package func createDatabase(_ name: String) throws {
        let connection = try Connection(url: connectionString())
        defer { connection.close() }
        let exists = try connection.query("SELECT 1 FROM pg_database WHERE datname = $1", [name], name: "find database")
        guard exists.isEmpty else { return }
        do {
            try connection.execute("CREATE DATABASE \(Connection.quoteIdentifier(name))", name: "create database \(name)")
            logger.debug("created database", metadata: ["database": "\(name)"])
        } catch let error as PostgresError where error.sqlState == "42P04" || error.sqlState == "23505" {
            return  // created meanwhile by someone else
        }
    }

    /// `<directory>/<name>`, opened and locked exclusively, waiting for a holder: its
    /// descriptor, which the caller closes. O_CLOEXEC: a lock inherited by the server would be
    /// held forever (initdb is given its own on purpose, `Subprocess.run(keeping:)`).
    func lockFile(_ name: String) throws -> Int32 {
        let fd = open(directory + "/" + name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            throw PostgresError(.server, "cannot open \(name): \(String(cString: strerror(errno)))", context: directory)
        }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                close(fd)
                throw PostgresError(.server, "cannot lock \(name): \(String(cString: strerror(errno)))", context: directory)
            }
        }
        return fd
    }

    /// Holds an exclusive lock on `<directory>/embedded.lock` while `body` runs.
    private func withLock<T>(_ body: () throws -> T) throws -> T {
        let fd = try lockFile("embedded.lock")
        defer { close(fd) }
        return try body()
    }
}
