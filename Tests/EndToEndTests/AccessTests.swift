import Foundation
import Testing
import TestSupport
import Operations
import Pipeline
import Postgres

/// One real night, shared by the tests that look at what it leaves: the embedded server
/// started with `--listen` on a free loopback port, then the cron wrapper's run of a
/// synthetic drop. Its state directory sits in a folder every OS user may traverse (0711),
/// so only the state directory's own permissions keep another user out.
struct Night: Sendable {
    let base: String
    let state: StateLayout
    let port: Int
    let environment: [String: String]
    let wrapper: (status: Int32, stdout: String, stderr: String)
    let harness: Harness

    static let shared: Result<Night, any Error> = Result { try Night() }

    private init() throws {
        var template = Array("/tmp/etl-access-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        base = String(cString: made)
        state = StateLayout(root: URL(fileURLWithPath: base + "/state"))
        try TestServer.cleanUpAtExit(base, serverDirectory: state.postgres.path)
        guard chmod(base, 0o711) == 0 else { throw CocoaError(.fileWriteNoPermission) }

        harness = try Harness("night")
        try harness.drop(children: 400)
        port = try freeLoopbackPort()
        var environment = harness.environment
        environment["ETL_STATE_DIR"] = state.root.path
        self.environment = environment
        let start = try harness.run(["warehouse", "start", "--listen", "127.0.0.1:\(port)"], environment: environment)
        guard start.status == 0 else { throw Failure("warehouse start: \(start.stderr)") }

        var cron = environment
        cron["ETL_BIN"] = Harness.etl
        cron["ETL_ENV_FILE"] = "/dev/null"
        wrapper = try harness.run([Harness.repo.appendingPathComponent("cron/etl-nightly.sh").path, Harness.copenhagen, harness.inbox.path],
                                  program: "/bin/bash", environment: cron)
    }

    func etl(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try harness.run(arguments, environment: environment)
    }

    /// The owner's connection, through the socket.
    func owner() throws -> Connection {
        try Connection(url: EmbeddedServer(directory: state.postgres.path).connectionString(database: "etl"))
    }

    struct Failure: Error, CustomStringConvertible { let description: String; init(_ d: String) { description = d } }
}

@Suite struct AccessTests {
    static let canSwitchUsers = geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser")
        && getpwnam("nobody") != nil

