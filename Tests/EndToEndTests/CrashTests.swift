import Foundation
import Glibc
import Testing
import Operations
import Pipeline
import Postgres
import Report
import TestSupport

/// Runs killed with SIGKILL at every point, and connections lost mid-run (issues 11, 15),
/// through the built `etl`: what analysts see stays byte for byte what it was until a load is
/// published; the next command shows the run dead; the run can be done again.
@Suite struct CrashTests {
    /// A drop small enough to keep these fast; its figures still have cells on both sides
    /// of the small-cell minimums used.
    static let children = 400

    /// Another window and small-cell minimum: a rerun with it that leaked into `metrics`
    /// before its publish would show.
    static func otherPipeline(_ h: Harness) throws -> String {
        try h.pipeline("other-window.yaml", [("from: 2012-01-01", "from: 2020-01-01"), ("small_cell_minimum: 5", "small_cell_minimum: 10")])
    }

    /// (the stage the rerun starts from, where it is killed)
    static let points = ["run.started", "extract.started", "extract.finished", "transform.started", "transform.finished",
                         "load.started", "load.copying", "load.copied", "load.committed"].map { ("extract", $0) }
        + [("transform", "transform.started"), ("transform", "transform.finished")]

    @Test(arguments: points)
    func aRerunWithAnotherPipelineKilledAtAnyPointChangesNothingAnalystsSee(from: String, point: String) throws {
        let h = try Harness("crash_\(from)_\(point)")
        try h.drop(children: Self.children)
        let first = try Spawned.run(h, ["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url])
        #expect(first.status == 0, "\(first.stderr)")
        let run = try #require(Harness.runID(first.stdout))
        let before = try h.metricsViews()
        #expect(before["published_run"]?.first?[0] == run)

        // Another pipeline file and, from extract, the export redone with some bad records:
        // every view would differ (figures, rejects, file counts, window, suppression) if the
        // rerun leaked.
        if from == "extract" {
            try FileManager.default.removeItem(at: h.inbox)
            try h.drop(children: Self.children, seed: 9, dirty: 0.03)
        }
        let p2 = try Self.otherPipeline(h)
        let rerun = try Spawned(h, ["run", "--from", from, "--run", run, "--pipeline", p2, "--database", h.db.url],
                                environment: ["ETL_STOP_AT": point])
        #expect(rerun.waitUntilStopped(), "the rerun never reached \(point)")
        let stopped = try h.metricsViews()
        #expect(changedViews(from: before, to: stopped) == "", "analysts saw the rerun at \(point) before it was published")
        rerun.signal(SIGKILL)
        #expect(try rerun.wait().status == -SIGKILL)
        let killed = try h.metricsViews()
        #expect(changedViews(from: before, to: killed) == "", "a rerun killed at \(point) changed what analysts see")
        if point == "load.copied", ForkJoin.cores > 1 {
            #expect(try !Self.unattachedPartitions(h).isEmpty, "no other connection had committed its tables: the point tests nothing")
        }

        // The next command finds the attempt dead; the run stays published.
        let runs = try Spawned.run(h, ["runs", "--database", h.db.url])
        let line = try #require(runs.stdout.split(separator: "\n").first { $0.hasPrefix(run) }, "\(runs.stdout)")
        #expect(line.contains(" dead ") && line.hasSuffix("*"), "\(line)")
        let show = try Spawned.run(h, ["runs", "show", run, "--json", "--database", h.db.url])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let attempts = try #require((json["run"] as? [String: Any])?["attempts"] as? [[String: Any]])
        #expect(attempts.map { $0["status"] as? String } == ["succeeded", "dead"])
        #expect((attempts.last?["error"] as? String)?.contains("stopped without finishing") == true)
        // And what to run next, from what the killed attempt left.
        let next = try Spawned.run(h, ["runs", "show", run, "--database", h.db.url]).stdout
        let expected = switch point {
        case "load.committed": "`etl publish \(run)`"
        case "load.published", "load.finished": "`etl report`"
        case "load.started", "load.copying", "load.copied": "`etl run --from load --run \(run)`"
        case "transform.started", "transform.finished": "`etl run --from transform --run \(run)`"
        default: "`etl run --from \(from) --run \(run)`"
        }
        #expect(next.contains("next           \(expected)"), "\(point): \(next)")
        // The JSON a monitor reads says it too (it had no `next`: a new user's trial).
        #expect((json["next"] as? String)?.hasPrefix(expected) == true, "\(point): \(String(describing: json["next"]))")

        // Done again, it publishes the other window and minimum: the check above would have seen them.
        let again = try Spawned.run(h, ["run", "--from", from, "--run", run, "--pipeline", p2, "--database", h.db.url])
        #expect(again.status == 0, "\(again.stderr)")
        let published = try h.rows("SELECT window_from::text, small_cell_minimum::text FROM metrics.published_run")
        #expect(published == [["2020-01-01", "10"]])
        #expect(try Self.unattachedPartitions(h).isEmpty, "the killed load's tables are still there")
        let after = try h.metricsViews()
        for (view, rows) in before where from == "extract" || ["published_run", "cohort_summary"].contains(view) {
            #expect(after[view] != rows, "\(view) is the same after the rerun: the check above could not have seen a leak in it")
        }
    }

    /// A night of 2026-11-20 published, then the next night's run stopped at `point`: with the
    /// run published and what analysts saw before the second night.
    static func secondNight(_ h: Harness, stoppedAt point: String) throws -> (night: Spawned, published: String, before: [String: [[String?]]]) {
        try h.drop(children: children, asOf: Day(iso: "2026-11-20")!)
        let first = try Spawned.run(h, ["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url])
        #expect(first.status == 0, "\(first.stderr)")
        let published = try #require(Harness.runID(first.stdout))
        let before = try h.metricsViews()
        try h.drop(children: children, seed: 8, asOf: Day(iso: "2026-11-21")!)
        let night = try Spawned(h, ["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url],
                                environment: ["ETL_STOP_AT": point])
        #expect(night.waitUntilStopped())
        return (night, published, before)
    }

    /// Tables a killed load's other connections committed and it never attached.
    static func unattachedPartitions(_ h: Harness) throws -> [[String?]] {
        try h.rows("SELECT relname FROM pg_class WHERE relkind = 'r' AND NOT relispartition AND relname ~ '_l[0-9]+$'")
    }

    /// A killed new run is never attempted again: its half-written stage folder (tens of MB)
    /// and its stop note are removed by the next command that holds the run lock, once the
    /// ledger has its attempt (an adversarial review saw seven such folders at once).
    @Test func whatAKilledRunLeftInItsFolderGoesWithTheNextRun() throws {
        let h = try Harness()
        let (night, _, _) = try Self.secondNight(h, stoppedAt: "extract.written")
        night.signal(SIGKILL)
        _ = try night.wait()
        let killed = try #require(try runIDs(h.db.url).first)
        let folder = h.state.run(try #require(RunID(killed))).root
        let note = folder.appendingPathComponent("attempt-99999.error")
        try "stopped by SIGTERM in run \(killed)\n".write(to: note, atomically: true, encoding: .utf8)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("extract.partial").path))

        try h.drop(children: Self.children, seed: 9, asOf: Day(iso: "2026-11-22")!)
        let next = try Spawned.run(h, ["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url])
        #expect(next.status == 0, "\(next.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(!left.contains("extract.partial") && !left.contains(note.lastPathComponent), "\(left)")
        #expect(left.contains("run.json"))
    }

    @Test func aNightRunKilledMidLoadIsDeadAtTheNextRunsAndThePublishedRunStays() throws {
        let h = try Harness()
        let (night, published, before) = try Self.secondNight(h, stoppedAt: "load.copying")
        night.signal(SIGKILL)
        _ = try night.wait()
        // The killed run could not say so on the committee's page; `etl report` finds it dead and does (a review: it named none).
        let page = h.state.run(try #require(RunID(published))).root.appendingPathComponent("report.html").path
        #expect(try Spawned.run(h, ["report", "--database", h.db.url]).status == 0)
        let killedRun = try #require(try h.rows("SELECT max(run_id)::text FROM etl.runs").first?.first ?? nil)
        #expect(NightlyReport.notPublishedShown(atPath: page) == killedRun + " dead", "\((try? String(contentsOfFile: page, encoding: .utf8))?.prefix(1500) ?? "")")

        let runs = try Spawned.run(h, ["runs", "--database", h.db.url])
        let lines = runs.stdout.split(separator: "\n")
        let killed = try #require(lines.dropFirst().first, "\(runs.stdout)")
        #expect(killed.contains("2026-11-21") && killed.contains(" dead "), "\(runs.stdout)")
        #expect(lines.contains { $0.hasPrefix(published) && $0.hasSuffix("*") }, "\(runs.stdout)")
        let after = try h.metricsViews()
        #expect(changedViews(from: before, to: after) == "")
        #expect(try h.rows("SELECT stage, status FROM etl.stages WHERE run_id <> \(published) ORDER BY stage_attempt_id")
                == [["extract", "succeeded"], ["transform", "succeeded"], ["load", "dead"]])

        // A steward's rerun of its transform runs through without a publish: the page says that now, not "stopped" (a review).
        #expect(try Spawned.run(h, ["transform", "--run", killedRun, "--pipeline", Harness.copenhagen, "--database", h.db.url]).status == 0)
        #expect(NightlyReport.notPublishedShown(atPath: page) == killedRun + " succeeded")

        // The next night loads the drop: it was never loaded.
        let next = try Spawned.run(h, ["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url])
        #expect(next.status == 0 && next.stdout.contains("drop=2026-11-21") && next.stdout.contains("published=yes"), "\(next.stdout) \(next.stderr)")
    }

    /// A run killed while its statement waits (here for a table another session locks): its
    /// server session would hold the run lock until that statement ended, and every run
    /// meanwhile was refused as if the dead one were working (a release review). The server
    /// now checks each session's client, so the orphaned one ends and the next run goes ahead.
    @Test func aRunKilledMidStatementDoesNotKeepTheRunLock() throws {
        let h = try Harness()
        try h.drop(children: Self.children)
        #expect(try Spawned.run(h, ["migrate", "--database", h.db.url]).status == 0)
        let blocker = try h.connect()
        try blocker.execute("BEGIN; LOCK TABLE etl.attempts IN SHARE MODE")
        let waiting = "SELECT count(*)::text FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        let killed = try Spawned(h, ["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url])
        var deadline = Date().addingTimeInterval(60)
        while try h.rows(waiting) == [["0"]], killed.process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let orphan = try #require(try h.rows(waiting.replacingOccurrences(of: "count(*)", with: "pid")).first?.first ?? nil,
                                  "the run never waited for the locked table")
        killed.signal(SIGKILL)
        _ = try killed.wait()

        // The next run starts while the dead one's statement still waits; the table is let go
        // once that session has ended (without the check it never would: then after 10 s).
        let next = try Spawned(h, ["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url])
        deadline = Date().addingTimeInterval(10)
        while try !h.rows("SELECT pid FROM pg_stat_activity WHERE pid = \(orphan)").isEmpty, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        try blocker.execute("COMMIT")
        let result = try next.wait()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("published=yes"), "\(result.stdout)")
    }

    /// A night whose `etl` is killed: cron's wrapper says so, with the run and what to do,
    /// rather than "failed (exit 137)" (a release review).
    @Test func theCronWrapperSaysANightWasKilled() throws {
        let h = try Harness()
        try h.drop(children: Self.children)
        let wrapper = try Spawned(h, [Harness.repo.appendingPathComponent("cron/etl-nightly.sh").path, Harness.copenhagen, h.inbox.path],
                                  environment: ["ETL_BIN": Harness.etl, "ETL_ENV_FILE": "/dev/null", "ETL_STOP_AT": "load.copying"],
                                  program: "/bin/bash")
        let etl = try #require(Spawned.stoppedProcess(holding: h.inbox.path), "etl never reached load.copying")
        kill(etl, SIGKILL)
        let night = try wrapper.wait()
        #expect(night.status == 128 + SIGKILL)
        #expect(night.stdout.contains("etl was stopped by SIGKILL in run 20") && night.stdout.contains("published whole or not at all")
                && night.stdout.contains("runs show 20"), "\(night.stdout)")
    }

    /// A run killed after its load committed and before the publish: `etl runs` shows the
    /// rows of that complete load (what `etl publish` would put up), not "-".
    @Test func aRunKilledAfterItsLoadCommittedShowsItsLoadedRows() throws {
        let h = try Harness()
        try h.drop(children: Self.children)
        let night = try Spawned(h, ["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url],
                                environment: ["ETL_STOP_AT": "load.committed"])
        #expect(night.waitUntilStopped())
        night.signal(SIGKILL)
        _ = try night.wait()
        let runs = try Spawned.run(h, ["runs", "--database", h.db.url])
        let line = try #require(runs.stdout.split(separator: "\n").dropFirst().first, "\(runs.stdout)")
        let loaded = try #require(try h.rows("SELECT rows_loaded::text FROM etl.loads WHERE finished_at IS NOT NULL").first?[0])
        #expect(line.contains(" dead ") && line.split(separator: " ").contains(Substring(loaded)), "\(line) \(loaded)")
    }

    /// A steward's rerun of one stage of the published run, killed once its new files are
    /// written and before they are put in place: the run's stage files stay those of the
    /// last finished attempt, byte for byte, so its later stages can still be redone from
    /// them (here: the load, after the drop has left the inbox).
    @Test(arguments: ["extract", "transform"])
    func aStageRerunKilledBeforeItsFilesAreInPlaceKeepsTheLastOnes(stage: String) throws {
        let h = try Harness()
        try h.drop(children: Self.children)
        let first = try Spawned.run(h, ["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url])
        #expect(first.status == 0, "\(first.stderr)")
        let run = try #require(Harness.runID(first.stdout))
        let folder = h.state.run(try #require(RunID(run)))
        func stageFiles() throws -> [String: Data] {
            var out: [String: Data] = [:]
            for s in ["extract", "transform"] {
                let dir = folder.root.appendingPathComponent(s)
                for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
                    out["\(s)/\(name)"] = try Data(contentsOf: dir.appendingPathComponent(name))
                }
            }
            return out
        }
        let before = try stageFiles()
        #expect(before["\(stage)/manifest.json"] != nil)

        let rerun = try Spawned(h, [stage, "--run", run, "--database", h.db.url], environment: ["ETL_STOP_AT": "\(stage).written"])
        #expect(rerun.waitUntilStopped(), "the rerun never reached \(stage).written")
        #expect(FileManager.default.fileExists(atPath: folder.root.appendingPathComponent("\(stage).partial/manifest.json").path),
                "the rerun had not written its files: the point tests nothing")
        rerun.signal(SIGKILL)
        _ = try rerun.wait()
        #expect(try stageFiles() == before, "the killed rerun changed the run's \(stage) files")

        try FileManager.default.removeItem(at: h.inbox)
        let load = try Spawned.run(h, ["load", "--run", run, "--force", "--database", h.db.url])
        #expect(load.status == 0, "\(load.stderr)")
    }

    /// A run stopped by SIGTERM (a shutdown, a cron timeout) says so, naming its run and stage,
    /// ends by the signal all the same, and the next command records why the attempt ended
    /// (it ended in silence: an adversarial review). What analysts see stays: a stop just
    /// before a commit or a publish commits nothing more (it went on to publish the night, in
    /// the moment before the signal ended it: a flaky test).
    @Test(arguments: ["extract.written", "load.copying", "load.committed"])
    func aRunStoppedBySIGTERMSaysWhereAndTheNextCommandRecordsIt(point: String) throws {
        let h = try Harness()
        let stage = String(point.prefix { $0 != "." })
        let (night, _, before) = try Self.secondNight(h, stoppedAt: point)
        night.signal(SIGTERM)
        night.signal(SIGCONT)
        let result = try night.wait()
        let id = try #require(try runIDs(h.db.url).first)
        #expect(result.status == -SIGTERM, "ended by the signal, as the cron wrapper expects: \(result.status) \(result.stderr)")
        #expect(result.stderr.contains("error   [\(id) \(stage)] stopped by SIGTERM in run \(id), stage \(stage):")
                && result.stderr.contains("`etl runs show \(id)`"), "\(result.stderr)")
        let after = try h.metricsViews()
        #expect(changedViews(from: before, to: after) == "")
        if stage == "extract" {
            let folder = h.state.run(try #require(RunID(id))).root
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("extract").path), "the stopped extract put its files in place")
        }
        #expect(try Spawned.run(h, ["runs", "--database", h.db.url]).status == 0)
        let error = try Connection(url: h.db.url).query("SELECT error FROM etl.attempts ORDER BY attempt_id DESC LIMIT 1").first?.string(0)
        #expect(error?.contains("stopped by SIGTERM in run \(id), stage \(stage)") == true, "\(error ?? "no error")")
    }

    /// Ctrl-\ (SIGQUIT) stops a run as SIGTERM does, and a crash ends it with one line: the
    /// Swift runtime printed its crash report for both, registers and memory that held the
    /// records extract read (CPR numbers in clear, on the stream cron mails), and let a
    /// SIGQUIT's run go on to publish (an adversarial review). What analysts see stays.
    @Test(arguments: [SIGQUIT, SIGSEGV])
    func aQuitOrACrashPrintsNoMemoryAndEndsTheRun(signal: Int32) throws {
        let h = try Harness()
        let (night, _, before) = try Self.secondNight(h, stoppedAt: "extract.written")
        night.signal(signal)
        night.signal(SIGCONT)
        let result = try night.wait()
        #expect(result.status == -signal, "\(result.status) \(result.stderr)")
        #expect(!result.stderr.contains("crashed:") && !result.stderr.contains("Registers"), "\(result.stderr)")
        #expect(result.stderr.contains(signal == SIGQUIT ? "stopped by SIGQUIT in run" : "etl crashed (a fatal signal"), "\(result.stderr)")
        let cprs = try NightlyRunTests.cprNumbers(in: h.inbox.appendingPathComponent("2026-11-21/indmeldelser.csv"))
        #expect(!cprs.contains { result.stderr.contains($0) || result.stderr.contains($0.prefix(6) + "-" + $0.suffix(4)) })
        #expect(changedViews(from: before, to: try h.metricsViews()) == "")
    }

    /// A stop once the publish has committed says the run is published, by the night or by
    /// `etl publish`: it said "rolled back" and "run it again" (an adversarial review). A stop
    /// into a pipe that the same Ctrl-C closed (`etl run | tee`) still ends by the signal: the
    /// line's write to it ended etl by SIGPIPE, with no line (the same review).
    @Test func aStopAfterThePublishSaysTheRunIsPublished() throws {
        let h = try Harness()
        let (night, published, _) = try Self.secondNight(h, stoppedAt: "load.published")
        night.signal(SIGTERM)
        night.signal(SIGCONT)
        let stopped = try night.wait()
        let id = try #require(try runIDs(h.db.url).first)
        #expect(stopped.status == -SIGTERM && stopped.stderr.contains("stopped by SIGTERM in run \(id) after its publish: analysts see this run"),
                "\(stopped.status) \(stopped.stderr)")
        #expect(try h.rows("SELECT run_id::text FROM metrics.published_run") == [[id]])

        let stderr = Pipe()
        let publish = Process()
        publish.executableURL = URL(fileURLWithPath: Harness.etl)
        publish.arguments = ["publish", published, "--force", "--database", h.db.url]
        publish.environment = h.environment.merging(["ETL_STOP_AT": "publish.published"]) { $1 }
        publish.standardError = stderr
        try publish.run()
        #expect(Spawned.stoppedProcess(holding: published) == publish.processIdentifier)
        try stderr.fileHandleForReading.close()   // no one reads the line any more
        kill(publish.processIdentifier, SIGINT)
        kill(publish.processIdentifier, SIGCONT)
        publish.waitUntilExit()
        #expect(publish.terminationReason == .uncaughtSignal && publish.terminationStatus == SIGINT,
                "ended by signal \(publish.terminationStatus), not SIGINT")
        #expect(try h.rows("SELECT run_id::text FROM metrics.published_run") == [[published]])
        let again = try Spawned(h, ["publish", id, "--force", "--database", h.db.url], environment: ["ETL_STOP_AT": "publish.published"])
        #expect(again.waitUntilStopped())
        again.signal(SIGTERM)
        again.signal(SIGCONT)
        let said = try again.wait()
        #expect(said.status == -SIGTERM && said.stderr.contains("stopped by SIGTERM in run \(id) after its publish: analysts see this run"),
                "\(said.status) \(said.stderr)")
        // What to do is said where it can be done: `etl runs show` knows nothing of a publish (a review).
        #expect(said.stderr.contains("`etl report` writes the committee's page") && !said.stderr.contains("runs show"), "\(said.stderr)")
    }

    /// A run whose output's reader went away (`etl run | tee` with tee gone) goes on and
    /// publishes: SIGPIPE ended it mid-stage, exit 141, without a word (an adversarial review).
    /// The page to a reader gone (`etl report --out - | head`) ends quietly.
    @Test func aRunWhoseOutputPipeIsClosedGoesOnAndPublishes() throws {
        let h = try Harness()
        try h.drop(children: Self.children, asOf: Day(iso: "2026-11-20")!)
        /// `etl …` with SIGPIPE at its default whatever this process does (an ignored signal is
        /// inherited, and the test could not fail), its output into a pipe no one reads.
        func unread(_ arguments: [String], stderr: FileHandle? = nil) throws -> Process {
            let output = Pipe()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["--default-signal=PIPE", Harness.etl] + arguments
            process.environment = h.environment
            process.standardOutput = output
            process.standardError = stderr ?? output
            try output.fileHandleForReading.close()
            try process.run()
            process.waitUntilExit()
            return process
        }
        let night = try unread(["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url])
        #expect(night.terminationReason == .exit && night.terminationStatus == 0,
                "\(night.terminationReason == .exit ? "exit" : "signal") \(night.terminationStatus)")
        let published = try h.rows("SELECT run_id::text FROM metrics.published_run")
        let runs = try runIDs(h.db.url)
        #expect(published.count == 1 && published == runs.prefix(1).map { [$0] }, "\(published) \(runs)")

        let said = h.root.appendingPathComponent("report-stderr")
        _ = FileManager.default.createFile(atPath: said.path, contents: nil)
        let page = try unread(["report", "--out", "-", "--database", h.db.url], stderr: try FileHandle(forWritingTo: said))
        let stderr = try String(contentsOf: said, encoding: .utf8)
        #expect(page.terminationReason == .exit && page.terminationStatus == 0 && !stderr.contains("error"), "\(page.terminationStatus) \(stderr)")
        let listing = try unread(["runs", "--database", h.db.url], stderr: try FileHandle(forWritingTo: said))
        #expect(listing.terminationReason == .exit && listing.terminationStatus == 0, "a reader gone is no failure: \(listing.terminationStatus)")
    }

    /// What a command prints that cannot be written (a full disk) fails it, saying so: `etl
    /// rejects RUN > copy.csv` kept 40 of 98 lines and exited 0 (an adversarial review). Started
    /// with its standard streams closed, a run is what it is with them open: the stop signals'
    /// pipe took their numbers, log lines were read as signals, and a run left "stopped by SIGHUP".
    @Test func outputThatCannotBeWrittenFailsAndClosedStreamsChangeNothing() throws {
        let h = try Harness()
        try h.drop(children: Self.children, asOf: Day(iso: "2026-11-20")!)
        let shell = "exec \"$0\" \"$@\" >&- 2>&- <&-"
        let closed = try h.run(["-c", shell, Harness.etl, "run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path,
                                         "--database", h.db.url], program: "/bin/sh")
        #expect(closed.status == 0, "\(closed.status)")
        let id = try #require(try runIDs(h.db.url).first)
        let left = try FileManager.default.contentsOfDirectory(atPath: h.state.run(try #require(RunID(id))).root.path)
        #expect(!left.contains { $0.hasSuffix(".error") }, "\(left)")
        #expect(try h.rows("SELECT run_id::text FROM metrics.published_run") == [[id]])

        let full = try h.run(["-c", "exec \"$0\" \"$@\" > /dev/full", Harness.etl, "runs", "--database", h.db.url], program: "/bin/sh")
        #expect(full.status == 1 && full.stderr.contains("standard output: not all of what this command printed could be written"), "\(full.status) \(full.stderr)")
    }

    /// A stage rerun stopped before its attempt begins (connecting, here to a server that never
    /// answers) names the run it was given; under `nohup` (SIGHUP ignored when it starts) a
    /// hang-up does not stop it (an adversarial review found both).
    @Test func aRerunStoppedAtItsStartNamesItsRunAndNohupHolds() throws {
        let h = try Harness()
        try h.drop(children: 200)
        let id = try #require(Harness.runID(try Spawned.run(h, ["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path,
                                                                 "--database", h.db.url]).stdout))
        let (listener, port) = try silentLoopbackListener()
        defer { close(listener) }
        let silent = "postgresql://postgres@127.0.0.1:\(port)/etl?sslmode=disable"
        let load = try Spawned(h, ["load", "--run", id, "--database", silent])
        Thread.sleep(forTimeInterval: 1.5)
        load.signal(SIGTERM)
        let stopped = try load.wait()
        #expect(stopped.status == -SIGTERM && stopped.stderr.contains("stopped by SIGTERM in run \(id)"), "\(stopped.stderr)")

        let nohup = try Spawned(h, ["-c", "trap '' HUP; exec \(Harness.etl) load --run \(id) --database '\(silent)'"], program: "/bin/sh")
        Thread.sleep(forTimeInterval: 1.5)
        nohup.signal(SIGHUP)
        Thread.sleep(forTimeInterval: 0.5)
        nohup.signal(SIGTERM)
        let held = try nohup.wait()
        #expect(held.status == -SIGTERM && !held.stderr.contains("SIGHUP"), "\(held.status) \(held.stderr)")
    }

    /// Any other command stopped by a signal (a time limit ending a national publish that waits
    /// on a feed) says which, and ends by the signal; not its values (a password in --database).
    @Test func aCommandStoppedBySIGTERMSaysWhich() throws {
        let h = try Harness()
        let (listener, port) = try silentLoopbackListener()
        defer { close(listener) }
        // A subcommand named by its type (`Show`), not by a name of its own.
        let waiting = try Spawned(h, ["runs", "show", "20261121023000000", "--database", "postgresql://postgres:secret@127.0.0.1:\(port)/etl?sslmode=disable"])
        Thread.sleep(forTimeInterval: 1.5)   // connecting, and waiting for an answer that never comes
        waiting.signal(SIGTERM)
        let result = try waiting.wait()
        #expect(result.status == -SIGTERM, "\(result.status) \(result.stderr)")
        #expect(result.stderr.contains("`etl runs show` was stopped by SIGTERM before it finished") && !result.stderr.contains("secret"),
                "\(result.stderr)")
    }

