import Foundation
import Logging

/// The PostgreSQL server the tool runs itself when no database is named: a cluster in
/// `<directory>/data`, reachable only through a Unix socket in `<directory>` (no TCP).
///
/// - The superuser is always `postgres` (`initdb -U postgres`), whoever runs the tool, so
///   connection strings are the same on every machine.
/// - Local connections use `trust`: whoever can enter `<directory>` may connect. The
///   directory is made 0700, so that is its owner (and root) only. To share the server
///   with other local users, loosen that and add passwords.
/// - Encoding UTF8 with the C locale: byte-order sorting, identical on every machine and
///   independent of which OS locales are installed.
/// - As root, the server runs as the `postgres` account (see `ServerAccount`).
///
/// A value type holding only paths, so it is Sendable; concurrent `start`/`stop` calls,
/// from this or another process, are serialised by a lock file.
public struct EmbeddedServer: Sendable {
    /// Absolute path of the server's directory; it also holds the socket.
    public let directory: String
    public var dataDirectory: String { directory + "/data" }
    public var logFile: String { directory + "/server.log" }
    public var socketDirectory: String { directory }

    /// The port only names the socket file (`.s.PGSQL.5432`); nothing listens on TCP.
    public static let port = 5432
    public static let superuser = "postgres"
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
    public init(
        directory: String, searchPath: [String]? = nil, durable: Bool = true,
        logger: Logger = Logger(label: "etl.postgres.server")
    ) {
        self.directory = URL(fileURLWithPath: directory).standardizedFileURL.path
        self.searchPath = searchPath
        self.durable = durable
        self.logger = logger
    }

    public func status() throws -> ServerStatus {
        try ServerStatus.read(dataDirectory: dataDirectory)
    }

    /// A URL for libpq and `psql`, e.g. `postgresql:///etl?host=/var/etl/postgres&port=5432&user=postgres`.
    /// The port and user are spelled out so PGPORT/PGUSER in the environment cannot redirect it.
    public func connectionString(database: String = "postgres") -> String {
        var pathCharacters = CharacterSet.urlPathAllowed
        pathCharacters.remove(charactersIn: "/?#")
        var hostCharacters = CharacterSet.urlQueryAllowed
        hostCharacters.remove(charactersIn: "&=+#")
        let name = database.addingPercentEncoding(withAllowedCharacters: pathCharacters) ?? database
        let host = socketDirectory.addingPercentEncoding(withAllowedCharacters: hostCharacters) ?? socketDirectory
        return "postgresql:///\(name)?host=\(host)&port=\(Self.port)&user=\(Self.superuser)"
    }

