import Foundation
import Testing
import TestSupport
@testable import Postgres

@Suite struct EmbeddedServerTests {
    @Test func startTwiceIsHarmless() throws {
        let server = try TestServer.privateServer()
        try server.start()
        guard case .running(let pid) = try server.status() else { Issue.record("not running"); return }
        try server.start()
        #expect(try server.status() == .running(pid: pid))
        try server.createDatabase("etl")
        try server.createDatabase("etl")
        let connection = try Connection(url: server.connectionString(database: "etl"))
        #expect(try connection.query("SELECT current_database(), current_user")[0].string(1) == "postgres")
        try server.stop()
        try server.stop()
        #expect(try server.status() == .stopped)
    }

    /// A session that does not end at the stop (here its process stopped; for the national
    /// coordinator, one in postgres_fdw's cancel of a query to a stopped server, a call with
    /// no timeout) no longer holds a fast stop up for ever: past its patience the server is
    /// stopped at once, nothing committed lost (an adversarial review's coordinator could not be freed).
    @Test func aStopThatASessionHoldsUpIsMadeAtOnce() throws {
        let server = try TestServer.privateServer()
        try server.start()
        let setup = try Connection(url: server.connectionString())
        try setup.execute("CREATE TABLE kept (id int); INSERT INTO kept VALUES (1)")
        setup.close()
        let stuck = try Connection(url: server.connectionString())
        #expect(kill(pid_t(stuck.backendPID), SIGSTOP) == 0)
        let started = Date()
        try server.stop(patience: 3)
        #expect(try server.status() == .stopped && Date().timeIntervalSince(started) < 30)
        try server.start()
        #expect(try Connection(url: server.connectionString()).query("SELECT count(*) FROM kept")[0].int(0) == 1)
        try server.stop()
    }

    @Test func recoversFromKillDashNine() throws {
        let server = try TestServer.privateServer()
        try server.start()
        guard case .running(let pid) = try server.status() else { Issue.record("not running"); return }
        let connection = try Connection(url: server.connectionString())
        try connection.execute("CREATE TABLE kept (id int); INSERT INTO kept VALUES (1)")
        connection.close()

        #expect(kill(pid, SIGKILL) == 0)
        let status = try waitFor(server) { !$0.isRunning }
        #expect(status == .stale(pid: pid))
        #expect(status.description.contains("not running (stale pid file"))

        try server.start()
        guard case .running(let newPid) = try server.status() else { Issue.record("not restarted"); return }
        #expect(newPid != pid)
        let again = try Connection(url: server.connectionString())
        #expect(try again.query("SELECT count(*) FROM kept")[0].int(0) == 1)
        again.close()
        try server.stop()
        #expect(try server.status() == .stopped)
    }

    /// A first run killed during initdb: its half-made cluster is thrown away and made anew,
    /// never started on PostgreSQL's stock settings (socket in /var/run/postgresql, TCP).
    @Test func aClusterWhoseInitdbWasKilledIsMadeAgain() throws {
        let server = try TestServer.privateServer()
        try FileManager.default.createDirectory(atPath: server.dataDirectory + ".partial/base", withIntermediateDirectories: true)
        try "15\n".write(toFile: server.dataDirectory + ".partial/PG_VERSION", atomically: false, encoding: .utf8)
        try server.start()
        defer { try? server.stop() }
        #expect(!FileManager.default.fileExists(atPath: server.dataDirectory + ".partial"))
        #expect(try Connection(url: server.connectionString()).query("SELECT 1")[0].int(0) == 1)
    }

