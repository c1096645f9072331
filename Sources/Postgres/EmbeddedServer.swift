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
    package func stop(_ mode: StopMode = .fast) throws {
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
                let result = try Subprocess.run(
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

    // MARK: - Steps

    private func checkSocketPathLength(port: Int) throws {
        let socket = "\(socketDirectory)/.s.PGSQL.\(port)"
        guard socket.utf8.count <= Self.maximumSocketPathLength else {
            throw PostgresError(
                .server, "the socket path \(socket) is \(socket.utf8.count) bytes; Unix sockets allow at most \(Self.maximumSocketPathLength)",
                hint: "use a state directory with a shorter path", context: directory)
        }
    }

    private func prepareDirectory(_ account: ServerAccount?) throws {
        // Someone else's folder here (or a link to one) could hold a server of theirs, which
        // would be handed every child-level row, or make the chmod and chown below land on
        // another path.
        var info = stat()
        if lstat(directory, &info) == 0,
           info.st_mode & S_IFMT != S_IFDIR || (info.st_uid != geteuid() && info.st_uid != account?.uid) {
            throw PostgresError(.server, "the server's folder is \(info.st_mode & S_IFMT == S_IFLNK ? "a symbolic link" : "not a folder of this user's"): refused",
                                hint: "remove it (a new server is created there) or use another state directory", context: directory)
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw PostgresError(.server, "cannot create the server directory: \(error)", context: directory)
        }
        let parent = (directory as NSString).deletingLastPathComponent
        if stat(parent, &info) == 0, info.st_uid != geteuid() {
            throw PostgresError(.server, "\(parent) belongs to another user (uid \(info.st_uid)): refused",
                                hint: "use a state directory of your own", context: directory)
        }
        // The socket's directory is the only gate in front of the owner's `trust` rule.
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

    /// What initdb's `postgresql.conf` gets: the tool's settings (`writeSettings`).
    static let includeLine = "include 'embedded.conf'"

    private func initialiseCluster(_ binaries: ServerBinaries, _ account: ServerAccount?) throws {
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: dataDirectory)) ?? []
        guard leftovers.isEmpty else {
            throw PostgresError(.server, "\(dataDirectory) exists but holds no PostgreSQL cluster (no PG_VERSION)",
                                hint: "remove it to let a new cluster be created there", context: directory)
        }
        // The cluster is made beside its place and put there whole: one whose initdb was
        // killed would start with PostgreSQL's stock settings (a socket in /var/run/postgresql,
        // TCP on localhost) under our `trust` rule. What such a kill left is thrown away.
        // A `data` the steward made (a link to another disk, a mount point) is used in place.
        var info = stat()
        let inPlace = lstat(dataDirectory, &info) == 0
        let made = inPlace ? dataDirectory : dataDirectory + ".partial"
        // initdb holds this lock while it lives: the initdb of a killed run, still writing its
        // folder, is waited for before the folder is thrown away and made again (an
        // adversarial review: two initdbs in one folder failed the next run).
        let lock = try lockFile("initdb.lock")
        defer { close(lock) }
        if !inPlace, FileManager.default.fileExists(atPath: made) { try? FileManager.default.removeItem(atPath: made) }
        let result = try Subprocess.run(binaries.initdb, [
            "-D", made, "-U", Self.superuser, "--auth=trust", "--encoding=UTF8", "--no-locale",
        ] + (durable ? [] : ["--no-sync"]), as: account, in: directory, keeping: lock)
        guard result.status == 0 else {
            throw PostgresError(.server, "initdb failed: \(result.output)", context: directory)
        }
        // Our settings live in their own file, rewritten on every start, so moving the
        // state directory moves the socket with it.
        try ServerAccount.write("\n# Managed by etl: where to listen, who may connect.\n\(Self.includeLine)\n", to: made + "/postgresql.conf", appending: true, account: account)
        guard inPlace || rename(made, dataDirectory) == 0 else {
            throw PostgresError(.server, "cannot put the new cluster in place: \(String(cString: strerror(errno)))", context: directory)
        }
        logger.info("created PostgreSQL cluster", metadata: ["directory": "\(dataDirectory)", "binaries": "\(binaries.directory)"])
    }

    private func writeSettings(_ account: ServerAccount?) throws {
        let tcp = listen
        let settings = """
            # Written by etl on every start; put your own settings in postgresql.auto.conf
            # (ALTER SYSTEM), which is read after this file. TCP: `etl warehouse start --listen`.
            listen_addresses = '\(configQuoted(tcp?.host ?? ""))'
            unix_socket_directories = '\(configQuoted(socketDirectory))'
            port = \(tcp?.port ?? Self.defaultPort)
            password_encryption = 'scram-sha-256'
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
        try ServerAccount.write(settings, to: dataDirectory + "/embedded.conf", account: account)
    }

    /// Writes `pg_hba.conf` (`accessRules`); true when its text changed.
    private func writeAccessRules(_ account: ServerAccount?) throws -> Bool {
        let path = dataDirectory + "/pg_hba.conf"
        let rules = Self.accessRules
        guard (try? String(contentsOfFile: path, encoding: .utf8)) != rules else { return false }
        try ServerAccount.write(rules, to: path, account: account)
        return true
    }

    /// Who may connect, in `pg_hba.conf`: the first line that matches decides, and a
    /// connection no line matches is refused.
    package static let accessRules = """
        # Written by etl on every start of the embedded server: edits here are lost.
        # TYPE  DATABASE  USER            ADDRESS  METHOD
        # The owner, as the superuser, through the Unix socket; only the owner of the
        # state directory (and root) can reach it.
        local   all       \(superuser)                 trust
        # Over TCP (etl warehouse start --listen HOST:PORT): never the superuser; members
        # of \(analystGroup) (etl warehouse analyst NAME) with their SCRAM password.
        host    all       \(superuser)        all      reject
        host    all       +\(analystGroup)    all      scram-sha-256
        # The national coordinator's postgres_fdw (etl national feed-role), likewise.
        host    all       \(nationalFeedRole)    all      scram-sha-256
        # Nothing else.

        """

    /// Makes a running server read its settings and access rules again.
    private func reload(_ binaries: ServerBinaries, _ account: ServerAccount?) throws {
        let result = try Subprocess.run(binaries.pgCtl, ["reload", "-D", dataDirectory], as: account, in: directory)
        guard result.status == 0 else {
            throw PostgresError(.server, "pg_ctl reload failed: \(result.output)", context: directory)
        }
        logger.info("reloaded the access rules", metadata: ["directory": "\(directory)"])
    }

    private func startServer(_ binaries: ServerBinaries, _ account: ServerAccount?) throws {
        let arguments = ["start", "-D", dataDirectory, "-l", logFile, "-w", "-t", "60"]
        var attempt = 1
        while true {
            let result = try Subprocess.run(binaries.pgCtl, arguments, as: account, in: directory)
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
            if log.contains("Address already in use"), let listen {
                // Debian's postgresql package runs a cluster of its own on 5432.
                throw PostgresError(.server, "port \(listen.port) (--listen \(listen)) is taken by another program, perhaps another "
                                    + "PostgreSQL (Debian's own cluster, postgresql@15-main, listens on 5432)",
                                    detail: log.split(separator: "\n").first { $0.contains("could not bind") }.map(String.init),
                                    hint: "choose a free port: `etl warehouse start --listen \(listen.host):PORT`; or stop the other program",
                                    context: directory)
            }
            throw PostgresError(.server, "pg_ctl start failed: \(result.output)", detail: log.isEmpty ? nil : "server log ends with:\n\(log)",
                                hint: "see \(logFile)", context: directory)
        }
    }

    private func logTail(lines: Int = 15) -> String {
        guard let text = try? String(contentsOfFile: logFile, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// `<directory>/<name>`, opened and locked exclusively, waiting for a holder: its
    /// descriptor, which the caller closes. O_CLOEXEC: a lock inherited by the server would be
    /// held forever (initdb is given its own on purpose, `Subprocess.run(keeping:)`).
    private func lockFile(_ name: String) throws -> Int32 {
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

/// A value for a single-quoted postgresql.conf string, where ' and \ are special.
private func configQuoted(_ value: String) -> String {
    value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''")
}
