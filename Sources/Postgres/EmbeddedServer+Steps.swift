import Foundation
import Logging

/// The steps of `start`: the folder, the cluster, its settings and access rules, the server.
extension EmbeddedServer {
    func checkSocketPathLength(port: Int) throws {
        let socket = "\(socketDirectory)/.s.PGSQL.\(port)"
        guard socket.utf8.count <= Self.maximumSocketPathLength else {
            throw PostgresError(
                .server, "the socket path \(socket) is \(socket.utf8.count) bytes; Unix sockets allow at most \(Self.maximumSocketPathLength)",
                hint: "use a state directory with a shorter path", context: directory)
        }
    }

    func prepareDirectory(_ account: ServerAccount?) throws {
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
    func clusterVersion() -> Int? {
        guard let text = try? String(contentsOfFile: dataDirectory + "/PG_VERSION", encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// What initdb's `postgresql.conf` gets: the tool's settings (`writeSettings`).
    static let includeLine = "include 'embedded.conf'"

    func initialiseCluster(_ binaries: ServerBinaries, _ account: ServerAccount?) throws {
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
        guard result.status == 0 else { throw Self.initdbFailed(result.output, directory: directory) }
        // Our settings live in their own file, rewritten on every start, so moving the
        // state directory moves the socket with it.
        try ServerAccount.write("\n# Managed by etl: where to listen, who may connect.\n\(Self.includeLine)\n", to: made + "/postgresql.conf", appending: true, account: account)
        guard inPlace || rename(made, dataDirectory) == 0 else {
            throw PostgresError(.server, "cannot put the new cluster in place: \(String(cString: strerror(errno)))", context: directory)
        }
        logger.info("created PostgreSQL cluster", metadata: ["directory": "\(dataDirectory)", "binaries": "\(binaries.directory)"])
    }

    func writeSettings(_ account: ServerAccount?) throws {
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
    func writeAccessRules(_ account: ServerAccount?) throws -> Bool {
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
    func reload(_ binaries: ServerBinaries, _ account: ServerAccount?) throws {
        let result = try Subprocess.run(binaries.pgCtl, ["reload", "-D", dataDirectory], as: account, in: directory)
        guard result.status == 0 else {
            throw PostgresError(.server, "pg_ctl reload failed: \(result.output)", context: directory)
        }
        logger.info("reloaded the access rules", metadata: ["directory": "\(directory)"])
    }

    func startServer(_ binaries: ServerBinaries, _ account: ServerAccount?) throws {
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

    func logTail(lines: Int = 15) -> String {
        guard let text = try? String(contentsOfFile: logFile, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// initdb's failure in its own words, without the transcript of the steps that went well
    /// (a full disk was one line of 1,500 characters, its cause in the middle: a review), and
    /// what to do when the disk is full.
    static func initdbFailed(_ output: String, directory: String) -> PostgresError {
        let said = output.split(whereSeparator: \.isNewline)
            .filter { line in ["error", "fatal", "panic", "hint", "detail", "no space left"].contains { line.lowercased().contains($0) } }
        let full = ["No space left on device", "Check free disk space"].contains(where: output.contains)
            ? ". The file system of \(directory) is full: free space there, or choose a state directory on a larger disk, and run again" : ""
        return PostgresError(.server, "initdb failed: " + (said.isEmpty ? output : said.joined(separator: "; ")) + full, context: directory)
    }
}

/// A value for a single-quoted postgresql.conf string, where ' and \ are special.
private func configQuoted(_ value: String) -> String {
    value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''")
}
