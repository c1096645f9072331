import Foundation
import Testing
import TestSupport
import Operations
import Pipeline
import Postgres
import Report

/// What cron and the stewards do: whole runs, stage reruns, locks, bad drops, a database that
/// is down, and the cron wrapper — through the built `etl`, on the test server.
@Suite struct NightlyRunTests {
    static let summaryView = "SELECT * FROM metrics.cohort_summary ORDER BY cohort"

    @Test func aRerunOfTransformAloneGivesTheSamePublishedFigures() throws {
        let h = try Harness()
        try h.drop(children: 3_000)
        let first = try h.run(["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url])
        #expect(first.status == 0, "\(first.stderr)")
        let line = first.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(line.hasPrefix("run ") && line.contains("published=yes") && line.contains("rejected=0"), "\(line)")
        let run = String(line.split(separator: " ")[1])
        let before = try h.rows(Self.summaryView)
        let loadBefore = try h.rows("SELECT load_id FROM etl.published")

        let transform = try h.run(["transform", "--run", run, "--database", h.db.url])
        #expect(transform.status == 0, "\(transform.stderr)")
        let load = try h.run(["load", "--run", run, "--database", h.db.url])
        #expect(load.status == 0, "\(load.stderr)")
        #expect(try h.rows("SELECT load_id FROM etl.published") != loadBefore)
        #expect(try h.rows(Self.summaryView) == before)

        // The same drop again is not loaded twice, unless forced.
        let again = try h.run(["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url])
        #expect(again.status == 0)
        #expect(again.stdout.contains("nothing to do"))
        // Its MANIFEST is still held to it: a count changed is a drop incomplete, not "nothing to do".
        let manifest = h.inbox.appendingPathComponent("2026-11-21/MANIFEST")
        let written = try String(contentsOf: manifest, encoding: .utf8)
        let row = try #require(written.split(separator: "\n").first { $0.hasSuffix("indmeldelser.csv") })
        let fields = row.split(separator: " ", omittingEmptySubsequences: true)
        try written.replacingOccurrences(of: row, with: "\(fields[0])  \(Int(fields[1])! + 1)  \(fields[2])")
            .write(to: manifest, atomically: true, encoding: .utf8)
        let miscounted = try h.run(["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url])
        #expect(miscounted.status == ExitStatus.dropIncomplete.rawValue && miscounted.stderr.contains("the MANIFEST says \(Int(fields[1])! + 1)"),
                "\(miscounted.stdout) \(miscounted.stderr)")
        // So is a line of a file it names besides the exports (a re-test).
        try "notes\n".write(to: manifest.deletingLastPathComponent().appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        try (written + String(repeating: "0", count: 64) + "  1  notes.txt\n").write(to: manifest, atomically: true, encoding: .utf8)
        let besides = try h.run(["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url])
        #expect(besides.status == ExitStatus.dropIncomplete.rawValue && besides.stderr.contains("notes.txt"), "\(besides.stdout) \(besides.stderr)")
        try written.write(to: manifest, atomically: true, encoding: .utf8)
        let ledger = try h.run(["runs", "--database", h.db.url])
        #expect(ledger.stdout.contains(run) && ledger.stdout.contains("*"), "\(ledger.stdout)")
        let show = try h.run(["runs", "show", run, "--database", h.db.url])
        #expect(show.stdout.contains("indmeldelser.csv") && show.stdout.contains("transform"), "\(show.stdout)")
    }

    @Test func aSecondRunExitsWithTheLockStatusNamingTheHolder() throws {
        let h = try Harness()
        // The warehouse's advisory lock, held as a running `etl run` holds it.
        let holder = try h.connect()
        try holder.execute("SET application_name = 'etl run 20261121023000'")
        _ = try holder.query("SELECT pg_advisory_lock(\(0x65746C_72756E))")
        try h.drop(children: 500)
        let second = try h.run(["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url])
        #expect(second.status == ExitStatus.locked.rawValue)
        #expect(second.stderr.contains("etl run 20261121023000"), "\(second.stderr)")

        // The lock file, held by a process that is still extracting.
        _ = try holder.query("SELECT pg_advisory_unlock_all()")
        let lock = try RunLock(path: h.state.lockFile.path, holder: "etl run 20261121023001")
        let third = try h.run(["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url])
        withExtendedLifetime(lock) {}
        #expect(third.status == ExitStatus.locked.rawValue)
        #expect(third.stderr.contains("etl run 20261121023001"), "\(third.stderr)")
    }

    @Test func badDropsLeaveTheWarehouseAsItWas() throws {
        let h = try Harness()
        try h.drop(children: 2_000, asOf: Day(year: 2026, month: 11, day: 20)!)
        #expect(try h.run(["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url]).status == 0)
        let published = try h.rows("SELECT run_id, load_id FROM etl.published")
        let figures = try h.rows(Self.summaryView)

        // A MANIFEST whose checksum does not match.
        let (bad, _) = try h.drop(children: 2_000, seed: 8, asOf: Day(year: 2026, month: 11, day: 21)!)
        let manifest = bad.appendingPathComponent("MANIFEST")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        try text.replacingOccurrences(of: #"^[0-9a-f]"#, with: "0", options: .regularExpression)
            .replacingOccurrences(of: #"^0"#, with: "1", options: .regularExpression)
            .write(to: manifest, atomically: true, encoding: .utf8)
        let incomplete = try h.run(["run", "--pipeline", Harness.copenhagen, "--drop", bad.path, "--database", h.db.url])
        #expect(incomplete.status == ExitStatus.dropIncomplete.rawValue, "\(incomplete.stderr)")
        #expect(incomplete.stderr.contains("MANIFEST") || incomplete.stderr.contains("checksum"), "\(incomplete.stderr)")
        // Said once, as the last line: the cron mail is not the same error twice.
        #expect(incomplete.stderr.components(separatedBy: "the drop is incomplete").count == 2, "\(incomplete.stderr)")
        #expect(incomplete.stderr.split(separator: "\n").contains { $0.contains("warning") && $0.contains("stage failed") },
                "\(incomplete.stderr)")
        // Its next step says the same files fail the same way (a new user's trial reran it as told).
        let incompleteRun = try #require(try h.rows("SELECT max(run_id)::text FROM etl.runs").first?.first ?? nil)
        let shown = try h.run(["runs", "show", incompleteRun, "--database", h.db.url])
        #expect(shown.stdout.contains("`etl run --from extract --run \(incompleteRun)`, once the drop's files are whole and corrected"), "\(shown.stdout)")

        // A drop with a sixth of its records bad, against a threshold of 10 %.
        let (dirty, _) = try h.drop(children: 2_000, seed: 9, dirty: 0.2, asOf: Day(year: 2026, month: 11, day: 22)!)
        let over = try h.run(["run", "--pipeline", Harness.copenhagen, "--drop", dirty.path, "--database", h.db.url])
        #expect(over.status == ExitStatus.rejectThresholdExceeded.rawValue, "\(over.stderr)")
        // The step `runs show` names fails the same way unless the pipeline file changes: it says so.
        let overRun = try #require(try h.rows("SELECT max(run_id)::text FROM etl.runs").first?.first ?? nil)
        let show = try h.run(["runs", "show", overRun, "--database", h.db.url])
        #expect(show.stdout.contains("`etl run --from extract --run \(overRun)` with --pipeline FILE, once the file's value maps or "
                                     + "reject_threshold take the rejected records"), "\(show.stdout)")
        // So does `etl publish` of it (it named `--from load`, which cannot work: a new user's trial).
        let publish = try h.run(["publish", overRun, "--database", h.db.url])
        #expect(publish.status == ExitStatus.failure.rawValue && publish.stderr.contains("has no complete load in the warehouse; next: `etl run --from extract "
                + "--run \(overRun)` with --pipeline FILE, once"), "\(publish.stderr)")

        #expect(try h.rows("SELECT run_id, load_id FROM etl.published") == published)
        #expect(try h.rows(Self.summaryView) == figures)
        #expect(try h.rows("SELECT count(*) FROM etl.loads") == [["1"]])
        #expect(try h.rows("SELECT count(*) FROM etl.runs WHERE status = 'failed'") == [["2"]])
        // The committee's page of the published run says that the newest night failed (it kept the
        // figures without a word, a review), naming it; its figures are the published run's still.
        let publishedRun = try #require(published.first?.first ?? nil)
        let page = try String(contentsOf: h.state.run(try #require(RunID(publishedRun))).root.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(page.contains("class=\"notice\"") && page.contains(overRun) && page.contains("I alt 2 kørsler"), "\(page.prefix(3000))")
        #expect(NightlyReport.runShown(atPath: h.state.run(RunID(publishedRun)!).root.appendingPathComponent("report.html").path) == RunID(publishedRun))
    }

    @Test func aDatabaseThatIsDownGivesItsStatusAndMessage() throws {
        let h = try Harness()
        try h.drop(children: 200)
        let down = "postgresql:///etl?host=\(h.root.path)/nothing-listens-here"
        let result = try h.run(["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", down])
        #expect(result.status == ExitStatus.databaseUnreachable.rawValue)
        #expect(result.stderr.contains("database unreachable"), "\(result.stderr)")
        #expect(result.stderr.contains("retrying"), "transient failures are retried first")
        // `etl warehouse status`, which that message names, says so of a named warehouse too.
        let status = try h.run(["warehouse", "status", "--database", down])
        #expect(status.status == ExitStatus.databaseUnreachable.rawValue && status.stderr.contains("database unreachable"), "\(status.stderr)")
        let up = try h.run(["warehouse", "status", "--database", h.db.url])
        #expect(up.status == 0 && up.stdout.hasPrefix("warehouse answers: ") && up.stdout.contains("PostgreSQL 15"), "\(up.stdout) \(up.stderr)")
    }

    /// A night whose rejects stay under the threshold succeeds, and says so in one line, which
    /// cron mails to the steward; `ETL_QUIET_REJECTS=1` keeps it silent.
    @Test func theCronWrapperNamesANightsRejects() throws {
        let h = try Harness()
        try h.drop(children: 300, dirty: 0.02)
        let night = try h.nightly(["DATABASE_URL": h.db.url])
        #expect(night.status == 0, "\(night.stdout) \(night.stderr)")
        let run = try #require(try h.rows("SELECT run_id::text FROM etl.runs").first?.first ?? nil)
        let rejected = try #require(try h.rows("SELECT sum(rejected)::text FROM etl.files WHERE run_id = \(run)").first?.first ?? nil)
        #expect(night.stdout == "etl nightly run \(run) ok, with \(rejected) rejected records: see them with \(Harness.etl) rejects \(run) "
                + "--state-dir \(h.state.root.path) (with the environment of /dev/null)\n", "\(night.stdout)")

        try h.drop(children: 300, seed: 9, dirty: 0.02, asOf: Day(iso: "2026-11-22")!)
        let quiet = try h.nightly(["DATABASE_URL": h.db.url, "ETL_QUIET_REJECTS": "1"])
        #expect(quiet.status == 0 && quiet.stdout.isEmpty, "\(quiet.stdout) \(quiet.stderr)")

        // No environment file read: none is named in the command to type.
        guard !FileManager.default.fileExists(atPath: "/etc/etl/etl.env") else { Issue.record("this machine has /etc/etl/etl.env"); return }
        try h.drop(children: 300, seed: 10, dirty: 0.02, asOf: Day(iso: "2026-11-23")!)
        let bare = try h.nightly(["DATABASE_URL": h.db.url, "ETL_ENV_FILE": ""])
        #expect(bare.status == 0 && bare.stdout.hasSuffix("--state-dir \(h.state.root.path)\n"), "\(bare.stdout) \(bare.stderr)")
    }

    /// An etl the wrapper cannot find says so and how to name it, not only "exit 127".
    @Test func theCronWrapperSaysWhenEtlIsMissing() throws {
        let h = try Harness()
        let night = try h.nightly(["ETL_BIN": h.root.appendingPathComponent("no-etl-here").path])
        #expect(night.status == 127 && night.stdout.contains("could not be run (exit 127: not found, or not executable)")
                && night.stdout.contains("set ETL_BIN"), "\(night.stdout)")
    }

    /// A night that makes a new key says so (cron mails it): on any night but the first, the
    /// state directory was not there, and every pseudonym is new (an adversarial review).
    @Test func theCronWrapperSaysWhenANightMadeANewKey() throws {
        let h = try Harness()
        try h.drop(children: 200)
        let first = try h.nightly(["DATABASE_URL": h.db.url, "ETL_PSEUDONYM_KEY": ""])
        #expect(first.status == 0 && first.stdout.contains("this night made a new pseudonymisation key in \(h.state.root.path)"),
                "\(first.stdout) \(first.stderr)")
        try h.drop(children: 200, seed: 9, asOf: Day(iso: "2026-11-22")!)
        let second = try h.nightly(["DATABASE_URL": h.db.url, "ETL_PSEUDONYM_KEY": ""])
        #expect(second.status == 0 && second.stdout.isEmpty, "\(second.stdout) \(second.stderr)")
    }

    /// An export with only its header is taken (a MANIFEST may say 0 rows), and its night is
    /// published without its rows: said in a line, which cron mails (a steward's trial).
    @Test func theCronWrapperSaysWhenAnExportHadNoRecords() throws {
        let h = try Harness()
        try h.drop(children: 200)
        #expect(try h.nightly(["DATABASE_URL": h.db.url]).stdout.isEmpty)
        let (drop, _) = try h.drop(children: 200, seed: 9, asOf: Day(iso: "2026-11-22")!)
        let enrolments = drop.appendingPathComponent("indmeldelser.csv")
        let header = try #require(try String(contentsOf: enrolments, encoding: .utf8).split(separator: "\n").first)
        try (header + "\n").write(to: enrolments, atomically: true, encoding: .utf8)
        // Its MANIFEST line as the export job writes it then: the file's checksum, 0 rows.
        let manifest = drop.appendingPathComponent("MANIFEST")
        let lines = try String(contentsOf: manifest, encoding: .utf8).split(separator: "\n").map {
            $0.hasSuffix("  indmeldelser.csv") ? "\(try SHA256Sum.file(enrolments.path))  0  indmeldelser.csv" : String($0)
        }
        try (lines.joined(separator: "\n") + "\n").write(to: manifest, atomically: true, encoding: .utf8)
        let night = try h.nightly(["DATABASE_URL": h.db.url])
        let run = try #require(try h.rows("SELECT run_id::text FROM etl.published").first?.first ?? nil)
        #expect(night.status == 0 && night.stdout.hasPrefix("etl nightly: indmeldelser.csv had no records in this night's drop, "
                                                            + "so run \(run) has none of their rows (published)."), "\(night.stdout) \(night.stderr)")
        #expect(night.stdout.contains("publish RUN --force --state-dir \(h.state.root.path)"), "\(night.stdout)")
    }

    /// A night that runs past `ETL_TIME_LIMIT` (here: stopped at a fault point, as a night
    /// hung on a server that never answers is) is stopped, says where, and the warehouse and
    /// the next night are as after any stopped run: the lock is free.
    @Test func theCronWrapperStopsANightPastItsTimeLimit() throws {
        let h = try Harness()
        try h.drop(children: 200)
        let night = try h.nightly(["DATABASE_URL": h.db.url, "ETL_TIME_LIMIT": "3s", "ETL_STOP_AT": "transform.started"])
        #expect(night.status == 128 + SIGTERM, "\(night.stdout) \(night.stderr)")
        #expect(night.stdout.contains("etl was stopped by SIGTERM in run 20") && night.stdout.contains("ran longer than ETL_TIME_LIMIT=3s"),
                "\(night.stdout)")
        #expect(try h.rows("SELECT count(*) FROM etl.published") == [["0"]])
        let next = try h.nightly(["DATABASE_URL": h.db.url])
        #expect(next.status == 0, "\(next.stdout) \(next.stderr)")
    }

    /// Ctrl-C on a night tried by hand reaches the wrapper's process group, not etl's:
    /// timeout(1) gave etl a group of its own. The wrapper passes a signal it is sent on; the
    /// night went on and published in silence (an adversarial review).
    /// SIGQUIT too, now a stop for etl: bash had left it ignored, and the night published (a review).
    @Test(arguments: [SIGTERM, SIGQUIT])
    func aSignalToTheCronWrapperStopsTheNightItRuns(signal: Int32) throws {
        let h = try Harness()
        try h.drop(children: 200)
        var environment = ["ETL_BIN": Harness.etl, "ETL_ENV_FILE": "/dev/null", "DATABASE_URL": h.db.url, "ETL_STOP_AT": "transform.started"]
        environment["ETL_TIME_LIMIT"] = "10m"
        let wrapper = try Spawned(h, [Harness.repo.appendingPathComponent("cron/etl-nightly.sh").path, Harness.copenhagen, h.inbox.path],
                                  environment: environment, program: "/bin/bash")
        let etl = try #require(Spawned.stoppedProcess(holding: h.inbox.path), "etl never stopped at transform.started")
        #expect(kill(wrapper.pid, signal) == 0)
        // timeout(1) continues what it signals; if nothing reached etl, it is let go on after a while.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, Spawned.isStopped(etl) { Thread.sleep(forTimeInterval: 0.05) }
        kill(etl, SIGCONT)
        let night = try wrapper.wait()
        let name = signal == SIGTERM ? "SIGTERM" : "SIGQUIT"
        #expect(night.status == 128 + signal, "\(night.stdout) \(night.stderr)")
        #expect(night.stdout.contains("etl was stopped by \(name) in run 20") && night.stdout.contains("(the wrapper itself was sent \(name))"),
                "\(night.stdout)")
        #expect(try h.rows("SELECT count(*) FROM etl.published") == [["0"]])
    }

    /// A password in `--database` is in the process list for every local user to read while
    /// etl runs: said, without the password.
    @Test func aPasswordOnTheCommandLineIsWarnedAbout() throws {
        let h = try Harness()
        let runs = try h.run(["runs", "--database", "postgresql://etl:n0t-this-one@127.0.0.1:9/etl?connect_timeout=1"])
        #expect(runs.stderr.contains("the --database given holds a password, which other users of this machine see in the process list")
                && !runs.stderr.contains("n0t-this-one"), "\(runs.stderr)")
    }

    /// The night's log is appended to as the wrapper's user: a link in the log folder (planted
    /// in a state directory left open, an adversarial review) is not followed, and the night
    /// does not start.
    @Test func theCronWrapperDoesNotFollowALinkForItsLog() throws {
        let h = try Harness()
        try h.drop(children: 100)
        let logs = h.root.appendingPathComponent("logs").path
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let target = h.root.appendingPathComponent("elsewhere.txt").path
        try "not a log\n".write(toFile: target, atomically: true, encoding: .utf8)
        let day = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        #expect(symlink(target, logs + "/etl-\(day).log") == 0)
        let night = try h.nightly(["DATABASE_URL": h.db.url, "ETL_LOG_DIR": logs])
        #expect(night.status == 1 && night.stdout.contains("is a link, is not this user's"), "\(night.stdout) \(night.stderr)")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "not a log\n")
        #expect(try h.rows("SELECT to_regclass('etl.runs') IS NULL") == [["t"]], "no night was run")
        // A log folder others may write: they could put the link there between the check and the night.
        #expect(unlink(logs + "/etl-\(day).log") == 0 && chmod(logs, 0o777) == 0)
        let open = try h.nightly(["DATABASE_URL": h.db.url, "ETL_LOG_DIR": logs])
        #expect(open.status == 1 && open.stdout.contains("may be written by others"), "\(open.stdout) \(open.stderr)")
    }

    /// Old logs go, tonight's stays (ETL_KEEP_LOGS=0 removed it once the log was opened first, a
    /// review), and only names of the wrapper's own form are removed: "etl-0 -r dir .log", split
    /// at its blanks by name, removed a folder (a review).
    @Test func theCronWrapperRemovesOnlyItsOwnOldLogs() throws {
        let h = try Harness()
        let logs = h.root.appendingPathComponent("logs").path
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let old = ["etl-2020-01-01.log", "etl-2020-01-02.log", "etl-0 -r dir .log", "notes.txt"]
        for (k, name) in old.enumerated() {
            try "old\n".write(toFile: logs + "/" + name, atomically: true, encoding: .utf8)
            let when = Date(timeIntervalSince1970: 1_577_836_800 + Double(k) * 86_400)
            try FileManager.default.setAttributes([.modificationDate: when], ofItemAtPath: logs + "/" + name)
        }
        let day = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        let night = try h.nightly(["ETL_BIN": "/bin/true", "ETL_LOG_DIR": logs, "ETL_KEEP_LOGS": "0"])
        #expect(night.status == 0, "\(night.stdout) \(night.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: logs).sorted() == ["etl-0 -r dir .log", "etl-\(day).log", "notes.txt"])
    }

    /// The log is read through the descriptor the night wrote it by: a log folder swapped
    /// while etl ran, for one whose log is a link to a secret, had the secret printed into
    /// cron's mail (a review). Here the swap is made by the program the wrapper runs.
    @Test func theCronWrapperReadsTheLogItWrote() throws {
        let h = try Harness()
        let base = h.root.appendingPathComponent("base").path, logs = base + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let secret = h.root.appendingPathComponent("secret.env").path
        try "ETL_PSEUDONYM_KEY=s3cr3t-k3y\n".write(toFile: secret, atomically: true, encoding: .utf8)
        let day = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        let swapper = h.root.appendingPathComponent("swapping-etl").path
        try """
            #!/bin/sh
            echo '{"level":"error","event":"the night failed"}' >&2
            mv '\(logs)' '\(base)/old-logs' && mkdir '\(logs)' && ln -s '\(secret)' '\(logs)/etl-\(day).log'
            exit 1

            """.write(toFile: swapper, atomically: true, encoding: .utf8)
        #expect(chmod(swapper, 0o700) == 0)
        let night = try h.nightly(["ETL_BIN": swapper, "ETL_LOG_DIR": logs])
        #expect(night.status == 1 && night.stdout.contains("the night failed") && !night.stdout.contains("s3cr3t"), "\(night.stdout) \(night.stderr)")
        #expect(try String(contentsOfFile: secret, encoding: .utf8) == "ETL_PSEUDONYM_KEY=s3cr3t-k3y\n")
        #expect(try String(contentsOfFile: base + "/old-logs/etl-\(day).log", encoding: .utf8).contains("the night failed"))
    }

    @Test func theCronWrapperRunsANightWithJSONLogsAndNoCPRNumbers() throws {
        let h = try Harness()
        let (drop, _) = try h.drop(children: 1_000)
        let night = try h.nightly(["DATABASE_URL": h.db.url])
        #expect(night.status == 0, "\(night.stdout) \(night.stderr)")
        #expect(night.stdout.isEmpty, "silent on success, so cron mails nothing: \(night.stdout)")

        let logs = h.state.root.appendingPathComponent("logs")
        let files = try FileManager.default.contentsOfDirectory(atPath: logs.path)
        #expect(files.count == 1)
        let log = try String(contentsOf: logs.appendingPathComponent(files[0]), encoding: .utf8)
        let lines = log.split(separator: "\n")
        let json = lines.filter { $0.hasPrefix("{") }
        #expect(json.count > 5)
        for line in json {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["time"] != nil && object?["level"] != nil && object?["event"] != nil, "\(line)")
        }
        #expect(json.contains { $0.contains(#""stage":"transform""#) })

        // No CPR number of the drop in the log, nor in any file the run wrote.
        let cprs = try Self.cprNumbers(in: drop.appendingPathComponent("indmeldelser.csv"))
        #expect(cprs.count > 500)
        var written = log
        let runs = h.state.runs
        for file in FileManager.default.enumerator(atPath: runs.path)?.compactMap({ $0 as? String }) ?? [] {
            let path = runs.appendingPathComponent(file).path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                written += try String(contentsOfFile: path, encoding: .utf8)
            }
        }
        let leaked = cprs.filter { written.contains($0) || written.contains($0.prefix(6) + "-" + $0.suffix(4)) }
        #expect(leaked.isEmpty, "\(leaked.count) CPR numbers leaked")

        let again = try h.nightly(["DATABASE_URL": h.db.url])
        #expect(again.status == 0)
        #expect(again.stdout.isEmpty, "\(again.stdout)")

        // A newer drop that is not whole: mailed, saying the older drop still stands.
        let (newer, _) = try h.drop(children: 200, seed: 8, asOf: Day(iso: "2026-11-22")!)
        try FileManager.default.removeItem(at: newer.appendingPathComponent("sagshaendelser.csv"))
        let broken = try h.nightly(["DATABASE_URL": h.db.url])
        #expect(broken.status == 66)
        #expect(broken.stdout.contains("drop incomplete") && broken.stdout.contains("nothing to do"), "\(broken.stdout)")

        // Too many rejects: the mail names the run and the command to see them, as pasted.
        try FileManager.default.removeItem(at: h.inbox)
        try h.drop(children: 200, seed: 9, dirty: 0.3, asOf: Day(iso: "2026-11-23")!)
        let dirty = try h.nightly(["DATABASE_URL": h.db.url])
        #expect(dirty.status == 65, "\(dirty.stdout)")
        let run = try #require(try h.rows("SELECT run_id::text FROM etl.runs ORDER BY run_id DESC LIMIT 1").first?[0])
        #expect(dirty.stdout.contains("rejects \(run) --state-dir \(h.state.root.path)"), "\(dirty.stdout)")
    }

    /// The CPR numbers of an enrolment export, normalised to ten digits.
    static func cprNumbers(in file: URL) throws -> Set<String> {
        let text = try String(contentsOf: file, encoding: .utf8)
        var out: Set<String> = []
        for line in text.split(separator: "\n").dropFirst() {
            let digits = line.split(separator: ";").first.map { $0.filter(\.isNumber) } ?? ""
            if digits.count == 10 { out.insert(String(digits)) }
        }
        return out
    }
}

@Suite struct DemoTests {
    @Test func theDemoRunsAFreshMachinesWholePipelineInAStateDirectoryOfItsOwn() throws {
        let h = try Harness()
        // Started where the steward's ETL_STATE_DIR is set: the demo keeps to ./.etl-demo.
        let directory = h.root.appendingPathComponent("checkout")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Even when that one is someone else's (refused where it is used), the demo runs.
        let foreign = geteuid() == 0
        if foreign {
            try FileManager.default.createDirectory(at: h.state.root, withIntermediateDirectories: true)
            #expect(chown(h.state.root.path, 65534, 65534) == 0)
        }
        let demo = try Spawned.run(h, ["demo", "--children", "3000"], directory: directory)
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("treatment against control"), "\(demo.stdout)")
        #expect(demo.stdout.contains("detection_rate_per_1000 (rate ratio)"))
        #expect(demo.stdout.contains("Did the social workers cause it?") && demo.stdout.contains("- First cases "))
        #expect(demo.stdout.contains("psql 'postgresql:///etl?host="))
        let state = directory.appendingPathComponent(".etl-demo").path
        #expect(FileManager.default.fileExists(atPath: state + "/runs"))
        #expect(foreign ? (try FileManager.default.contentsOfDirectory(atPath: h.state.root.path)).isEmpty
                        : !FileManager.default.fileExists(atPath: h.state.root.path), "the steward's state directory untouched")