    @Test func theCronWrapperIsSilentOnSuccessAndLoudOnFailure() throws {
        let night = try Night.shared.get()
        #expect(night.wrapper.status == 0, "\(night.wrapper.stderr)")
        #expect(night.wrapper.stdout.isEmpty && night.wrapper.stderr.isEmpty, "cron mails whatever is printed: \(night.wrapper)")

        let h = try Harness()
        let failed = try h.nightly(inbox: h.root.appendingPathComponent("no-such-inbox"))
        #expect(failed.status != 0)
        #expect(failed.stdout.contains("etl nightly run failed"), "\(failed.stdout)")
        #expect(failed.stdout.contains("no-such-inbox"), "the end of the log names the problem: \(failed.stdout)")
        // A failure without a status of its own heads the mail with etl's error, not only "see the log" (a new steward's trial).
        let (drop, _) = try h.drop(children: 200)
        try FileManager.default.removeItem(at: drop.appendingPathComponent("MANIFEST"))
        let export = try FileHandle(forWritingTo: drop.appendingPathComponent("indmeldelser.csv"))
        try export.seekToEnd(); try export.write(contentsOf: Data("\"unclosed;\n".utf8)); try export.close()
        for file in try FileManager.default.contentsOfDirectory(atPath: drop.path) {   // left alone long enough, as a drop without a MANIFEST must be
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -600)], ofItemAtPath: drop.appendingPathComponent(file).path)
        }
        let broken = try h.nightly()
        let headline = broken.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(broken.status == 1 && headline.hasPrefix("etl nightly run failed: failed (exit 1): ") && headline.contains("indmeldelser.csv")
                && headline.contains("quote") && !headline.contains("\\\""), "\(broken.stdout)")
    }

    @Test func anAnalystReadsMetricsOverTCPWithAPasswordAndNothingElse() throws {
        let night = try Night.shared.get()
        let made = try night.etl(["warehouse", "analyst", "ana"])
        #expect(made.status == 0, "\(made.stderr)")
        let url = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let info = try #require(ConnectionInfo.parse(url), "\(url)")
        #expect(info["host"] == "127.0.0.1" && info["port"] == "\(night.port)" && info["user"] == "ana" && info["dbname"] == "etl")
        let password = try #require(info["password"], "a generated password is shown once")

        let analyst = try Connection(url: url)
        #expect(try analyst.query("SELECT current_user, inet_server_port()").first?.values == ["ana", "\(night.port)"])
        #expect(try analyst.query("SELECT count(*) FROM metrics.cohort_summary").first?.int(0) == 2)
        let owner = try night.owner()
        let views = try owner.query("SELECT table_name FROM information_schema.views WHERE table_schema = 'metrics'").compactMap { $0.string(0) }
        #expect(views.count >= 5)
        for view in views { _ = try analyst.query("SELECT * FROM metrics.\(view) LIMIT 1") }
        let tables = try owner.query("SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname IN ('warehouse', 'etl')")
            .compactMap { $0.string(0) }
        #expect(tables.contains("etl.runs") && tables.contains("warehouse.children"))
        for table in tables {
            let error = #expect(throws: PostgresError.self) { try analyst.query("SELECT * FROM \(table) LIMIT 1") }
            #expect(error?.sqlState == "42501", "\(table)")
        }

        func refused(_ url: String) -> String {
            do { _ = try Connection(url: url); return "connected" } catch { return "\(error)" }
        }
        #expect(refused(url.replacingOccurrences(of: password, with: password + "x")).contains("password authentication failed"))
        #expect(refused("postgresql://postgres@127.0.0.1:\(night.port)/etl?sslmode=disable").contains("rejects connection"),
                "the owner cannot log in over TCP")

        // A new password: the old one stops working.
        let renewed = try night.etl(["warehouse", "analyst", "ana", "--new-password"])
        #expect(renewed.status == 0, "\(renewed.stderr)")
        #expect(refused(url).contains("password authentication failed"))
        #expect(try Connection(url: renewed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).query("SELECT 1").count == 1)
        // Asked again without a password: the role and its password stay; no password shown.
        let again = try night.etl(["warehouse", "analyst", "ana"])
        #expect(again.status == 0 && !again.stdout.contains("ana:"), "\(again.stdout)")
        // Given to etl, an analyst's string is said to be one (a new user's trial got the bare SQL error).
        let runs = try night.etl(["runs", "--database", renewed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)])
        #expect(runs.status == ExitStatus.databaseUnreachable.rawValue && runs.stderr.contains("the role ana may not make or change etl's tables")
                && runs.stderr.contains("an analyst's role reads the metrics views"), "\(runs.stderr)")
    }

    /// Every file and folder under the state directory after a real night (stage files,
    /// ledger lock, key, logs, the server's folder and data) is its owner's only.
    @Test func everythingUnderTheStateDirectoryIsItsOwnersOnly() throws {
        let night = try Night.shared.get()
        let root = night.state.root.path
        var checked = 0, files = 0
        var info = stat()
        #expect(lstat(root, &info) == 0)
        // g+x for the server's account alone, and only when run as root.
        #expect(info.st_mode & 0o777 == (geteuid() == 0 ? 0o710 : 0o700))
        if geteuid() == 0 { #expect(info.st_gid == getpwnam("postgres")?.pointee.pw_gid) }
        let walker = try #require(FileManager.default.enumerator(atPath: root))
        while let name = walker.nextObject() as? String {
            #expect(lstat(root + "/" + name, &info) == 0)
            let type = info.st_mode & S_IFMT
            if type == S_IFSOCK { continue }  // the server's socket: in its 0700 folder
            checked += 1
            if type == S_IFREG { files += 1 }
            #expect(info.st_mode & 0o077 == 0, "\(name) is \(String(info.st_mode & 0o777, radix: 8))")
        }
        #expect(files > 30, "stage files, logs, the key, the server's data: \(files)")
        #expect(FileManager.default.fileExists(atPath: root + "/logs") && FileManager.default.fileExists(atPath: night.state.runs.path))
        #expect(checked > files)
    }

    @Test(.enabled(if: AccessTests.canSwitchUsers, "needs root, /usr/sbin/runuser and a 'nobody' account to try another OS user"))
    func anotherOSUserCanReadNothingOfIt() throws {
        let night = try Night.shared.get()
        func asUser(_ user: String, _ command: String, _ path: String) throws -> Int32 {
            try night.harness.run(["-u", user, "--", command, path], program: "/usr/sbin/runuser", environment: [:]).status
        }
        // The control: nobody reads an open file beside the state directory, so a refusal below is the state's doing.
        let open = night.base + "/open.txt"
        #expect(FileManager.default.createFile(atPath: open, contents: Data("x".utf8), attributes: [.posixPermissions: 0o644]))
        #expect(try asUser("nobody", "/bin/cat", open) == 0)
        #expect(try asUser("nobody", "/bin/ls", night.state.root.path) != 0)
        let run = try #require(try FileManager.default.contentsOfDirectory(atPath: night.state.runs.path).first)
        for path in ["runs/\(run)/run.json", "runs/\(run)/extract/enrolments.tsv", "runs/\(run)/transform/children.tsv", "pseudonym.key"] {
            let full = night.state.root.path + "/" + path
            guard FileManager.default.fileExists(atPath: full) else { continue }
            #expect(try asUser("nobody", "/bin/cat", full) != 0, "\(path)")
            // The server's account may traverse the state directory, and read nothing in it either.
            #expect(try asUser("postgres", "/bin/cat", full) != 0, "\(path)")
        }
    }

    @Test(.enabled(if: AccessTests.canSwitchUsers && FileManager.default.isExecutableFile(atPath: "/usr/bin/psql"),
                   "needs root, /usr/sbin/runuser, a 'nobody' account and /usr/bin/psql to connect as another OS user"))
    func anOSUserWithNoRightsOnTheMachineConnectsWithTheStringAlone() throws {
        let night = try Night.shared.get()
        let made = try night.etl(["warehouse", "analyst", "nobodys_analyst"])
        #expect(made.status == 0, "\(made.stderr)")
        let url = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let psql = try night.harness.run(["-u", "nobody", "--", "/usr/bin/psql", "-X", "-A", "-t", url, "-c", "SELECT count(*) FROM metrics.cohort_summary"],
                                         program: "/usr/sbin/runuser", environment: ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent"])
        #expect(psql.status == 0 && psql.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2", "\(psql)")
    }

    /// Only `etl run`, `etl demo` and `etl warehouse start` may make a cluster; the others
    /// say there is none and what to do, and leave the state directory as it was.
    @Test func commandsThatOnlyReadMakeNoCluster() throws {
        let h = try Harness()
        let run = "20261121023000"
        for arguments in [["runs"], ["runs", "show", run], ["rejects", run], ["publish", run], ["migrate"],
                          ["warehouse", "analyst", "ana"], ["warehouse", "psql-url"], ["warehouse", "status"]] {
            let result = try h.run(arguments)
            #expect(result.status == ExitStatus.databaseUnreachable.rawValue, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("no warehouse in the state directory \(h.state.root.path)"), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("etl warehouse start"), "\(arguments)")
        }
        let stop = try h.run(["warehouse", "stop"])
        #expect(stop.status == 0 && stop.stdout.contains("nothing to stop"), "\(stop)")
        for arguments in [["extract", "--run", run], ["transform", "--run", run], ["load", "--run", run]] {
            let result = try h.run(arguments)
            #expect(result.status != 0, "\(arguments): no such run")
        }
        #expect(!FileManager.default.fileExists(atPath: h.state.postgres.path), "no cluster was made")
    }

    /// PGHOST, PGPORT, PGUSER, PGDATABASE name the database when --database and
    /// DATABASE_URL do not; those two still win.
    @Test func thePGVariablesSelectTheDatabase() throws {
        let h = try Harness()
        let other = try TestServer.freshDatabase("pgvariables_other")
        let info = try #require(ConnectionInfo.parse(h.db.url))
        var env = h.environment
        env["PGHOST"] = info["host"]
        env["PGPORT"] = info["port"]
        env["PGUSER"] = info["user"]
        env["PGDATABASE"] = h.db.name
        func migrations(_ db: TestServer.Database) throws -> Int {
            try db.connect().query("SELECT count(*) FROM pg_tables WHERE schemaname = 'etl' AND tablename = 'schema_migrations'").first?.int(0) ?? 0
        }
        let migrated = try h.run(["migrate"], environment: env)
        #expect(migrated.status == 0, "\(migrated.stderr)")
        #expect(try migrations(h.db) == 1)
        #expect(!FileManager.default.fileExists(atPath: h.state.postgres.path), "the embedded server was not used")
        let url = try h.run(["warehouse", "psql-url"], environment: env)
        #expect(ConnectionInfo.parse(url.stdout.trimmingCharacters(in: .whitespacesAndNewlines))?["dbname"] == h.db.name, "\(url.stdout)")

        env["DATABASE_URL"] = other.url
        #expect(try h.run(["migrate"], environment: env).status == 0)
        #expect(try migrations(other) == 1, "DATABASE_URL comes before the PG* variables")
        env["PGDATABASE"] = "no_such_database"
        env["DATABASE_URL"] = nil
        #expect(try h.run(["migrate", "--database", other.url], environment: env).status == 0, "--database comes first")
    }

    /// `etl warehouse analyst` through the binary: refusals exit 64 and change no role.
    @Test func theAnalystCommandRefusesRolesItDidNotMakeAndChangesNothing() throws {
        let h = try Harness()
        let db = try h.connect()
        _ = try h.run(["migrate", "--database", h.db.url])
        // Memberships among the three only: other tests on the shared server make analysts meanwhile.
        func snapshot() throws -> [[String?]] {
            try db.query("""
                SELECT a.rolname, a.rolcanlogin, a.rolpassword, a.rolsuper, shobj_description(a.oid, 'pg_authid'),
                       (SELECT count(*) FROM pg_auth_members m WHERE a.oid IN (m.roleid, m.member)
                          AND m.roleid::regrole::text IN ('postgres', 'etl_analyst', 'pg_monitor')
                          AND m.member::regrole::text IN ('postgres', 'etl_analyst', 'pg_monitor'))
                FROM pg_authid a WHERE a.rolname IN ('postgres', 'etl_analyst', 'pg_monitor') ORDER BY 1
                """).map(\.values)
        }
        let before = try snapshot()
        for role in ["postgres", "etl_analyst", "pg_monitor"] {
            let result = try h.run(["warehouse", "analyst", role, "--password", "long-enough-password", "--database", h.db.url])
            #expect(result.status == ExitStatus.usage.rawValue, "\(role): \(result.stderr)")
            #expect(result.stdout.isEmpty, "no connection string for a refused role")
        }
        #expect(try snapshot() == before)
        // A password an attacker over the network could guess is refused too (an adversarial review).
        let short = try h.run(["warehouse", "analyst", "bob", "--database", h.db.url], environment: h.environment.merging(["ETL_ANALYST_PASSWORD": "abcdefghijk"]) { $1 })
        #expect(short.status == ExitStatus.usage.rawValue && short.stderr.contains("fewer than 12 characters"), "\(short.stderr)")
        #expect(try db.query("SELECT FROM pg_roles WHERE rolname = 'bob'").isEmpty)
        // A password given two ways is refused by each command that makes a role, before it
        // connects (the national analyst's took the variable and dropped --prompt; a review).
        let twice = h.environment.merging(["ETL_ANALYST_PASSWORD": "long-enough-password", "ETL_NATIONAL_FEED_PASSWORD": "long-enough-password"]) { $1 }
        for command in [["warehouse", "analyst", "bob", "--prompt"], ["national", "analyst", "bob", "--prompt"], ["national", "feed-role", "--prompt"]] {
            let result = try h.run(command + ["--database", h.db.url], environment: twice)
            #expect(result.status == ExitStatus.usage.rawValue && result.stderr.contains("give the password one way"), "\(command): \(result.stderr)")
        }
    }

    /// JSON log lines are objects with numbers and booleans as such; text lines share one
    /// layout, the error line included.
    @Test func theLogLinesOfARealRun() throws {
        let h = try Harness()
        try h.drop(children: 200)
        let json = try h.run(["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url, "--log-format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let objects = try json.stderr.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
        let finished = try #require(objects.first { $0["event"] as? String == "run finished" })
        #expect(json.stderr.contains(#""published":true"#))
        #expect(finished["seconds"] is Double || finished["seconds"] is Int)
        #expect(!json.stderr.contains(#""seconds":""#) && !json.stderr.contains(#""published":""#))
        let loaded = try #require(objects.first { $0["event"] as? String == "stage finished" && $0["stage"] as? String == "load" })
        #expect(loaded["children"] as? Int ?? 0 > 0)

        let failedJSON = try h.run(["runs", "--log-format", "json"])
        let error = try #require(try JSONSerialization.jsonObject(with: Data(failedJSON.stderr.utf8)) as? [String: Any], "\(failedJSON.stderr)")
        #expect(error["level"] as? String == "error" && error["exit_status"] as? Int == 69)

        try h.drop(children: 200, asOf: Day(year: 2026, month: 11, day: 22)!)
        let text = try h.run(["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url])
        let failed = try h.run(["runs", "--state-dir", h.root.appendingPathComponent("empty").path])
        let lines = (text.stderr + failed.stderr).split(separator: "\n")
        #expect(lines.count > 5)
        let layout = /\d\d:\d\d:\d\d (trace|debug|info|notice|warning|error|critical) +(\[[^\]]+\] )?\S.*/
        for line in lines { #expect(line.wholeMatch(of: layout) != nil, "\(line)") }
    }

    @Test func everySubcommandsHelpListsTheExitStatusesAndDatesAreDates() throws {
        let h = try Harness()
        func subcommands(_ path: [String]) throws -> [[String]] {
            let help = try h.run(path + ["--help"]).stdout
            guard let section = help.range(of: "SUBCOMMANDS:") else { return [] }
            // The section's lines up to its first blank line; a name is indented two spaces.
            let lines = help[section.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
                .prefix { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            let names = lines.compactMap { line -> String? in
                guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
                return line.split(separator: " ").first.map(String.init)
            }
            return try names.flatMap { name in [path + [name]] + (try subcommands(path + [name])) }
        }
        let all = try subcommands([])
        #expect(all.count >= 18, "\(all)")
        for command in [[]] + all {
            let help = try h.run(command + ["--help"])
            #expect(help.status == 0)
            for status in ExitStatus.allCases {
                #expect(help.stdout.contains("\(status.rawValue)\t"), "etl \(command.joined(separator: " ")) --help lacks \(status.rawValue)")
            }
        }
        let generate = try h.run(["generate", "--help"]).stdout
        #expect(generate.contains("else 2026-11-21") && generate.contains("(default: 2012-01-01)"), "\(generate)")
    }
}
