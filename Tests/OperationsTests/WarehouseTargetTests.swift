import CGlibcExtras
import Foundation
import Logging
import Testing
import TestSupport
@testable import Operations
import Pipeline
import Postgres

@Suite struct WarehouseTargetTests {
    let state = StateLayout(root: URL(fileURLWithPath: "/nonexistent/state"))

    func pipeline(database: String?) throws -> PipelineConfig {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("pipelines/copenhagen.yaml").path
        var config = try PipelineConfig.load(path: path)
        config.database = database
        return config
    }

    @Test func theDatabaseIsTheFlagThenDATABASE_URLThenThePGVariablesThenThePipelineFile() throws {
        let file = try pipeline(database: "postgresql:///from-file")
        func url(_ flag: String?, _ environment: [String: String], _ config: PipelineConfig? = nil) -> String? {
            WarehouseTarget.resolve(flag: flag, pipeline: config ?? file, state: state, environment: environment).url
        }
        let everything = ["DATABASE_URL": "postgresql:///from-env", "PGHOST": "db.example"]
        #expect(url("postgresql:///from-flag", everything) == "postgresql:///from-flag")
        #expect(url(nil, everything) == "postgresql:///from-env")
        for variable in WarehouseTarget.libpqVariables {
            #expect(url(nil, [variable: "x"]) == "", "\(variable) alone names a database: libpq's defaults and environment")
        }
        #expect(url(nil, ["PGHOST": "", "DATABASE_URL": ""]) == "postgresql:///from-file", "empty values name nothing")
        #expect(url(nil, ["PGSSLMODE": "require", "PGAPPNAME": "x"]) == "postgresql:///from-file", "settings, not a database")
        #expect(url(nil, [:], try pipeline(database: nil)) == nil)
    }

    @Test func thePGEnvironmentIsShownWithoutItsPassword() {
        var target = WarehouseTarget(url: "", state: state)
        #expect(target.displayName.hasPrefix("the libpq environment"))
        target.url = "postgresql://ana@db.example/etl"
        #expect(target.displayName == "postgresql://ana@db.example/etl", "a string without a secret as written")
        // However the password is written (a re-test found pattern masks let these through).
        for url in ["postgresql://ana:s3cret@db.example/etl", "host=db.example password = s3cret dbname=etl",
                    "host=db.example password='s3 cret' dbname=etl", "postgresql://ana:s3:cret@db.example/etl",
                    "postgresql://ana@db.example/etl?password=s3cret", "postgresql://ana:s3%40cret@db.example/etl",
                    "host=db.example sslpassword=s3cret"] {
            target.url = url
            #expect(!target.displayName.contains("s3") && target.displayName.contains("db.example"), "\(url): \(target.displayName)")
        }
    }

    @Test func aCommandThatMayNotCreateAClusterSaysThereIsNoneAndCreatesNothing() throws {
        let root = URL(fileURLWithPath: try TestServer.temporaryDirectory()).appendingPathComponent("state")
        let target = WarehouseTarget.resolve(flag: nil, pipeline: nil, state: StateLayout(root: root), environment: [:])
        #expect(!target.mayCreateCluster)
        let error = #expect(throws: WarehouseError.self) { try target.connect(logger: Logger(label: "test")) }
        #expect(error == .noCluster(state: root.path))
        #expect(ExitStatus.of(error!) == .databaseUnreachable)
        #expect(error!.description.contains("etl warehouse start") && error!.description.contains("`etl national sync` create one"))
        #expect(!FileManager.default.fileExists(atPath: root.path), "not even the state directory")
    }