        // A real pipeline is not run into the demo's warehouse.
        let (drop, _) = try h.drop(children: 100)
        let real = try h.run(["run", "--pipeline", Harness.copenhagen, "--drop", drop.path, "--state-dir", state])
        #expect(real.status == ExitStatus.usage.rawValue)
        #expect(real.stderr.contains("holds the synthetic runs of `etl demo`"), "\(real.stderr)")

        // Not under a run: its connection would be cut mid-stage.
        do {
            let lock = try RunLock(path: StateLayout(root: URL(fileURLWithPath: state)).lockFile.path, holder: "etl run 20261121023001")
            let refused = try h.run(["warehouse", "stop", "--state-dir", state])
            withExtendedLifetime(lock) {}
            #expect(refused.status == ExitStatus.locked.rawValue && refused.stderr.contains("etl run 20261121023001"), "\(refused.stderr)")
        }
        #expect(try h.run(["warehouse", "status", "--state-dir", state]).status == 0, "still running")
        // A named warehouse is not the embedded one: refused, not ignored (it stopped the embedded one).
        let named = try h.run(["warehouse", "stop", "--state-dir", state, "--database", h.db.url])
        #expect(named.status == ExitStatus.usage.rawValue && named.stderr.contains("`etl warehouse stop` is for the embedded server"), "\(named.stderr)")
        #expect(try h.run(["warehouse", "status", "--state-dir", state]).status == 0, "still running")
        // The embedded one is stopped, and the warehouse the environment names is said not to be.
        var environment = h.environment
        environment["DATABASE_URL"] = h.db.url
        let stop = try h.run(["warehouse", "stop", "--state-dir", state], environment: environment)
        #expect(stop.status == 0, "\(stop.stderr)")
        #expect(stop.stdout.contains("from the environment, which is not stopped"), "\(stop.stdout)")
        // Stopped on purpose, it stays stopped: a command that needs it says so, and only
        // `etl warehouse start` starts it again.
        let runs = try h.run(["runs", "--state-dir", state])
        #expect(runs.status == ExitStatus.databaseUnreachable.rawValue && runs.stderr.contains("was stopped with `etl warehouse stop`"), "\(runs.stderr)")
        #expect(try h.run(["warehouse", "status", "--state-dir", state]).status == 1, "still stopped")
        let port = try freeLoopbackPort()
        #expect(try h.run(["warehouse", "start", "--state-dir", state, "--listen", "127.0.0.1:\(port)"]).status == 0)
        #expect(try h.run(["runs", "--state-dir", state]).status == 0)
        let listening = try h.run(["warehouse", "status", "--state-dir", state])
        #expect(listening.stdout.contains("TCP at 127.0.0.1:\(port) (analysts)"), "\(listening.stdout)")
        // A port another program holds: refused before the server is restarted for it, so
        // analysts' sessions go on (it was left down, a new user's trial found; then restarted
        // and put back, ending their sessions, a review found).
        let (holder, taken) = try silentLoopbackListener()
        let refused = try h.run(["warehouse", "start", "--state-dir", state, "--listen", "127.0.0.1:\(taken)"])
        close(holder)
        #expect(refused.status == ExitStatus.usage.rawValue && refused.stderr.contains("another program listens on port \(taken)")
                && refused.stderr.contains("the server runs as it did") && refused.stderr.contains("a port no other program holds"), "\(refused.stderr)")
        let back = try h.run(["warehouse", "status", "--state-dir", state])
        #expect(back.status == 0 && back.stdout.contains("TCP at 127.0.0.1:\(port) (analysts)"), "\(back.stdout)")
        #expect(try h.run(["warehouse", "stop", "--state-dir", state]).status == 0)
        // Stopped, its address is not said as if it answered.
        let stopped = try h.run(["warehouse", "status", "--state-dir", state])
        #expect(stopped.status == 1 && stopped.stdout.contains("TCP 127.0.0.1:\(port) when started (analysts)"), "\(stopped.stdout)")
    }

    /// A trial drop written into an inbox folder named by a day is of that day (it was of the
    /// default day whatever the folder said, and the run took that: a new user's trial).
    @Test func generateTakesTheExportDateFromTheFolderName() throws {
        let h = try Harness()
        let out = h.inbox.appendingPathComponent("2026-11-22").path
        let made = try h.run(["generate", "--out", out, "--children", "50"])
        #expect(made.status == 0 && made.stdout.contains("as of 2026-11-22"), "\(made.stderr)")
        let register = try String(contentsOfFile: out + "/institutioner.xml", encoding: .utf8)
        #expect(register.contains("udtraeksdato=\"2026-11-22\""))
        let second = try h.run(["generate", "--out", out + "-2", "--children", "50"])
        #expect(second.status == 0 && second.stdout.contains("as of 2026-11-22"), "a later drop of the day: \(second.stderr)")
        let named = try h.run(["generate", "--out", h.root.appendingPathComponent("trial").path, "--children", "50", "--as-of", "2026-10-01"])
        #expect(named.status == 0 && named.stdout.contains("as of 2026-10-01"), "\(named.stderr)")
    }
}