    /// Creates the cluster on first use and starts the server; harmless when it is running.
    /// Recovers from a stale pid file left by a crash.
    public func start() throws {
        try checkSocketPathLength()
        let account = try ServerAccount.forCurrentUser()
        try prepareDirectory(account)
        try withLock {
            let binaries = try ServerBinaries.locate(searchPath: searchPath, majorVersion: clusterVersion())
            if clusterVersion() == nil { try initialiseCluster(binaries, account) }
            try writeSettings(account)
            switch try status() {
            case .running(let pid):
                logger.debug("PostgreSQL already running", metadata: ["pid": "\(pid)", "directory": "\(directory)"])
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
    }

    public enum StopMode: String, Sendable {
        /// Ends open sessions and writes a checkpoint: nothing is lost.
        case fast
        /// Kills the server without a checkpoint: the next start replays the WAL. For
        /// throwaway servers.
        case immediate
    }

    /// Stops the server. Harmless when it is not running; a stale pid file is removed.
    public func stop(_ mode: StopMode = .fast) throws {
        guard FileManager.default.fileExists(atPath: dataDirectory) else { return }
        let account = try ServerAccount.forCurrentUser()
        try withLock {
            switch try status() {
            case .stopped:
                return
            case .stale:
                try? FileManager.default.removeItem(atPath: dataDirectory + "/postmaster.pid")
            case .running:
                let binaries = try ServerBinaries.locate(searchPath: searchPath, majorVersion: clusterVersion())
                let result = try runCommand(
                    binaries.pgCtl, ["stop", "-D", dataDirectory, "-m", mode.rawValue, "-w", "-t", "60"],
                    as: account, in: directory)
                guard result.status == 0 else {
                    throw PostgresError(.server, "pg_ctl stop failed: \(result.output)", context: directory)
                }
                logger.info("stopped PostgreSQL", metadata: ["directory": "\(directory)"])
            }
        }
    }

    /// Creates `name` unless it exists. Safe when two processes race to create it.
    public func createDatabase(_ name: String) throws {
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

    // MARK: - Steps

    private func checkSocketPathLength() throws {
        let socket = "\(socketDirectory)/.s.PGSQL.\(Self.port)"
        guard socket.utf8.count <= Self.maximumSocketPathLength else {
            throw PostgresError(
                .server, "the socket path \(socket) is \(socket.utf8.count) bytes; Unix sockets allow at most \(Self.maximumSocketPathLength)",
                hint: "use a state directory with a shorter path", context: directory)
        }
    }

    private func prepareDirectory(_ account: ServerAccount?) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw PostgresError(.server, "cannot create the server directory: \(error)", context: directory)
        }
        // The socket's directory is the only gate in front of `trust` authentication.
        guard chmod(directory, 0o700) == 0 else {
            throw PostgresError(.server, "cannot chmod 0700: \(String(cString: strerror(errno)))", context: directory)
        }
        if let account {
            try account.own(directory)
            try account.makeTraversable(above: directory, logger: logger)
        }
    }

    /// The major version of an existing cluster (`PG_VERSION`), nil before initdb.
    private func clusterVersion() -> Int? {
        guard let text = try? String(contentsOfFile: dataDirectory + "/PG_VERSION", encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private func initialiseCluster(_ binaries: ServerBinaries, _ account: ServerAccount?) throws {
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: dataDirectory)) ?? []
        guard leftovers.isEmpty else {
            throw PostgresError(.server, "\(dataDirectory) exists but holds no PostgreSQL cluster (no PG_VERSION)",
                                hint: "remove it to let a new cluster be created there", context: directory)
        }
        let result = try runCommand(binaries.initdb, [
            "-D", dataDirectory, "-U", Self.superuser, "--auth=trust", "--encoding=UTF8", "--no-locale",
        ] + (durable ? [] : ["--no-sync"]), as: account, in: directory)
        guard result.status == 0 else {
            throw PostgresError(.server, "initdb failed: \(result.output)", context: directory)
        }
        // Our settings live in their own file, rewritten on every start, so moving the
        // state directory moves the socket with it.
        let config = try FileHandle(forWritingTo: URL(fileURLWithPath: dataDirectory + "/postgresql.conf"))
        defer { try? config.close() }
        try config.seekToEnd()
        try config.write(contentsOf: Data("\n# Managed by etl: listen on a socket in the state directory only.\ninclude 'embedded.conf'\n".utf8))
        logger.info("created PostgreSQL cluster", metadata: ["directory": "\(dataDirectory)", "binaries": "\(binaries.directory)"])
    }

    private func writeSettings(_ account: ServerAccount?) throws {
        let settings = """
            # Written by etl on every start; put your own settings in postgresql.auto.conf
            # (ALTER SYSTEM), which is read after this file.
            listen_addresses = ''
            unix_socket_directories = '\(configQuoted(socketDirectory))'
            port = \(Self.port)
            max_connections = 50
            # Lets COPY into a table created or truncated in the same transaction skip the
            # WAL; there are no replicas to feed.
            wal_level = minimal
            max_wal_senders = 0

            """ + (durable ? "" : """
            # A throwaway server: nothing is forced to disk. Committed work survives a
            # crash of the server (kill -9), not one of the machine.
            fsync = off
            full_page_writes = off

            """)
        let path = dataDirectory + "/embedded.conf"
        do {
            try settings.write(toFile: path, atomically: false, encoding: .utf8)
        } catch {
            throw PostgresError(.server, "cannot write server settings: \(error)", context: path)
        }
        try account?.own(path)
    }

    private func startServer(_ binaries: ServerBinaries, _ account: ServerAccount?) throws {
        let arguments = ["start", "-D", dataDirectory, "-l", logFile, "-w", "-t", "60"]
        var attempt = 1
        while true {
            let result = try runCommand(binaries.pgCtl, arguments, as: account, in: directory)
            if result.status == 0, case .running(let pid) = try status() {
                logger.info("started PostgreSQL", metadata: ["pid": "\(pid)", "connect": "\(connectionString())"])
                return
            }
            let log = logTail()
            // After a crash, old backends may hold the shared memory for a moment.
            if attempt < 10, log.contains("still in use") || log.contains("lock file") {
                attempt += 1
                Thread.sleep(forTimeInterval: 0.5)
                continue
            }
            throw PostgresError(.server, "pg_ctl start failed: \(result.output)", detail: log.isEmpty ? nil : "server log ends with:\n\(log)",
                                hint: "see \(logFile)", context: directory)
        }
    }

    private func logTail(lines: Int = 15) -> String {
        guard let text = try? String(contentsOfFile: logFile, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Holds an exclusive lock on `<directory>/embedded.lock` while `body` runs.
    private func withLock<T>(_ body: () throws -> T) throws -> T {
        // O_CLOEXEC: a lock fd inherited by the server would hold the lock forever.
        let fd = open(directory + "/embedded.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw PostgresError(.server, "cannot open lock file: \(String(cString: strerror(errno)))", context: directory)
        }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw PostgresError(.server, "cannot lock: \(String(cString: strerror(errno)))", context: directory)
            }
        }
        return try body()
    }
}

/// A value for a single-quoted postgresql.conf string, where ' and \ are special.
private func configQuoted(_ value: String) -> String {
    value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''")
}