    /// A server that answers and refuses etl (here: no such role) is said so at once, with what
    /// to check: it was retried as a server not there, then "check that it is running"
    /// (an adversarial review).
    @Test func aServerThatRefusesTheConnectionIsSaidSoWithoutRetrying() throws {
        let db = try TestServer.freshDatabase()
        let url = db.url.replacingOccurrences(of: "user=postgres", with: "user=no_such_role")
        #expect(url != db.url, "the test's URL names no user to replace: \(db.url)")
        let error = #expect(throws: OperationsError.self) {
            try WarehouseTarget.connectRetrying(url, display: "the test's", logger: Logger(label: "test"), retries: 4)
        }
        guard case .databaseRefused(_, let message)? = error else { Issue.record("not refused: \(String(describing: error))"); return }
        #expect(message.contains("no_such_role"))
        #expect(error!.description.contains("Check the user, password and database name") && ExitStatus.of(error!) == .databaseUnreachable)
    }

    @Test func anAnalystsConnectionStringNamesTheListenAddressAndTheRole() throws {
        var url = PostgresURL(["host": "db.example", "port": "6432", "dbname": "etl", "sslmode": "require"])
        url.user = "ana"
        url.password = "p@ss:w/rd"
        #expect(url.text == "postgresql://ana:p%40ss%3Aw%2Frd@db.example:6432/etl?sslmode=require")
        #expect(ConnectionInfo.parse(url.text)?["password"] == "p@ss:w/rd")
        url.host = "::1"
        #expect(url.text.contains("@[::1]:6432/"))
        url.host = "/var/run/postgresql"
        #expect(url.text == "postgresql://ana:p%40ss%3Aw%2Frd@/etl?host=%2Fvar%2Frun%2Fpostgresql&port=6432&sslmode=require")

        let external = WarehouseTarget(url: "postgresql://owner:x@wh.example:5433/metrics?sslmode=verify-full", state: state)
            .analystAccess(role: "ana", password: nil, host: nil)
        #expect(external.url.text == "postgresql://ana@wh.example:5433/metrics?sslmode=verify-full")
        #expect(external.warnings.isEmpty)

        let embedded = WarehouseTarget(url: nil, state: state).analystAccess(role: "ana", password: "pw", host: "wh.kk.dk")
        #expect(embedded.url.text == "postgresql://ana:pw@wh.kk.dk:5432/etl?sslmode=disable")
        #expect(embedded.warnings.first?.contains("--listen") == true, "the server listens on no TCP address yet")
    }
}

