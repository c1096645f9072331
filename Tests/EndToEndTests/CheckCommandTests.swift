import Foundation
import Glibc
import Pipeline
import Testing

/// `etl check`, the dry run: what a run of the drop would reject and count, and nothing written.
@Suite struct CheckCommandTests {
    @Test func aDryRunSaysWhatTheRunWouldRejectAndWritesNothing() throws {
        let h = try Harness()
        let (drop, _) = try h.drop(children: 400, dirty: 0.04)
        let scratch = h.root.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        var environment = h.environment
        environment["TMPDIR"] = scratch.path
        let check = try h.run(["check", "--pipeline", Harness.copenhagen, "--drop", drop.path], environment: environment)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("extract and transform pass"), "\(check.stdout)")
        // Nothing written: no state directory (no key, no run), its temporary folder gone.
        #expect(!FileManager.default.fileExists(atPath: h.state.root.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
        // The rejects are shown with their lines, CPR numbers masked.
        let cprs = try NightlyRunTests.cprNumbers(in: drop.appendingPathComponent("indmeldelser.csv"))
        #expect(!cprs.contains { check.stdout.contains($0) || check.stdout.contains($0.prefix(6) + "-" + $0.suffix(4)) })
        #expect(check.stdout.contains("invalid_cpr") && check.stdout.contains("-****"), "\(check.stdout)")

        // What the run then reads and rejects is what the check said, file by file and reason by reason.
        let run = try h.run(["run", "--pipeline", Harness.copenhagen, "--drop", drop.path, "--database", h.db.url])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = check.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        let files = try h.rows("SELECT name, rows_read, accepted, rejected FROM etl.files")
        #expect(files.count == 4)
        for file in files { #expect(lines.contains(file.compactMap { $0 }.joined(separator: " ")), "\(file)") }
        let reasons = try h.rows("SELECT file, reason, count(*) FROM etl.rejects GROUP BY file, reason")
        #expect(reasons.count > 3)
        for reason in reasons { #expect(lines.contains(reason.compactMap { $0 }.joined(separator: " ")), "\(reason)") }
        let children = try #require(try h.rows("SELECT count(*) FROM warehouse.children WHERE load_id = (SELECT max(load_id) FROM etl.loads)").first?[0])
        #expect(lines.contains("children \(children)"), "\(check.stdout)")
    }

    @Test func aDryRunOverTheThresholdOrWithAWrongMappingExitsAsTheRunWould() throws {
        let h = try Harness()
        let (drop, _) = try h.drop(children: 300, dirty: 0.05)
        let strict = try h.pipeline("strict.yaml", [("reject_threshold: 0.10", "reject_threshold: 0.01")])
        let over = try h.run(["check", "--pipeline", strict, "--drop", drop.path])
        #expect(over.status == ExitStatus.rejectThresholdExceeded.rawValue, "\(over.stderr)")
        #expect(over.stderr.contains("a run of this drop would stop before load") && over.stdout.contains("rejected, by reason"), "\(over.stderr)")
        let wrong = try h.pipeline("wrong.yaml", [("      indmeldt: indmeldt\n", "      indmeldt: indmeldt_dato\n")])
        let misnamed = try h.run(["check", "--pipeline", wrong, "--drop", drop.path])
        #expect(misnamed.status == ExitStatus.usage.rawValue && misnamed.stderr.contains("no column 'indmeldt_dato'"), "\(misnamed.stderr)")
        // A file named as the drop is said to be one, as the run says it ("institutioner.xml is missing", a review).
        let file = try h.run(["check", "--pipeline", Harness.copenhagen, "--drop", drop.appendingPathComponent("MANIFEST").path])
        #expect(file.status == ExitStatus.dropIncomplete.rawValue && file.stderr.contains("the drop folder itself (not there, or not a folder)"),
                "\(file.stderr)")
        #expect(!FileManager.default.fileExists(atPath: h.state.root.path))
    }