    @Test func theServerStoppedMidTransformGivesExit69NamingTheRunAndStage() throws {
        let h = try Harness()
        let server = try TestServer.privateServer()
        try server.start()
        try server.createDatabase("etl")
        let url = server.connectionString(database: "etl")
        try h.drop(children: Self.children)
        let run = try Spawned(h, ["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", url],
                              environment: ["ETL_STOP_AT": "transform.started"])
        #expect(run.waitUntilStopped())
        try server.stop(.fast)
        run.signal(SIGCONT)
        let result = try run.wait()
        #expect(result.status == ExitStatus.databaseUnreachable.rawValue, "\(result.stderr)")
        try server.start()
        let id = try #require(try runIDs(url).first)
        #expect(result.stderr.contains("during run \(id), stage transform"), "\(result.stderr)")
        // The failure could not be written (the server was down): the next command records it,
        // failed, from the run folder (its process's own word that it ended).
        let runs = try Spawned.run(h, ["runs", "--database", url])
        #expect(runs.stdout.contains(" failed "), "\(runs.stdout)")
        // With the error it ended with, which the run folder kept meanwhile, not "killed".
        let error = try Connection(url: url).query("SELECT error FROM etl.attempts ORDER BY attempt_id DESC LIMIT 1").first?.string(0)
        #expect(error?.contains("stopped without recording why in the warehouse") == true && error?.contains("during run \(id), stage transform") == true,
                "\(error ?? "no error")")
        try server.stop(.fast)
    }

    /// Lost before the run has its id: said with what to do too (it was libpq's words alone, a review).
    @Test func aConnectionLostAsARunStartsSaysWhatToDo() throws {
        let h = try Harness()
        let (night, _, before) = try Self.secondNight(h, stoppedAt: "run.connected")
        let killed = try h.rows("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        #expect(!killed.isEmpty, "no session of the run to end")
        night.signal(SIGCONT)
        let result = try night.wait()
        #expect(result.status == ExitStatus.databaseUnreachable.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("Check the server (`etl warehouse status`), then run the command again"), "\(result.stderr)")
        #expect(changedViews(from: before, to: try h.metricsViews()) == "")
    }

    @Test(arguments: [("transform.started", "transform"), ("load.copying", "load")])
    func aBackendTerminatedMidRunGivesExit69AndThePublishedRunStays(point: String, stage: String) throws {
        let h = try Harness()
        let (night, _, before) = try Self.secondNight(h, stoppedAt: point)
        let killed = try h.rows("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name LIKE 'etl run 2%'
            """)
        // The run's session, and at load the other connections still copying.
        #expect(!killed.isEmpty && killed.allSatisfy { $0 == ["t"] }, "\(killed)")
        night.signal(SIGCONT)
        let result = try night.wait()
        #expect(result.status == ExitStatus.databaseUnreachable.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("stage \(stage)") && result.stderr.contains("connection to the warehouse"), "\(result.stderr)")
        let after = try h.metricsViews()
        #expect(changedViews(from: before, to: after) == "")
        #expect(try Self.unattachedPartitions(h).isEmpty, "the failed load left tables of its other connections")
        // The server was up: the failure was recorded on a new session.
        let attempt = try h.rows("SELECT status, error FROM etl.attempts ORDER BY attempt_id DESC LIMIT 1")
        #expect(attempt.first?[0] == "failed" && attempt.first?[1]?.contains("stage \(stage)") == true, "\(attempt)")
    }

    /// Lost after its publish committed (dropping old loads, the ledger): the run is published,
    /// and the message says so (exit 73, `etl report`), not "the warehouse is as it was".
    @Test func aConnectionLostAfterThePublishSaysTheRunIsPublished() throws {
        let h = try Harness()
        try h.drop(children: Self.children, asOf: Day(iso: "2026-11-21")!)
        let night = try Spawned(h, ["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url],
                                environment: ["ETL_STOP_AT": "load.published"])
        #expect(night.waitUntilStopped())
        _ = try h.rows("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name LIKE 'etl run 2%'
            """)
        night.signal(SIGCONT)
        let result = try night.wait()
        let id = try #require(try runIDs(h.db.url).first)
        #expect(result.status == ExitStatus.reportFailed.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("run \(id) is published") && result.stderr.contains("etl report"), "\(result.stderr)")
        #expect(!result.stderr.contains("as it was before"), "\(result.stderr)")
        #expect(try h.rows("SELECT run_id::text FROM etl.published") == [[id]])
    }

    /// The answer to a publish's COMMIT lost with the connection: the run is published all
    /// the same, and the warehouse, asked on a new session, says so; the run then exits 73
    /// ("published"), not 69 ("as it was"), and `etl publish` goes on to the report (an
    /// adversarial review, through a proxy that swallowed the answer). A warehouse that cannot
    /// be asked is said to be unknown, not "as it was".
    @Test func aPublishWhoseAnswerIsLostIsTakenAsPublishedWhenTheWarehouseSaysSo() throws {
        let h = try Harness()
        try h.drop(children: Self.children)
        #expect(try Spawned.run(h, ["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url]).status == 0)
        let text = try h.rows("SELECT load_id::text FROM etl.published").first?.first ?? nil
        let load = try #require(text.flatMap { Int64($0) })
        let target = WarehouseTarget(url: h.db.url, state: h.state)
        let lost = PostgresError(.connection, "server closed the connection unexpectedly")
        // The old session, still there (committing, say), is waited for, then ended.
        let old = try h.connect()
        let start = Date()
        #expect(target.lostPublish(lost, loadID: load, backend: old.backendPID) == .published)
        #expect(Date().timeIntervalSince(start) > 5, "the old session was not waited for")
        #expect(throws: PostgresError.self, "the old session was not ended") { try old.query("SELECT 1") }
        #expect(target.lostPublish(lost, loadID: load + 1, backend: 0) == .notPublished, "another load is not published")
        #expect(target.lostPublish(PostgresError(.query, "deadlock detected"), loadID: load, backend: 0) == .notPublished, "only a lost connection")
        let gone = WarehouseTarget(url: "postgresql:///etl?host=\(h.root.path)/nothing-listens-here", state: h.state)
        #expect(gone.lostPublish(lost, loadID: load, backend: 0) == .unknown, "a warehouse that cannot say is neither")
        // Said as such: not "as it was", which may be wrong.
        let unconfirmed = OperationsError.publishUnconfirmed(run: RunID(rawValue: 20_261_121_023_000_000), forced: true, target: "t", message: lost.message)
        #expect(unconfirmed.exitStatus == .databaseUnreachable && "\(unconfirmed)".contains("could not be asked whether it committed")
                && !"\(unconfirmed)".contains("as it was")
                && "\(unconfirmed)".contains("`etl publish 20261121023000000 --force`"), "\(unconfirmed)")
    }

    /// Killed between its publish and its report: the committee's page still showed the run
    /// before while analysts saw the new one, until a night published again. The next run's
    /// start writes it, here a steward's rerun of one stage, which publishes nothing.
    @Test func aRunKilledBetweenItsPublishAndItsReportHasItsPageWrittenByTheNextRun() throws {
        let h = try Harness()
        let page = h.root.appendingPathComponent("intranet/page.html").path
        let pipeline = try h.pipeline("with-page.yaml", [("# out: /srv/intranet/socialudvalget/tidlig-indsats.html", "out: \(page)")])
        try h.drop(children: Self.children, asOf: Day(iso: "2026-11-20")!)
        #expect(try Spawned.run(h, ["run", "--pipeline", pipeline, "--inbox", h.inbox.path, "--database", h.db.url]).status == 0)
        let first = try #require(try runIDs(h.db.url).first)
        #expect(NightlyReport.runShown(atPath: page) == RunID(first))

        try h.drop(children: Self.children, seed: 8, asOf: Day(iso: "2026-11-21")!)
        let night = try Spawned(h, ["run", "--pipeline", pipeline, "--inbox", h.inbox.path, "--database", h.db.url],
                                environment: ["ETL_STOP_AT": "load.published"])
        #expect(night.waitUntilStopped())
        night.signal(SIGKILL)
        _ = try night.wait()
        let killed = try #require(try runIDs(h.db.url).first)
        #expect(try h.rows("SELECT run_id::text FROM etl.published") == [[killed]])
        #expect(NightlyReport.runShown(atPath: page) == RunID(first), "the kill came after the report: the test tests nothing")
        // Another command first finds the attempt dead: the page is still caught up after it.
        #expect(try Spawned.run(h, ["runs", "--database", h.db.url]).status == 0)

        let rerun = ["transform", "--run", first, "--pipeline", pipeline, "--database", h.db.url]
        let next = try Spawned.run(h, rerun)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stderr.contains("does not show the published run \(killed)"), "\(next.stderr)")
        #expect(NightlyReport.runShown(atPath: page) == RunID(killed))
        let inRun = h.state.run(RunID(killed)!).root.appendingPathComponent("report.html").path
        #expect(NightlyReport.runShown(atPath: inRun) == RunID(killed))
        // Caught up, the next start leaves it alone.
        let after = try Spawned.run(h, rerun)
        #expect(after.status == 0 && !after.stderr.contains("does not show"), "\(after.stderr)")
        // A page an older version wrote names no run: written again to name it, without the alarm.
        try (try String(contentsOfFile: page, encoding: .utf8)).replacingOccurrences(of: "<meta name=\"etl-run\"", with: "<meta name=\"older\"")
            .write(toFile: page, atomically: true, encoding: .utf8)
        let upgraded = try Spawned.run(h, rerun)
        #expect(upgraded.status == 0 && !upgraded.stderr.contains("does not show") && upgraded.stderr.contains("names no run"),
                "\(upgraded.stderr)")
        #expect(NightlyReport.runShown(atPath: page) == RunID(killed))
        // A report.out new in the pipeline file has no page yet: written, and no failure told
        // of (a new user's trial was told the run had stopped or its report failed). The published
        // run's file, edited in place: its pages follow that file, not the one a rerun names.
        let newPage = h.root.appendingPathComponent("intranet/new.html").path
        try (try String(contentsOfFile: pipeline, encoding: .utf8)).replacingOccurrences(of: "out: \(page)", with: "out: \(newPage)")
            .write(toFile: pipeline, atomically: true, encoding: .utf8)
        let newOut = try Spawned.run(h, ["transform", "--run", first, "--pipeline", pipeline, "--database", h.db.url])
        #expect(newOut.status == 0 && !newOut.stderr.contains("does not show") && newOut.stderr.contains("names a page not written yet"),
                "\(newOut.stderr)")
        #expect(NightlyReport.runShown(atPath: newPage) == RunID(killed))
        // The next night has the same drop: it is published already, so nothing is done (it
        // was loaded again as a new run, as its load never finished in the ledger).
        let again = try Spawned.run(h, ["run", "--pipeline", pipeline, "--inbox", h.inbox.path, "--database", h.db.url])
        #expect(again.status == 0 && again.stdout.contains("nothing to do") && again.stdout.contains(killed), "\(again.stdout) \(again.stderr)")
        #expect(try runIDs(h.db.url).first == killed)
    }

    /// `etl publish RUN` whose session is terminated while it waits: exit 69, saying that
    /// nothing changed and what to run again (it gave libpq's bare message).
    @Test func aPublishWhoseConnectionIsLostSaysWhatToRunAgain() throws {
        let h = try Harness()
        try h.drop(children: Self.children, asOf: Day(iso: "2026-11-20")!)
        #expect(try Spawned.run(h, ["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url]).status == 0)
        let first = try #require(try runIDs(h.db.url).first)
        try h.drop(children: Self.children, seed: 8, asOf: Day(iso: "2026-11-21")!)
        #expect(try Spawned.run(h, ["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url]).status == 0)
        let before = try h.metricsViews()
        let blocker = try Connection(url: h.db.url)
        try blocker.execute("BEGIN; LOCK TABLE etl.published IN ACCESS EXCLUSIVE MODE")
        let publish = try Spawned(h, ["publish", first, "--force", "--database", h.db.url])
        var waiting = false
        for _ in 0..<200 where !waiting {
            waiting = try !h.rows("""
                SELECT pid FROM pg_stat_activity
                WHERE datname = current_database() AND application_name LIKE 'etl publish %' AND wait_event_type = 'Lock'
                """).isEmpty
            if !waiting { Thread.sleep(forTimeInterval: 0.05) }
        }
        #expect(waiting, "etl publish never waited on the lock")
        _ = try h.rows("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'etl publish %'
            """)
        try blocker.execute("ROLLBACK")
        let result = try publish.wait()
        #expect(result.status == ExitStatus.databaseUnreachable.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("connection to the warehouse") && result.stderr.contains("`etl publish \(first)`"), "\(result.stderr)")
        let after = try h.metricsViews()
        #expect(changedViews(from: before, to: after) == "")
    }

    func runIDs(_ url: String) throws -> [String] {
        try Connection(url: url).query("SELECT run_id FROM etl.runs ORDER BY run_id DESC").compactMap { $0.string(0) }
    }
}
