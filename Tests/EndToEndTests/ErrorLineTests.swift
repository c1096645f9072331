import CGlibcExtras
import Foundation
import Glibc
import Testing
import Operations
import Pipeline
import TestSupport

/// A failure in each stage of a run, through the built `etl`: the error line it ends with
/// names the run and the stage (`[RUN STAGE]` in a text line, `run` and `stage` in JSON),
/// says what went wrong and what to do, and the exit status is the one the error declares.
@Suite struct ErrorLineTests {
    /// The line `etl` ends a failure with: `HH:mm:ss error   [RUN STAGE] message … exit_status=N`.
    static func errorLine(_ stderr: String) -> String? {
        stderr.split(separator: "\n").last { $0.contains(" error ") && $0.contains("exit_status=") }.map(String.init)
    }

    @Test func aFailureInEachStageNamesTheRunAndTheStage() throws {
        let h = try Harness()
        let url = h.db.url
        try h.drop(children: 300, dirty: 0.03, asOf: Day(iso: "2026-11-20")!)
        let first = try Spawned.run(h, ["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", url])
        #expect(first.status == 0, "\(first.stderr)")
        let run = try #require(Harness.runID(first.stdout))

        // transform: a window that ends before it starts (the pipeline file's to fix: 64).
        let late = try h.pipeline("late-window.yaml", [("from: 2012-01-01", "from: 2030-01-01")])
        let transform = try Spawned.run(h, ["transform", "--run", run, "--pipeline", late, "--database", url])
        #expect(transform.status == ExitStatus.usage.rawValue, "\(transform.stderr)")
        let transformLine = try #require(Self.errorLine(transform.stderr), "\(transform.stderr)")
        #expect(transformLine.contains("error   [\(run) transform] evaluation window ends") && transformLine.contains("fix `window`"),
                "\(transformLine)")