@Suite struct StateDirectoryTests {
    /// A state directory an older version wrote (0755 folders, 0644 files) is closed,
    /// all of it but the server's data; a symlink's target is left alone.
    @Test func aStateDirectoryOpenToOthersIsClosedWithEverythingInIt() throws {
        let base = try TestServer.temporaryDirectory()
        let state = StateLayout(root: URL(fileURLWithPath: base + "/state"))
        let fm = FileManager.default
        let open: [FileAttributeKey: Any] = [.posixPermissions: 0o755]
        try fm.createDirectory(atPath: state.runs.path + "/20261121023000/extract", withIntermediateDirectories: true, attributes: open)
        try fm.createDirectory(atPath: state.postgres.path + "/data", withIntermediateDirectories: true, attributes: open)
        for file in [state.runs.path + "/20261121023000/extract/enrolments.tsv", state.postgres.path + "/data/PG_VERSION", base + "/outside"] {
            #expect(fm.createFile(atPath: file, contents: Data("x".utf8), attributes: [.posixPermissions: 0o644]))
        }
        try fm.createSymbolicLink(atPath: state.runs.path + "/link", withDestinationPath: base + "/outside")
        for path in [state.root.path, state.runs.path] { #expect(chmod(path, 0o755) == 0) }

        let changed = try StateDirectory.secure(state, logger: Logger(label: "test"))
        #expect(changed.count == 5)
        func mode(_ path: String) -> mode_t {
            var info = stat()
            return lstat(path, &info) == 0 ? info.st_mode & 0o777 : 0o7777
        }
        #expect(mode(state.root.path) == 0o710, "g+x may stay: the server's account traverses it when run as root")
        #expect(mode(state.runs.path + "/20261121023000") == 0o700)
        #expect(mode(state.runs.path + "/20261121023000/extract/enrolments.tsv") == 0o600)
        #expect(mode(state.postgres.path + "/data/PG_VERSION") == 0o644, "the server's files keep PostgreSQL's rules")
        #expect(mode(base + "/outside") == 0o644, "a link is not followed")
        #expect(try StateDirectory.secure(state, logger: Logger(label: "test")).isEmpty, "a closed directory is not walked again")
        #expect(try StateDirectory.secure(StateLayout(root: URL(fileURLWithPath: base + "/none")), logger: Logger(label: "test")).isEmpty)
        #expect(!fm.fileExists(atPath: base + "/none"))
    }

    /// A folder etl did not make is not closed with everything in it: `--state-dir /var/lib`
    /// (for /var/lib/etl) made every file below it its owner's only, `/tmp` lost its sticky
    /// bit and its users (an adversarial review). Refused, and nothing changed.
    @Test func anOpenFolderEtlDidNotMakeIsRefusedAndLeftAsItWas() throws {
        let base = try TestServer.temporaryDirectory()
        let fm = FileManager.default
        let varLib = base + "/varlib"
        try fm.createDirectory(atPath: varLib + "/dpkg", withIntermediateDirectories: true)
        #expect(fm.createFile(atPath: varLib + "/dpkg/status", contents: Data("x".utf8), attributes: [.posixPermissions: 0o644]))
        let shared = base + "/tmp"
        try fm.createDirectory(atPath: shared, withIntermediateDirectories: true)
        for (path, mode) in [(varLib, mode_t(0o755)), (varLib + "/dpkg", 0o755), (shared, 0o1777)] { #expect(chmod(path, mode) == 0) }
        func mode(_ path: String) -> mode_t {
            var info = stat()
            return lstat(path, &info) == 0 ? info.st_mode & 0o7777 : 0
        }
        for (folder, why) in [(varLib, "holds 1 file(s) or folder(s) etl does not make in a state directory (dpkg)"), (shared, "others share (sticky")] {
            let error = #expect(throws: OperationsError.self) {
                try StateDirectory.secure(StateLayout(root: URL(fileURLWithPath: folder)), logger: Logger(label: "test"))
            }
            #expect("\(String(describing: error))".contains(why) && "\(String(describing: error))".contains("nothing in it changed"),
                    "\(String(describing: error))")
        }
        #expect(mode(varLib) == 0o755 && mode(varLib + "/dpkg") == 0o755 && mode(varLib + "/dpkg/status") == 0o644 && mode(shared) == 0o1777)
        // A `logs` in it does not make it one: a web root has one too (a re-test).
        let site = base + "/site"
        for folder in ["logs", "www"] { try fm.createDirectory(atPath: site + "/" + folder, withIntermediateDirectories: true) }
        #expect(chmod(site, 0o755) == 0)
        #expect(throws: OperationsError.self) { try StateDirectory.secure(StateLayout(root: URL(fileURLWithPath: site)), logger: Logger(label: "test")) }
        #expect(mode(site) == 0o755)
        // An empty folder made for it, or one the cron wrapper has put its logs in, is taken and closed.
        let made = base + "/etl"
        try fm.createDirectory(atPath: made + "/logs", withIntermediateDirectories: true)
        #expect(chmod(made, 0o755) == 0)
        #expect(try StateDirectory.secure(StateLayout(root: URL(fileURLWithPath: made)), logger: Logger(label: "test")).count >= 1)
        #expect(mode(made) == 0o710)
    }

    /// An access control list makes the mode say less than who may read: a state directory
    /// with one, or one to be made under a default one (inherited, overruling the umask: a
    /// re-test read a first night's stage files so), is refused.
    @Test func aStateDirectoryWithAnAccessControlListIsRefused() throws {
        let base = try TestServer.temporaryDirectory()
        let state = StateLayout(root: URL(fileURLWithPath: base + "/state"))
        try FileManager.default.createDirectory(at: state.root, withIntermediateDirectories: true)
        #expect(chmod(state.root.path, 0o700) == 0)
        // user::rwx, user:65534:r-x, group::---, mask::r-x, other::--- as Linux stores it.
        let acl = posixACL([(0x01, 7, .max), (0x02, 5, 65534), (0x04, 0, .max), (0x10, 5, .max), (0x20, 0, .max)])
        guard setxattr(state.root.path, "system.posix_acl_access", acl, acl.count, 0) == 0 else {
            print("NOTE: aStateDirectoryWithAnAccessControlListIsRefused skipped: this file system takes no ACL (\(String(cString: strerror(errno))))")
            return
        }
        let error = #expect(throws: OperationsError.self) { try StateDirectory.secure(state, logger: Logger(label: "test")) }
        #expect("\(String(describing: error))".contains("has an access control list naming users or groups"), "\(String(describing: error))")
        #expect(removexattr(state.root.path, "system.posix_acl_access") == 0 && chmod(state.root.path, 0o700) == 0)
        try StateDirectory.secure(state, logger: Logger(label: "test"))

        let parent = base + "/inherits"
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        #expect(setxattr(parent, "system.posix_acl_default", acl, acl.count, 0) == 0)
        for below in ["/state", "/new/state"] {   // two folders up too: etl makes the folders between (a second re-test)
            let before = #expect(throws: OperationsError.self) { try StateDirectory.checkBeforeMaking(parent + below) }
            #expect("\(String(describing: before))".contains("which has a default access control list"), "\(String(describing: before))")
        }
    }