    /// A `data` the steward made before the first start (a link to another disk) is used in place.
    @Test func aDataFolderMadeBeforehandIsUsedInPlace() throws {
        let server = try TestServer.privateServer()
        let disk = (server.directory as NSString).deletingLastPathComponent + "/disk"
        try FileManager.default.createDirectory(atPath: disk + "/pgdata", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: server.directory, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: server.dataDirectory, withDestinationPath: disk + "/pgdata")
        if let account = getpwnam("postgres"), geteuid() == 0 {
            #expect(chown(disk + "/pgdata", account.pointee.pw_uid, account.pointee.pw_gid) == 0)
            #expect(chmod(disk, 0o711) == 0)
        }
        try server.start()
        defer { try? server.stop() }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: server.dataDirectory) == disk + "/pgdata")
        #expect(FileManager.default.fileExists(atPath: disk + "/pgdata/PG_VERSION"))
    }

    /// One an older version's killed initdb left in place lacks the tool's settings: refused.
    @Test func aClusterWithoutTheToolsSettingsIsNotStarted() throws {
        let server = try TestServer.privateServer()
        try server.start()
        try server.stop()
        let conf = server.dataDirectory + "/postgresql.conf"
        let text = try String(contentsOfFile: conf, encoding: .utf8)
        try text.replacingOccurrences(of: EmbeddedServer.includeLine, with: "").write(toFile: conf, atomically: false, encoding: .utf8)
        let error = #expect(throws: PostgresError.self) { try server.start() }
        #expect(error?.message.contains("never finished") == true, "\(String(describing: error))")
        #expect(try server.status() == .stopped)
    }

    /// Every command that connects reads the recorded address without the server's lock,
    /// while another command's start records it again: it must never read it half-written
    /// (it then took the default port and found no socket).
    @Test func theRecordedAddressIsNeverSeenHalfWritten() throws {
        let server = try TestServer.privateServer()
        let address = TCPAddress(host: "127.0.0.1", port: try freeLoopbackPort())
        try server.start(listen: .on(address))
        defer { try? server.stop() }
        let starter = Thread { for _ in 0..<100 { try? server.start() } }
        starter.start()
        var seen: [TCPAddress?] = []
        for _ in 0..<5_000 { seen.append(server.listen) }
        #expect(seen.allSatisfy { $0 == address }, "\(seen.filter { $0 != address }.count) reads saw no address")
    }

    @Test(.enabled(if: geteuid() == 0, "only root runs the server as the postgres account"))
    func runsAsPostgresAccountWhenRoot() throws {
        let server = try TestServer.privateServer()
        try server.start()
        defer { try? server.stop() }
        let account = try #require(getpwnam("postgres")).pointee
        var info = stat()
        #expect(stat(server.dataDirectory, &info) == 0)
        #expect(info.st_uid == account.pw_uid)
        #expect(stat(server.directory, &info) == 0)
        #expect(info.st_uid == account.pw_uid && info.st_mode & 0o777 == 0o700)
        // Its private parent (a mkdtemp folder, like a state directory) is opened to the
        // account's group for traversal only, and to no one else.
        #expect(stat((server.directory as NSString).deletingLastPathComponent, &info) == 0)
        #expect(info.st_gid == account.pw_gid && info.st_mode & 0o777 == 0o710)
        guard case .running(let pid) = try server.status() else { Issue.record("not running"); return }
        let processStatus = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        #expect(processStatus.contains("Uid:\t\(account.pw_uid)\t"))
    }

    /// A state directory `StateDirectory.secure` closed to 0710 (g+x for root's group) is
    /// given to the account's group, not opened with o+x: else the next command closed it
    /// again and this one reopened it, each saying so, run after run.
    @Test(.enabled(if: geteuid() == 0, "only root runs the server as the postgres account"))
    func aParentClosedToGroupTraversalIsGivenToTheGroup() throws {
        // A folder of its own: closing the folder other tests' servers share, even for a moment,
        // failed a server starting beside it ("could not change directory": a CI run).
        let parent = try TestServer.temporaryDirectory() + "/closed-to-group"
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: false)
        let server = EmbeddedServer(directory: parent + "/postgres", durable: false)
        #expect(chown(parent, 0, 0) == 0 && chmod(parent, 0o710) == 0)
        try server.start()
        defer { try? server.stop() }
        var info = stat()
        #expect(stat(parent, &info) == 0)
        #expect(info.st_gid == (try #require(getpwnam("postgres"))).pointee.pw_gid && info.st_mode & 0o777 == 0o710)
    }

    /// A folder above open to a group but closed to others is not opened to everyone (o+x
    /// would let any user reach what it holds for its group): refused, saying how to let the
    /// server's account alone through.
    @Test(.enabled(if: geteuid() == 0, "only root runs the server as the postgres account"))
    func aParentOpenToAGroupIsNotOpenedToEveryone() throws {
        let parent = try TestServer.temporaryDirectory() + "/closed"   // not the folder other tests' servers share
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: false)
        #expect(chown(parent, 0, 0) == 0 && chmod(parent, 0o750) == 0)
        let server = EmbeddedServer(directory: parent + "/postgres")
        let error = #expect(throws: PostgresError.self) { try server.start() }
        #expect("\(String(describing: error))".contains("(mode 750) is closed to others") && "\(String(describing: error))".contains("setfacl -m u:postgres:x"),
                "\(String(describing: error))")
        var info = stat()
        #expect(stat(parent, &info) == 0 && info.st_mode & 0o777 == 0o750, "left as it was")
    }

    @Test func connectionStringWorksForPsqlStyleURL() throws {
        let server = EmbeddedServer(directory: "/var/lib/etl state/postgres")
        #expect(server.connectionString(database: "etl")
            == "postgresql:///etl?host=/var/lib/etl%20state/postgres&port=5432&user=postgres")
    }

    @Test func tooLongSocketPathIsAClearError() throws {
        let server = EmbeddedServer(directory: "/tmp/" + String(repeating: "x", count: 100))
        let error = try #require(throws: PostgresError.self) { try server.start() }
        #expect(error.kind == .server)
        #expect(error.description.contains("at most 107"))
        #expect(!FileManager.default.fileExists(atPath: server.directory))
    }

    @Test func missingBinariesNameThePackage() throws {
        let empty = try TestServer.temporaryDirectory()
        let error = try #require(throws: PostgresError.self) { try ServerBinaries.locate(searchPath: [empty]) }
        #expect(error.kind == .serverBinariesMissing)
        #expect(error.description.contains("apt-get install postgresql"))
    }

    @Test func findsBinariesWithTheirVersion() throws {
        let binaries = try ServerBinaries.locate()
        #expect(FileManager.default.isExecutableFile(atPath: binaries.pgCtl))
        #expect((binaries.majorVersion ?? 0) >= 12)
    }

    /// Polls the status until `done` holds, for at most ten seconds.
    private func waitFor(_ server: EmbeddedServer, _ done: (ServerStatus) -> Bool) throws -> ServerStatus {
        let deadline = Date().addingTimeInterval(10)
        var status = try server.status()
        while !done(status) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            status = try server.status()
        }
        return status
    }

    /// A full disk is said to be one, with initdb's own error lines only (the transcript of
    /// the steps that went well hid it in 1,500 characters: a review). The transcript is
    /// initdb 15's on a full 20 MB tmpfs.
    @Test func aFullDiskUnderInitdbIsSaidToBeOne() {
        let transcript = """
            The files belonging to this database system will be owned by user "postgres".
            creating subdirectories ... ok
            running bootstrap script ... 2026-12-04 00:23:15.096 UTC [28843] FATAL:  could not extend file "base/1/2691": wrote only 4096 of 8192 bytes at block 20
            2026-12-04 00:23:15.096 UTC [28843] HINT:  Check free disk space.
            child process exited with exit code 134
            initdb: removing data directory "/s/postgres/data.partial"
            """
        let said = EmbeddedServer.initdbFailed(transcript, directory: "/s/postgres").message
        #expect(said.contains("FATAL:  could not extend file") && said.contains("The file system of /s/postgres is full"), "\(said)")
        #expect(!said.contains("creating subdirectories"))
        let other = EmbeddedServer.initdbFailed("initdb: error: invalid locale name \"x\"", directory: "/s/postgres").message
        #expect(other.contains("invalid locale name") && !other.contains("is full"))
    }
}