        // load: the transform's record of its window gone (1), and put back.
        let settings = h.state.run(RunID(run)!).file(.transform, "settings.json")
        try FileManager.default.moveItem(atPath: settings, toPath: settings + ".away")
        let load = try Spawned.run(h, ["load", "--run", run, "--database", url])
        #expect(load.status == ExitStatus.failure.rawValue, "\(load.stderr)")
        let loadLine = try #require(Self.errorLine(load.stderr), "\(load.stderr)")
        #expect(loadLine.contains("error   [\(run) load] run \(run): its transform files do not say") && loadLine.contains("etl run --from transform"),
                "\(loadLine)")
        try FileManager.default.moveItem(atPath: settings + ".away", toPath: settings)

        // publish: the connection lost once the load is committed (69); the load is complete.
        try h.drop(children: 300, seed: 8, asOf: Day(iso: "2026-11-21")!)
        let night = try Spawned(h, ["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", url],
                                environment: ["ETL_STOP_AT": "load.committed"])
        #expect(night.waitUntilStopped())
        let newer = try #require(try h.rows("SELECT max(run_id)::text FROM etl.runs").first?[0])
        #expect(try h.rows("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name LIKE 'etl run \(newer) (attempt %)'
            """) == [["t"]])
        night.signal(SIGCONT)
        let publish = try night.wait()
        #expect(publish.status == ExitStatus.databaseUnreachable.rawValue, "\(publish.stderr)")
        let publishLine = try #require(Self.errorLine(publish.stderr), "\(publish.stderr)")
        #expect(publishLine.contains("error   [\(newer) publish] the connection to the warehouse") && publishLine.contains("`etl publish \(newer)`"),
                "\(publishLine)")
        #expect(try h.rows("SELECT run_id::text FROM etl.published") == [[run]], "the older run stays published")
        // `etl publish` names the run and the step too.
        let gone = try Spawned.run(h, ["publish", "20200101000000000", "--force", "--database", url])
        #expect(gone.status == ExitStatus.usage.rawValue)
        #expect(Self.errorLine(gone.stderr)?.contains("error   [20200101000000000 publish] run 20200101000000000 is not in the run ledger") == true,
                "\(gone.stderr)")

        // extract: over a stricter reject threshold (65); in JSON, as cron logs it.
        let strict = try h.pipeline("strict.yaml", [("reject_threshold: 0.10", "reject_threshold: 0.005")])
        let extract = try Spawned.run(h, ["extract", "--run", run, "--pipeline", strict, "--database", url, "--log-format", "json"])
        #expect(extract.status == ExitStatus.rejectThresholdExceeded.rawValue, "\(extract.stderr)")
        let last = try #require(extract.stderr.split(separator: "\n").last, "\(extract.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], "\(last)")
        #expect(object["level"] as? String == "error" && object["exit_status"] as? Int == 65, "\(last)")
        #expect(object["run"] as? String == run && object["stage"] as? String == "extract", "\(last)")
        #expect((object["event"] as? String)?.contains("`etl rejects \(run)`") == true, "\(last)")
    }

    /// Arguments that name nothing usable are refused before any work, each saying which and
    /// what to give (a review: an empty one named the working folder, a file as the state
    /// directory gave Foundation's words, generate wrote over a drop, a misspelt option was hidden).
    @Test func wrongArgumentsAreRefusedByName() throws {
        let h = try Harness()
        let file = h.root.appendingPathComponent("a-file").path
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        let drop = h.root.appendingPathComponent("drop").path
        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: true)
        try "x".write(toFile: drop + "/MANIFEST", atomically: true, encoding: .utf8)
        // Folders another user may change (a review wrote over the user's own file through one).
        let open = h.root.appendingPathComponent("open").path, theirs = h.root.appendingPathComponent("theirs").path
        for folder in [open, theirs] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        #expect(chmod(open, 0o777) == 0)
        let othersUser = geteuid() == 0 && chown(theirs, 65534, 65534) == 0
        for (arguments, said) in [(["generate", "--out", open, "--children", "10"], "--out \(open) may be written by any user"),
                                  (["generate", "--out", open + "/d", "--children", "10"], "is in \(open), which any user may change")]
            + (othersUser ? [(["generate", "--out", theirs, "--children", "10"], "--out \(theirs) belongs to")] : []) + [(["runs", "--state-dir", ""], "--state-dir is empty"),
                                  (["runs", "--database", ""], "--database is empty"),
                                  (["runs", "--state-dir", file], "the state directory \(file) is a file, not a folder"),
                                  (["runs", "--state-dir", file + "/sub"], "lies under \(file), a file, not a folder"),
                                  (["runs", "--state-dir", " "], "--state-dir is empty"),
                                  (["run", "--pipeline", Harness.copenhagen, "--inbox", ""], "--inbox is empty"),
                                  (["report", "--out", ""], "--out is empty"),
                                  (["generate", "--out", file + "/d", "--children", "10"], "lies under \(file), a file"),
                                  (["generate", "--out", "", "--children", "10"], "--out is empty"),
                                  (["generate", "--out", drop, "--children", "10"], "--out \(drop) already holds MANIFEST"),
                                  // A misspelt option is named, not hidden by what the others lack (a review).
                                  (["run", "--pipeline", Harness.copenhagen, "--inbx", drop], "Unknown option '--inbx'. Did you mean '--inbox'?"),
                                  (["run", "--pipeline", Harness.copenhagen], "name a drop (--drop DIR) or an inbox (--inbox DIR)\nUsage: etl run")] {
            let result = try h.run(arguments)
            #expect(result.status == ExitStatus.usage.rawValue && result.stderr.contains(said), "\(arguments): \(result.stderr)")
        }
        #expect(try String(contentsOfFile: drop + "/MANIFEST", encoding: .utf8) == "x", "the drop there is left as it was")
    }

    /// A drop made under a default access control list would be open to the users it names,
    /// whatever the umask (a review changed a generated MANIFEST so): refused, nothing made.
    @Test func generateRefusesAFolderUnderADefaultAccessControlList() throws {
        let h = try Harness()
        let parent = h.root.appendingPathComponent("inherits").path
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        // user::rwx, user:65534:rwx, group::---, mask::rwx, other::--- as Linux stores it.
        let acl = posixACL([(0x01, 7, .max), (0x02, 7, 65534), (0x04, 0, .max), (0x10, 7, .max), (0x20, 0, .max)])
        guard setxattr(parent, "system.posix_acl_default", acl, acl.count, 0) == 0 else {
            print("NOTE: generateRefusesAFolderUnderADefaultAccessControlList skipped: this file system takes no ACL (\(String(cString: strerror(errno))))")
            return
        }
        let result = try h.run(["generate", "--out", parent + "/2026-11-21", "--children", "10"])
        #expect(result.status == ExitStatus.usage.rawValue && result.stderr.contains("which has a default access control list"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: parent + "/2026-11-21"))
    }
}