    /// Its path is in messages, the server's settings and its connection string.
    @Test func aStateDirectoryWhosePathHoldsACPRNumberIsRefused() throws {
        let state = StateLayout(root: URL(fileURLWithPath: try TestServer.temporaryDirectory() + "/0102131234/state"))
        let error = #expect(throws: OperationsError.self) { try StateDirectory.secure(state, logger: Logger(label: "test")) }
        #expect("\(String(describing: error))".contains("010213-****/state: the state directory's path holds a CPR number")
                && !"\(String(describing: error))".contains("0102131234"), "\(String(describing: error))")
    }

    /// Whoever made it could have left a key or a server of theirs in it: refused, and not
    /// tightened either.
    @Test(.enabled(if: geteuid() == 0, "needs root, to give the directory to another user"))
    func aStateDirectoryOfAnotherUserIsRefused() throws {
        let base = try TestServer.temporaryDirectory()
        let state = StateLayout(root: URL(fileURLWithPath: base + "/state"))
        try FileManager.default.createDirectory(at: state.root, withIntermediateDirectories: true)
        #expect(chown(state.root.path, 65534, 65534) == 0 && chmod(state.root.path, 0o755) == 0)
        let error = #expect(throws: OperationsError.self) { try StateDirectory.secure(state, logger: Logger(label: "test")) }
        #expect("\(String(describing: error))".contains("belongs to another user"))
        var info = stat()
        #expect(stat(state.root.path, &info) == 0 && info.st_mode & 0o777 == 0o755)
    }

    /// An embedded server shutting down (a reboot's smart shutdown, waiting for a session) is
    /// waited out and started again, as a remote one's restart is; it was "database
    /// unreachable … use the embedded one" at once (an adversarial review).
    @Test func anEmbeddedServerShuttingDownIsWaitedOutAndStartedAgain() throws {
        let state = StateLayout(root: URL(fileURLWithPath: try TestServer.temporaryDirectory() + "/state"))
        let target = WarehouseTarget(url: nil, state: state, mayCreateCluster: true)
        try target.connect(logger: Logger(label: "test")).close()
        defer { try? target.embeddedServer.stop(.immediate) }
        guard case .running(let pid) = try target.embeddedServer.status() else { Issue.record("not running"); return }
        // A session of 2 s, which a smart shutdown waits for.
        let url = target.psqlURL
        Thread.detachNewThread { _ = try? Connection(url: url).query("SELECT pg_sleep(2)") }
        Thread.sleep(forTimeInterval: 0.5)
        #expect(kill(pid_t(pid), SIGTERM) == 0)
        Thread.sleep(forTimeInterval: 0.2)
        let again = try target.connect(logger: Logger(label: "test"))
        defer { again.close() }
        #expect(try again.query("SELECT 1").first?.string(0) == "1")
    }

    /// Checked before it is made: a first run's folder, swapped while it ran, took the key and
    /// the load (an adversarial review).
    @Test func aStateDirectoryNotYetMadeInAFolderOthersMayWriteIsRefused() throws {
        let base = try TestServer.temporaryDirectory() + "/shared"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        #expect(chmod(base, 0o777) == 0)
        let state = StateLayout(root: URL(fileURLWithPath: base + "/state"))
        // Where it is made: the run lock's folder, and the embedded server's.
        let error = #expect(throws: OperationsError.self) { _ = try RunLock(path: state.lockFile.path, holder: "etl run") }
        #expect("\(String(describing: error))".contains("which any user may write"), "\(String(describing: error))")
        let server = #expect(throws: OperationsError.self) {
            _ = try WarehouseTarget(url: nil, state: state, mayCreateCluster: true).connect(logger: Logger(label: "test"), retries: 0)
        }
        #expect("\(String(describing: server))".contains("which any user may write"), "\(String(describing: server))")
        // `etl warehouse start`, `etl demo` and `etl bench` make it too, before connecting (a review).
        let started = #expect(throws: OperationsError.self) {
            try WarehouseTarget(url: nil, state: state, mayCreateCluster: true).startEmbedded(listen: .keep, logger: Logger(label: "test"))
        }
        #expect("\(String(describing: started))".contains("which any user may write"), "\(String(describing: started))")
        let demo = #expect(throws: OperationsError.self) {
            _ = try Demo(state: state, children: 50, seed: 1, asOf: Day(year: 2026, month: 11, day: 21)!, logger: Logger(label: "test")).run()
        }
        #expect("\(String(describing: demo))".contains("which any user may write"), "\(String(describing: demo))")
        #expect(throws: OperationsError.self) { _ = try Benchmark(state: state, logger: Logger(label: "test")).run(.copenhagen) }
        #expect(!FileManager.default.fileExists(atPath: state.root.path))
        // Through a link of ours into that folder, before anything is made there.
        let mine = try TestServer.temporaryDirectory()
        #expect(symlink(base, mine + "/link") == 0)
        let linked = #expect(throws: OperationsError.self) { _ = try RunLock(path: mine + "/link/state/etl.lock", holder: "etl run") }
        #expect("\(String(describing: linked))".contains("which any user may write"), "\(String(describing: linked))")
        // A command that never makes it (one that names only --database, from such a folder) is not refused.
        #expect(try StateDirectory.secure(state, logger: Logger(label: "test")).isEmpty)
    }

    /// A folder above it of another user's, a link to it another user made, or something of
    /// another user's in it when it was found open: that user could rename it away, point it
    /// elsewhere, or have had the night's log written through a link (an adversarial review).
    @Test(.enabled(if: geteuid() == 0 && getpwuid(65534) != nil, "needs root, to give folders and links to another user"))
    func aStateDirectoryAnotherUserCanReachIsRefused() throws {
        let base = try TestServer.temporaryDirectory()
        let theirs = base + "/theirs"
        try FileManager.default.createDirectory(atPath: theirs + "/state", withIntermediateDirectories: true)
        #expect(chown(theirs, 65534, 65534) == 0 && chmod(theirs, 0o755) == 0)
        let owner = String(cString: getpwuid(65534)!.pointee.pw_name)
        let inTheirs = #expect(throws: OperationsError.self) {
            try StateDirectory.secure(StateLayout(root: URL(fileURLWithPath: theirs + "/state")), logger: Logger(label: "test"))
        }
        #expect("\(String(describing: inTheirs))".contains("the state directory is in \(theirs), which its owner, user \(owner), may write"),
                "\(String(describing: inTheirs))")

        let mine = base + "/mine", link = base + "/link"
        try FileManager.default.createDirectory(atPath: mine, withIntermediateDirectories: true)
        #expect(symlink(mine, link) == 0 && lchown(link, 65534, 65534) == 0)
        let through = #expect(throws: OperationsError.self) { try StateDirectory.secure(StateLayout(root: URL(fileURLWithPath: link)), logger: Logger(label: "test")) }
        #expect("\(String(describing: through))".contains("is a link that user \(owner) made"), "\(String(describing: through))")

        let open = base + "/open"
        try FileManager.default.createDirectory(atPath: open + "/logs", withIntermediateDirectories: true)
        #expect(chmod(open, 0o777) == 0 && chown(open + "/logs", 65534, 65534) == 0)
        let planted = #expect(throws: OperationsError.self) { try StateDirectory.secure(StateLayout(root: URL(fileURLWithPath: open)), logger: Logger(label: "test")) }
        #expect("\(String(describing: planted))".contains("are not yours (\(open)/logs)"), "\(String(describing: planted))")
        // And again, now that it is closed: the refusal holds until the owner has looked.
        #expect(throws: OperationsError.self) { try StateDirectory.secure(StateLayout(root: URL(fileURLWithPath: open)), logger: Logger(label: "test")) }
        var info = stat()
        #expect(stat(open, &info) == 0 && info.st_mode & 0o777 == 0o710, "closed at once, so that nothing more is added")
        #expect(stat(open + "/logs", &info) == 0 && info.st_uid == 65534, "what is not ours is left for the owner to look at")
    }

    /// In a folder another user may write, they could rename it away: the next night made a
    /// new warehouse and key without a word, or used their folder (an adversarial review).
    @Test func aStateDirectoryInAFolderOthersMayWriteIsRefused() throws {
        let base = try TestServer.temporaryDirectory() + "/shared"
        let state = StateLayout(root: URL(fileURLWithPath: base + "/state"))
        try FileManager.default.createDirectory(at: state.root, withIntermediateDirectories: true)
        #expect(chmod(base, 0o777) == 0)
        let error = #expect(throws: OperationsError.self) { try StateDirectory.secure(state, logger: Logger(label: "test")) }
        #expect("\(String(describing: error))".contains("the state directory is in \(base), which any user may write"), "\(String(describing: error))")
        // Through a link made there, or in a folder of the owner's alone.
        let link = StateLayout(root: URL(fileURLWithPath: base + "/link"))
        #expect(symlink(state.root.path, link.root.path) == 0)
        #expect(throws: OperationsError.self) { try StateDirectory.secure(link, logger: Logger(label: "test")) }
        let safe = try TestServer.temporaryDirectory()
        let linked = StateLayout(root: URL(fileURLWithPath: safe + "/state"))
        #expect(symlink(state.root.path, linked.root.path) == 0)
        let through = #expect(throws: OperationsError.self) { try StateDirectory.secure(linked, logger: Logger(label: "test")) }
        #expect("\(String(describing: through))".contains("which any user may write"), "\(String(describing: through))")
        #expect(chmod(base, 0o1777) == 0)
        _ = try StateDirectory.secure(state, logger: Logger(label: "test"))   // a sticky one, as /tmp, is safe
        #expect(chmod(base, 0o755) == 0)
        #expect(try StateDirectory.secure(state, logger: Logger(label: "test")).isEmpty)
    }
}