    /// Stopped (a Ctrl-C, a time limit), it removes its temporary folder too: it holds the drop's records.
    @Test func aStoppedDryRunLeavesNoTemporaryFolder() throws {
        let h = try Harness()
        let (drop, _) = try h.drop(children: 200)
        let scratch = h.root.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let check = try Spawned(h, ["check", "--pipeline", Harness.copenhagen, "--drop", drop.path],
                                environment: ["TMPDIR": scratch.path, "ETL_STOP_AT": "extract.written"])
        #expect(check.waitUntilStopped())
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).count == 1, "the check works in a folder of its own")
        check.signal(SIGTERM)
        check.signal(SIGCONT)
        let result = try check.wait()
        #expect(result.status == -SIGTERM, "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)

        // Killed, it cannot: the next check removes what it left (it stayed for good, an adversarial review).
        let killed = try Spawned(h, ["check", "--pipeline", Harness.copenhagen, "--drop", drop.path],
                                 environment: ["TMPDIR": scratch.path, "ETL_STOP_AT": "extract.written"])
        #expect(killed.waitUntilStopped())
        killed.signal(SIGKILL)
        #expect(try killed.wait().status == -SIGKILL)
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.path)
        try #require(left.count == 1)
        // A running check's folder (its lock held, here by this test) stays.
        let running = scratch.appendingPathComponent("etl-check-Runnin").path
        try FileManager.default.createDirectory(atPath: running, withIntermediateDirectories: false)
        let held = open(running + "/.check.lock", O_RDWR | O_CREAT, 0o600)
        defer { close(held) }
        #expect(held >= 0 && flock(held, LOCK_EX) == 0)
        // So does a starting check's, whose lock file is not yet named (it was removed as a killed one's: a review).
        let starting = scratch.appendingPathComponent("etl-check-Starts").path
        try FileManager.default.createDirectory(atPath: starting, withIntermediateDirectories: false)
        #expect(FileManager.default.createFile(atPath: starting + "/.check.lock.new", contents: nil))
        let next = try Spawned.run(h, ["check", "--pipeline", Harness.copenhagen, "--drop", drop.path], environment: ["TMPDIR": scratch.path])
        #expect(next.status == 0 && next.stdout.contains("removed \(scratch.path)/\(left[0]), the temporary folder of a check that was killed"),
                "\(next.stdout)\(next.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted() == ["etl-check-Runnin", "etl-check-Starts"])
    }

    /// A temporary folder another user owns is refused: they could swap the check's folder for
    /// a link while it writes (a review led its stage files over root's own file so). And an
    /// inbox whose newer folder is no complete drop exits 66, as the run does.
    @Test func aDryRunRefusesAnotherUsersTemporaryFolderAndSaysNewerIncompleteDrops() throws {
        let h = try Harness()
        try h.drop(children: 100)
        let theirs = h.root.appendingPathComponent("theirs")
        try FileManager.default.createDirectory(at: theirs, withIntermediateDirectories: true)
        var environment = h.environment
        environment["TMPDIR"] = theirs.path
        if geteuid() == 0 {
            #expect(chown(theirs.path, 65534, 65534) == 0)
            let refused = try h.run(["check", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path], environment: environment)
            #expect(refused.status == ExitStatus.usage.rawValue && refused.stderr.contains("set TMPDIR to a folder of yours"), "\(refused.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: theirs.path).isEmpty)
        } else {
            print("SKIPPED (not root): a temporary folder another user owns needs chown")
        }
        try FileManager.default.createDirectory(at: h.inbox.appendingPathComponent("2026-11-22"), withIntermediateDirectories: true)
        let newer = try h.run(["check", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path])
        #expect(newer.status == ExitStatus.dropIncomplete.rawValue && newer.stdout.contains("extract and transform pass"), "\(newer.stderr)")
        #expect(newer.stderr.contains("2026-11-22"), "\(newer.stderr)")
    }
}