/// The migrations run as the warehouse's superuser: they must come from files no other user
/// can change (an adversarial review, 2026-12-01, planted one beside the working directory).
@Suite struct SchemaFilesTests {
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("sql").path

    func copy() throws -> String {
        let dir = try TestServer.temporaryDirectory() + "/sql"
        try FileManager.default.copyItem(atPath: Self.checkout, toPath: dir)
        return dir
    }

    @Test func privateMigrationsAreTaken() throws {
        let dir = try copy()
        #expect(try SchemaFiles.directory(environment: ["ETL_SQL_DIR": dir]) == dir)
        // A folder named that holds none is refused, not passed over for another (a review); empty is unset.
        let none = try #require(#expect(throws: OperationsError.self) { try SchemaFiles.directory(environment: ["ETL_SQL_DIR": dir + "/views"]) })
        #expect("\(none)".contains("ETL_SQL_DIR names no folder of SQL migrations"), "\(none)")
        #expect(try SchemaFiles.directory(environment: ["ETL_SQL_DIR": ""]) == Self.checkout)
    }

    @Test func migrationsAnyoneMayChangeAreRefused() throws {
        let dir = try copy()
        #expect(chmod(dir + "/views", 0o777) == 0)
        #expect(throws: OperationsError.self) { try SchemaFiles.directory(environment: ["ETL_SQL_DIR": dir]) }
        #expect(chmod(dir + "/views", 0o755) == 0 && chmod(dir + "/001_ledger.sql", 0o666) == 0)
        #expect(throws: OperationsError.self) { try SchemaFiles.directory(environment: ["ETL_SQL_DIR": dir]) }
        #expect(chmod(dir + "/001_ledger.sql", 0o644) == 0 && chmod((dir as NSString).deletingLastPathComponent, 0o777) == 0)
        #expect(throws: OperationsError.self, "a folder above, not sticky: anyone may rename sql/ away") {
            try SchemaFiles.directory(environment: ["ETL_SQL_DIR": dir])
        }
        #expect(chmod((dir as NSString).deletingLastPathComponent, 0o1777) == 0)
        #expect(try SchemaFiles.directory(environment: ["ETL_SQL_DIR": dir]) == dir, "a sticky one, as /tmp, is safe")
        // A link among them leads where the check does not look (a re-test's led into another user's folder).
        #expect(chmod((dir as NSString).deletingLastPathComponent, 0o700) == 0)
        let views = dir + "/views", moved = (dir as NSString).deletingLastPathComponent + "/views-elsewhere"
        try FileManager.default.moveItem(atPath: views, toPath: moved)
        #expect(symlink(moved, views) == 0)
        let linked = #expect(throws: OperationsError.self) { try SchemaFiles.directory(environment: ["ETL_SQL_DIR": dir]) }
        #expect("\(String(describing: linked))".contains("it is a link"), "\(String(describing: linked))")
    }

    /// A group with another member may change them too (a team's checkout; an adversarial
    /// review made itself a superuser so); the owner's own group may not.
    @Test(.enabled(if: geteuid() == 0 && getpwnam("nobody") != nil, "needs root and the user nobody, to give the folder nobody's group"))
    func migrationsAGroupWithOtherMembersMayChangeAreRefused() throws {
        let dir = try copy()
        let group = try #require(getpwnam("nobody")).pointee.pw_gid
        #expect(chown(dir + "/views", 0, group) == 0 && chmod(dir + "/views", 0o775) == 0)
        let error = #expect(throws: OperationsError.self) { try SchemaFiles.directory(environment: ["ETL_SQL_DIR": dir]) }
        #expect("\(String(describing: error))".contains("may be written by group "), "\(String(describing: error))")
        #expect(chown(dir + "/views", 0, 0) == 0)
        #expect(try SchemaFiles.directory(environment: ["ETL_SQL_DIR": dir]) == dir, "root's own group")
    }

    /// An access control list naming another user with write: the mode's group bits are then
    /// the list's mask, and the group root's own, so the mode alone let the user's write in
    /// (an adversarial review ran its `COPY … TO PROGRAM` so). The pipeline file alike.
    @Test func migrationsAnAccessControlListLetsAnotherUserWriteAreRefused() throws {
        let dir = try copy()
        let file = dir + "/views/70_evaluation_panel.sql"
        // user::rw-, user:65534:rw-, group::r--, mask::rw-, other::r-- as Linux stores it (what `setfacl -m u:65534:rw` makes).
        let acl = posixACL([(0x01, 6, .max), (0x02, 6, 65534), (0x04, 4, .max), (0x10, 6, .max), (0x20, 4, .max)])
        guard setxattr(file, "system.posix_acl_access", acl, acl.count, 0) == 0 else {
            print("NOTE: migrationsAnAccessControlListLetsAnotherUserWriteAreRefused skipped: this file system takes no ACL (\(String(cString: strerror(errno))))")
            return
        }
        let error = #expect(throws: OperationsError.self) { try SchemaFiles.directory(environment: ["ETL_SQL_DIR": dir]) }
        #expect("\(String(describing: error))".contains("may be written by the users or groups its access control list names"),
                "\(String(describing: error))")
        let pipeline = try TestServer.temporaryDirectory() + "/p.yaml"
        try FileManager.default.copyItem(atPath: Self.checkout + "/../pipelines/copenhagen.yaml", toPath: pipeline)
        #expect(setxattr(pipeline, "system.posix_acl_access", acl, acl.count, 0) == 0)
        let refused = #expect(throws: OperationsError.self) { try PipelineConfig.loadTrusted(path: pipeline) }
        #expect("\(String(describing: refused))".contains("access control list"), "\(String(describing: refused))")
        #expect(removexattr(file, "system.posix_acl_access") == 0)
        #expect(try SchemaFiles.directory(environment: ["ETL_SQL_DIR": dir]) == dir)
    }

    /// Another user's own files, mode 644, ran their `COPY … TO PROGRAM` as the server's
    /// account (an adversarial review): refused, and so is a folder above of theirs.
    @Test(.enabled(if: geteuid() == 0 && getpwnam("nobody") != nil, "needs root and the user nobody, to give the files to another user"))
    func migrationsAnotherUserOwnsAreRefused() throws {
        let dir = try copy()
        #expect(chown(dir + "/views/95_grants.sql", 65534, 65534) == 0)
        let error = #expect(throws: OperationsError.self) { try SchemaFiles.directory(environment: ["ETL_SQL_DIR": dir]) }
        #expect("\(String(describing: error))".contains("may be written by its owner, user "), "\(String(describing: error))")
        #expect(chown(dir + "/views/95_grants.sql", 0, 0) == 0)
        let parent = (dir as NSString).deletingLastPathComponent
        #expect(chown(parent, 65534, 65534) == 0)
        #expect(throws: OperationsError.self, "in a folder of theirs") { try SchemaFiles.directory(environment: ["ETL_SQL_DIR": dir]) }
        #expect(chown(parent, 0, 0) == 0)
        #expect(try SchemaFiles.directory(environment: ["ETL_SQL_DIR": dir]) == dir)
    }
}

@Suite struct LogLayoutTests {
    @Test func jsonValuesAreNumbersAndBooleansWhenTheyAreOne() throws {
        let line = ETLLogHandler.render(level: .info, message: "run finished", metadata: [
            "seconds": "0.49", "published": "true", "rows": "42", "negative": "-3", "exit_status": .stringConvertible(65),
            "ratio": .stringConvertible(0.25), "flag": .stringConvertible(false), "case": "007", "as_of": "2026-11-21",
            "version": "1.2.3", "text": "true story", "loads": .array(["1", "x"]),
            "run": "20261121023000", "big": "20261201222941555", "limit": "9007199254740992", "huge": "123456789012345678901234",
        ], format: .json)
        #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any])
        // The keys are sorted and nothing is spaced, so each value can be read off the line.
        for typed in [#""seconds":0.49,"#, #""published":true,"#, #""rows":42,"#, #""negative":-3,"#, #""exit_status":65,"#,
                      #""ratio":0.25,"#, #""flag":false,"#, #""loads":[1,"x"],"#, #""limit":9007199254740992,"#] {
            #expect(line.contains(typed), "\(typed) in \(line)")
        }
        // A run id is text even when a double holds it; any integer beyond 2^53 is text (jq
        // 1.6 and JavaScript read 20261201222941555 as …556).
        for text in [#""case":"007""#, #""as_of":"2026-11-21""#, #""version":"1.2.3""#, #""text":"true story""#,
                     #""run":"20261121023000""#, #""big":"20261201222941555""#, #""huge":"123456789012345678901234""#] {
            #expect(line.contains(text), "\(text) in \(line)")
        }
        // In the text, as written.
        let text = ETLLogHandler.render(level: .info, message: "run finished", metadata: ["published": "true"], format: .text)
        #expect(text.hasSuffix("run finished published=true"))
    }

    @Test func everyTextLineHasOneLayout() {
        let pattern = /\d\d:\d\d:\d\d (trace|debug|info|notice|warning|error|critical) +(\[[^\]]+\] )?\S.*/
        let lines = [
            ETLLogHandler.render(level: .info, message: "stage finished", metadata: ["run": "20261121023000", "stage": "load", "rows": "42"], format: .text),
            ETLLogHandler.render(level: .warning, message: "slow", metadata: ["stage": "extract"], format: .text),
            ETLLogHandler.render(level: .error, message: "failed:\n\tserver closed the connection", metadata: ["error": "a b", "path": "/x=y"], format: .text),
            ETLLogHandler.render(level: .notice, message: "started", metadata: [:], format: .text),
        ]
        for line in lines { #expect(line.wholeMatch(of: pattern) != nil, "\(line)") }
        #expect(lines[0].contains(" [20261121023000 load] stage finished rows=42"))
        #expect(lines[1].contains("warning [extract] slow"))
        #expect(lines[2].contains(#"failed: server closed the connection error="a b" path="/x=y""#), "\(lines[2])")
        #expect(!lines.contains { $0.contains("\n") })
    }
}
