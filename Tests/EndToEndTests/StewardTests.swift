import Foundation
import Glibc
import Testing
import Logging
@testable import Operations
import Pipeline
import Postgres
import TestSupport

/// What a steward meets on the second day (issue 15), through the built `etl`: no silent
/// skip, paths that work from anywhere, one municipality a warehouse, the demo apart, an
/// audit trail of every attempt, publishing over a newer run only on purpose.
@Suite struct StewardTests {
    static let children = 300

    func run(_ h: Harness, _ arguments: [String], pipeline: String = Harness.copenhagen, directory: URL? = nil,
             environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Spawned.run(h, ["run", "--pipeline", pipeline] + arguments + ["--database", h.db.url], environment: environment, directory: directory)
    }

    @Test func aNewerIncompleteDropOrAMissingInboxIsReportedNotSkipped() throws {
        let h = try Harness()
        try h.drop(children: Self.children, asOf: Day(iso: "2026-11-20")!)
        let (newer, _) = try h.drop(children: Self.children, seed: 8, asOf: Day(iso: "2026-11-21")!)
        try FileManager.default.removeItem(at: newer.appendingPathComponent("sagshaendelser.csv"))

        // The older drop is loaded, and the broken newer one reported: exit 66.
        let night = try run(h, ["--inbox", h.inbox.path])
        #expect(night.status == ExitStatus.dropIncomplete.rawValue, "\(night.stderr)")
        #expect(night.stdout.contains("drop=2026-11-20") && night.stdout.contains("published=yes"), "\(night.stdout)")
        #expect(night.stderr.contains("\(newer.path): sagshaendelser.csv (missing)"), "\(night.stderr)")
        // The next night: nothing new to load, still reported.
        let again = try run(h, ["--inbox", h.inbox.path])
        #expect(again.status == ExitStatus.dropIncomplete.rawValue)
        #expect(again.stdout.contains("nothing to do") && again.stderr.contains("sagshaendelser.csv (missing)"), "\(again.stderr)")
        // The news is the incomplete newer drop: no hint to load the older one again (a new steward's trial).
        #expect(!again.stdout.contains("--force"), "\(again.stdout)")

        let misspelled = try run(h, ["--inbox", h.root.appendingPathComponent("inbx").path])
        #expect(misspelled.status == ExitStatus.dropIncomplete.rawValue)
        #expect(misspelled.stderr.contains("inbx: the inbox does not exist; check the --inbox path"), "\(misspelled.stderr)")
    }

    /// A newer drop with its MANIFEST but a file still being copied (cut short) is not
    /// taken: the older complete drop is loaded, and the newer one reported.
    @Test func aNewerDropStillBeingCopiedIsReportedAndTheOlderOneLoaded() throws {
        let h = try Harness()
        try h.drop(children: Self.children, asOf: Day(iso: "2026-11-20")!)
        let (newer, _) = try h.drop(children: Self.children, seed: 8, asOf: Day(iso: "2026-11-21")!)
        let events = newer.appendingPathComponent("sagshaendelser.csv")
        let bytes = try Data(contentsOf: events)
        try bytes.prefix(bytes.count / 2).write(to: events)

        let night = try run(h, ["--inbox", h.inbox.path])
        #expect(night.status == ExitStatus.dropIncomplete.rawValue, "\(night.stderr)")
        #expect(night.stdout.contains("drop=2026-11-20") && night.stdout.contains("published=yes"), "\(night.stdout)")
        #expect(night.stderr.contains("\(newer.path): sagshaendelser.csv (not the checksum its MANIFEST gives: still being copied"),
                "\(night.stderr)")
        #expect(try h.rows("SELECT count(*) FROM etl.runs") == [["1"]], "no run was made of the newer drop")
    }

    /// The key the runs were extracted with is kept: a rerun from a shell without the
    /// nightly job's environment does not quietly make a new key (every child a new
    /// pseudonym), and a wrapper whose environment file is gone does not start.
    @Test func aRerunUnderAnotherKeyIsRefused() throws {
        let h = try Harness()
        let (drop, _) = try h.drop(children: Self.children)
        let id = try #require(Harness.runID(try run(h, ["--drop", drop.path]).stdout))
        let fingerprint = try String(contentsOf: h.state.keyFingerprintFile, encoding: .utf8)
        let extract = URL(fileURLWithPath: h.state.run(try #require(RunID(id))).file(.extract, StageFile.enrolments))
        let before = try Data(contentsOf: extract)

        let unset = try Spawned.run(h, ["extract", "--run", id, "--database", h.db.url], environment: ["ETL_PSEUDONYM_KEY": ""])
        #expect(unset.status == ExitStatus.failure.rawValue)
        #expect(unset.stderr.contains("extracted under the key of fingerprint \(fingerprint.trimmingCharacters(in: .whitespacesAndNewlines))")
                && unset.stderr.contains("no key was found now ($ETL_PSEUDONYM_KEY is not set"), "\(unset.stderr)")
        #expect(!FileManager.default.fileExists(atPath: h.state.defaultKeyFile.path), "no new key file")
        let other = try Spawned.run(h, ["extract", "--run", id, "--database", h.db.url],
                                    environment: ["ETL_PSEUDONYM_KEY": "another-key-of-at-least-thirty-two-characters"])
        #expect(other.status == ExitStatus.failure.rawValue)
        #expect(other.stderr.contains("the key now, from $ETL_PSEUDONYM_KEY, has fingerprint"), "\(other.stderr)")
        // With a key file there too, the refusal says the variable was read before it (an
        // operator who had set the variable by hand was told to run where the file was).
        let keyFile = h.state.defaultKeyFile.path
        try Data("another-key-of-at-least-thirty-two-characters-in-the-file\n".utf8).write(to: h.state.defaultKeyFile)
        let shadowing = try Spawned.run(h, ["extract", "--run", id, "--database", h.db.url],
                                        environment: ["ETL_PSEUDONYM_KEY": "another-key-of-at-least-thirty-two-characters"])
        #expect(shadowing.stderr.contains("from $ETL_PSEUDONYM_KEY (read before the key file \(keyFile): unset $ETL_PSEUDONYM_KEY to use that file)"),
                "\(shadowing.stderr)")
        try FileManager.default.removeItem(atPath: keyFile)
        #expect(try Data(contentsOf: extract) == before)

        let night = try h.nightly(["ETL_ENV_FILE": h.root.appendingPathComponent("missing.env").path])
        #expect(night.status == ExitStatus.usage.rawValue)
        #expect(night.stdout.contains("missing.env cannot be read"), "\(night.stdout)")
        let broken = h.root.appendingPathComponent("broken.env")
        try Self.writeEnvironment("ETL_PSEUDONYM_KEY='unclosed\n", to: broken)
        let garbled = try h.nightly(["ETL_ENV_FILE": broken.path])
        #expect(garbled.status == ExitStatus.usage.rawValue && garbled.stdout.contains("could not be read as shell assignments"), "\(garbled.stdout)")
        // A line that fails before a last one that works, a stray line holding a secret, an
        // exit: each stops the night, by line number only, and no key is made (a release review).
        for (text, line) in [("ETL_PSEUDONYM_KEY = a-key-of-at-least-thirty-two-characters-here\nLANG=C\n", "1"),
                             ("LANG=C\nsecret-key-of-at-least-thirty-two-characters-here\nTZ=UTC\n", "2"),
                             ("ETL_PSEUDONYM_KEY=$(cat /nonexistent/key)\nLANG=C\n", ""), ("exit 0\n", ""),
                             ("LANG=C\nreturn 0\nETL_PSEUDONYM_KEY=never-read-key-of-thirty-two-characters\n", "")] {
            try Self.writeEnvironment(text, to: broken)
            let night = try h.nightly(["ETL_ENV_FILE": broken.path])
            #expect(night.status == ExitStatus.usage.rawValue, "\(text): \(night.stdout)")
            #expect(night.stdout.contains("could not be read as shell assignments: it stops" + (line.isEmpty ? " (" : " at line \(line) (")), "\(night.stdout)")
            #expect(!night.stdout.contains("secret-key") && !night.stderr.contains("secret-key"), "\(night.stdout)")
            #expect(!FileManager.default.fileExists(atPath: h.state.defaultKeyFile.path), "no new key file")
        }
        // A file saved on Windows, blank line and all, is read.
        try Self.writeEnvironment("# the nightly environment\r\nLANG=C\r\n\r\nexport TZ=UTC\r\n", to: broken)
        let windows = try h.nightly(["ETL_ENV_FILE": broken.path])
        #expect(windows.status == 0 && !windows.stdout.contains("not started"), "\(windows.stdout)")
        // So is an empty one (stat calls it a "regular empty file": it was refused as no regular file).
        try Self.writeEnvironment("", to: broken)
        let empty = try h.nightly(["ETL_ENV_FILE": broken.path])
        #expect(empty.status == 0 && !empty.stdout.contains("not started"), "\(empty.stdout)")
        // A key too short is refused on a night with nothing new too, naming the file it came from
        // (it passed such nights, and the refusal named no file: a new user's trial).
        try Self.writeEnvironment("ETL_PSEUDONYM_KEY=short\n", to: broken)
        let short = try h.nightly(["ETL_ENV_FILE": broken.path])
        #expect(short.status == ExitStatus.failure.rawValue, "\(short.stdout)")
        #expect((short.stdout + short.stderr).contains("environment variable ETL_PSEUDONYM_KEY (the cron wrapper read \(broken.path), which may set it): the pseudonymisation key cannot be used: too short"),
                "\(short.stdout)\(short.stderr)")

        // One others may read gives the key away, one another user owns runs their lines as
        // this user: refused (an adversarial review had its lines run as root).
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: broken.path)
        let open = try h.nightly(["ETL_ENV_FILE": broken.path])
        #expect(open.status == ExitStatus.usage.rawValue && open.stdout.contains("is open to group or others (mode 644)"), "\(open.stdout)")
        // A pipe would hold the night until someone writes their lines to it (a re-test).
        let pipe = h.root.appendingPathComponent("pipe.env").path
        #expect(mkfifo(pipe, 0o600) == 0)
        let piped = try h.nightly(["ETL_ENV_FILE": pipe])
        #expect(piped.status == ExitStatus.usage.rawValue && piped.stdout.contains("is a named pipe"), "\(piped.stdout)")
        if geteuid() == 0 {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: broken.path)
            #expect(chown(broken.path, 65534, 65534) == 0)
            let theirs = try h.nightly(["ETL_ENV_FILE": broken.path])
            #expect(theirs.status == ExitStatus.usage.rawValue && theirs.stdout.contains("belongs to another user (uid 65534)"), "\(theirs.stdout)")
        } else {
            print("NOTE: the cron wrapper's check of another user's environment file runs only as root (uid \(geteuid()))")
        }
    }

    /// The warehouse keeps its key's fingerprint too: a state directory lost, not mounted or
    /// another one, pointed at the warehouse without the key, makes no new key and publishes
    /// nothing (an adversarial review published every child under a new pseudonym so);
    /// `--new-key` starts over on purpose.
    @Test func aStateDirectoryWithoutTheKeyDoesNotGiveTheWarehouseANewOne() throws {
        let h = try Harness()
        let (drop, _) = try h.drop(children: Self.children)
        try #require(try run(h, ["--drop", drop.path]).status == 0)
        let recorded = try String(contentsOf: h.state.keyFingerprintFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try h.rows("SELECT key_fingerprint FROM etl.warehouse") == [[recorded]])
        let views = try h.metricsViews()

        let other = StateLayout(root: h.root.appendingPathComponent("other-state"))
        let lost = try run(h, ["--drop", drop.path, "--force", "--state-dir", other.root.path], environment: ["ETL_PSEUDONYM_KEY": ""])
        #expect(lost.status == ExitStatus.failure.rawValue)
        #expect(lost.stderr.contains("the warehouse's runs were extracted under the key of fingerprint \(recorded) (recorded in etl.warehouse)")
                && lost.stderr.contains("`etl run --pipeline FILE --inbox DIR --new-key`"), "\(lost.stderr)")
        #expect(!FileManager.default.fileExists(atPath: other.defaultKeyFile.path), "no new key file")
        #expect(try h.metricsViews() == views)

        let anew = try run(h, ["--drop", drop.path, "--force", "--new-key", "--state-dir", other.root.path], environment: ["ETL_PSEUDONYM_KEY": ""])
        #expect(anew.status == 0, "\(anew.stderr)")
        let new = try String(contentsOf: other.keyFingerprintFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let now = try h.rows("SELECT key_fingerprint FROM etl.warehouse")
        #expect(new != recorded && now == [[new]])
        // Now the first state directory's key is the other one.
        let old = try run(h, ["--drop", drop.path, "--force"])
        #expect(old.status == ExitStatus.failure.rawValue && old.stderr.contains("key of fingerprint \(new) (recorded in etl.warehouse)"), "\(old.stderr)")
    }

    /// An environment file as an operator makes one: the key in it readable by its owner only.
    static func writeEnvironment(_ text: String, to url: URL) throws {
        try text.write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
    }

    @Test func aRunsPathsAreAbsoluteSoItsStagesRerunFromAnywhere() throws {
        let h = try Harness()
        try h.drop(children: Self.children)
        // Started from the checkout with relative paths, as a steward would.
        let up = String(repeating: "../", count: Harness.repo.pathComponents.count - 1)
        let relative = try Spawned.run(h, ["run", "--pipeline", "pipelines/copenhagen.yaml", "--inbox", up + h.inbox.path.dropFirst(),
                                           "--database", h.db.url], directory: Harness.repo)
        #expect(relative.status == 0, "\(relative.stderr)")
        let id = try #require(Harness.runID(relative.stdout))
        let paths = try h.rows("SELECT r.pipeline, r.drop_path, a.pipeline FROM etl.runs r JOIN etl.attempts a USING (run_id) WHERE run_id = \(id)")
        #expect(paths == [[Harness.copenhagen, h.inbox.appendingPathComponent("2026-11-21").path, Harness.copenhagen]])

        let elsewhere = try Spawned.run(h, ["transform", "--run", id, "--database", h.db.url], directory: h.root)
        #expect(elsewhere.status == 0, "\(elsewhere.stderr)")
    }

    /// An extract redone on a corrected drop after its transform: the load refuses the old
    /// facts (the stage files' checksums differ) until transform is redone too. A folder
    /// transformed before stage files had XXH3 (its transform lists their SHA-256) loads
    /// while the files are the same, and is refused once they are not.
    @Test func anExtractRedoneAfterItsTransformIsNotLoadedWithTheOldFacts() throws {
        let h = try Harness()
        let (drop, _) = try h.drop(children: Self.children)
        let night = try run(h, ["--inbox", h.inbox.path])
        #expect(night.status == 0, "\(night.stderr)")
        let id = try #require(Harness.runID(night.stdout))
        let folder = h.state.run(try #require(RunID(id)))
        var transform = try StageManifest.read(from: folder.manifest(.transform))
        for i in transform.inputs.indices {
            transform.inputs[i].checksum = .sha256(try SHA256Sum.file(folder.file(.extract, transform.inputs[i].name)))
        }
        try transform.write(to: folder.manifest(.transform))
        let older = try Spawned.run(h, ["load", "--run", id, "--database", h.db.url])
        #expect(older.status == 0, "\(older.stderr)")

        try FileManager.default.removeItem(at: drop)
        try h.drop(children: Self.children, seed: 8)
        let extract = try Spawned.run(h, ["extract", "--run", id, "--database", h.db.url])
        #expect(extract.status == 0, "\(extract.stderr)")
        // The drop is another now: the steward is told.
        #expect(extract.stderr.contains("the drop's files are not those run \(id) found when it started"), "\(extract.stderr)")
        #expect(!night.stderr.contains("the drop's files are not those"))
        // The summary says what the published run is now, and what loads the new extract, with
        // the state directory and the database this command had (the password never).
        #expect(extract.stdout.contains("published=no (this rerun published nothing: what analysts see is unchanged; `etl run --from transform --run \(id)` loads this) "
                                        + "(with --state-dir \(h.state.root.path) and --database '\(h.db.url)')"), "\(extract.stdout)")
        let load = try Spawned.run(h, ["load", "--run", id, "--database", h.db.url])
        #expect(load.status != 0 && load.stderr.contains("its extract was redone after its transform"), "\(load.stderr)")
        let again = try Spawned.run(h, ["transform", "--run", id, "--database", h.db.url])
        #expect(again.status == 0, "\(again.stderr)")
        let loaded = try Spawned.run(h, ["load", "--run", id, "--database", h.db.url])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        // The run stands for the corrected drop now: the ledger says so, and the next night
        // does not load it again as a new run (it did, a review found).
        let info = try RunInfo.read(folder)
        #expect(try h.rows("SELECT drop_checksum FROM etl.runs WHERE run_id = \(id)") == [[info.dropChecksum]])
        let next = try run(h, ["--inbox", h.inbox.path])
        #expect(next.status == 0 && next.stdout.contains("nothing to do") && next.stdout.contains(id), "\(next.stdout) \(next.stderr)")

        // Redone with another pipeline file, the command that loads it names that file: without
        // it, the rerun would take the run's own.
        let changed = h.root.appendingPathComponent("changed.yaml").path
        try FileManager.default.copyItem(atPath: Harness.copenhagen, toPath: changed)
        let redone = try Spawned.run(h, ["extract", "--run", id, "--pipeline", changed, "--database", h.db.url])
        #expect(redone.status == 0 && redone.stdout.contains("`etl run --from transform --run \(id) --pipeline \(changed)` loads this"),
                "\(redone.stdout)")
    }

    /// A rerun without --pipeline goes on with the file the run's newest stage files were
    /// made with, not the run's first: a load after a transform with a higher small-cell
    /// minimum publishes that minimum (a new user's trial found it quietly went back to 5).
    @Test func aRerunWithoutAPipelineFileTakesTheOneItsStageFilesWereMadeWith() throws {
        let h = try Harness()
        let (drop, _) = try h.drop(children: Self.children)
        let id = try #require(Harness.runID(try run(h, ["--drop", drop.path]).stdout))
        let stricter = h.root.appendingPathComponent("stricter.yaml").path
        try String(contentsOfFile: Harness.copenhagen, encoding: .utf8)
            .replacingOccurrences(of: "small_cell_minimum: 5", with: "small_cell_minimum: 10")
            .write(toFile: stricter, atomically: true, encoding: .utf8)
        let minimum = "SELECT small_cell_minimum::text FROM metrics.published_run"
        let none = try Spawned.run(h, ["rejects", id, "--database", h.db.url])
        #expect(none.status == 0 && none.stderr.contains("run \(id) has no rejected records"), "\(none.stderr)")

        let transform = try Spawned.run(h, ["run", "--from", "transform", "--run", id, "--pipeline", stricter, "--database", h.db.url])
        #expect(transform.status == 0, "\(transform.stderr)")
        #expect(try h.rows(minimum) == [["10"]])
        let load = try Spawned.run(h, ["load", "--run", id, "--database", h.db.url])
        #expect(load.status == 0, "\(load.stderr)")
        #expect(try h.rows(minimum) == [["10"]], "the load took the run's first file")

        // An extract redone with the first file: the next stage goes on with that one.
        let extract = try Spawned.run(h, ["extract", "--run", id, "--pipeline", Harness.copenhagen, "--database", h.db.url])
        #expect(extract.status == 0, "\(extract.stderr)")
        let again = try Spawned.run(h, ["run", "--from", "transform", "--run", id, "--database", h.db.url])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try h.rows(minimum) == [["5"]])
    }

    /// A stage file edited since its stage wrote it (its size kept, so only its checksum
    /// tells) is refused by the stage that reads it: transform for extract's, load for
    /// transform's facts and statistics. Analysts keep seeing what they saw.
    @Test func aStageFileChangedSinceItsStageWroteItIsRefused() throws {
        let h = try Harness()
        try h.drop(children: Self.children)
        let night = try run(h, ["--inbox", h.inbox.path])
        #expect(night.status == 0, "\(night.stderr)")
        let id = try #require(Harness.runID(night.stdout))
        let folder = h.state.run(try #require(RunID(id)))
        let before = try h.metricsViews()

        /// Changes the last digit of the file's last line in place: to another digit, or to
        /// a letter, which no reader of the field takes (the edit is then still what is named).
        func edit(_ path: String, breaking: Bool) throws -> Data {
            let original = try Data(contentsOf: URL(fileURLWithPath: path))
            var bytes = [UInt8](original)
            let lineStart = (bytes.dropLast().lastIndex(of: 0x0A) ?? -1) + 1
            let k = try #require(bytes[lineStart...].lastIndex { $0 >= 0x30 && $0 <= 0x39 })
            bytes[k] = breaking ? 0x78 : bytes[k] == 0x39 ? 0x38 : bytes[k] + 1
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return original
        }
        for (stage, file, breaking) in [("transform", folder.file(.extract, StageFile.enrolments), false),
                                        ("transform", folder.file(.extract, StageFile.enrolments), true),
                                        ("load", folder.file(.transform, FactFile.exposure.rawValue), false),
                                        ("load", folder.file(.transform, FactFile.exposure.rawValue), true),
                                        ("load", folder.file(.transform, StatsFile.cohortStats.rawValue), false)] {
            let original = try edit(file, breaking: breaking)
            let refused = try Spawned.run(h, [stage, "--run", id, "--database", h.db.url])
            #expect(refused.status == 1 && refused.stderr.contains("changed since") && refused.stderr.contains(file),
                    "\(stage) \(file) \(breaking): \(refused.stderr)")
            try original.write(to: URL(fileURLWithPath: file))
        }
        let after = try h.metricsViews()
        #expect(changedViews(from: before, to: after) == "")
        let loaded = try Spawned.run(h, ["load", "--run", id, "--database", h.db.url])
        #expect(loaded.status == 0, "\(loaded.stderr)")
    }

    @Test func aWarehouseHoldsOneMunicipality() throws {
        let h = try Harness()
        try h.drop(children: Self.children)
        #expect(try run(h, ["--inbox", h.inbox.path]).status == 0)
        let before = try h.metricsViews()
        let aarhus = try h.pipeline("aarhus.yaml", [("municipality: København", "municipality: Aarhus")])
        let refused = try run(h, ["--inbox", h.inbox.path, "--force"], pipeline: aarhus)
        #expect(refused.status == ExitStatus.usage.rawValue)
        #expect(refused.stderr.contains("this warehouse holds København") && refused.stderr.contains("is for Aarhus")
                && refused.stderr.contains("--state-dir") && refused.stderr.contains("One warehouse, one municipality"), "\(refused.stderr)")
        let after = try h.metricsViews()
        #expect(changedViews(from: before, to: after) == "")
        #expect(try h.rows("SELECT count(*) FROM etl.runs") == [["1"]], "a refused run leaves no trace in the ledger")
        let runs = try Spawned.run(h, ["runs", "--database", h.db.url])
        #expect(runs.stdout.hasPrefix("run ") && runs.stdout.contains("municipality") && runs.stdout.contains("København"), "\(runs.stdout)")
    }

    @Test func theDemoRefusesAStateDirectoryOrWarehouseWithARealPipelinesRuns() throws {
        let h = try Harness()
        try h.drop(children: Self.children)
        #expect(try run(h, ["--inbox", h.inbox.path]).status == 0)
        let state = try Spawned.run(h, ["demo", "--children", "100", "--state-dir", h.state.root.path])
        #expect(state.status == ExitStatus.usage.rawValue)
        #expect(state.stderr.contains("holds runs of a real pipeline") && state.stderr.contains(".etl-demo"), "\(state.stderr)")
        #expect(!FileManager.default.fileExists(atPath: h.state.root.appendingPathComponent("demo").path), "nothing written")

        let empty = h.root.appendingPathComponent("empty-state").path
        let warehouse = try Spawned.run(h, ["demo", "--children", "100", "--state-dir", empty, "--database", h.db.url])
        #expect(warehouse.status == ExitStatus.usage.rawValue)
        #expect(warehouse.stderr.contains("holds runs of a real pipeline (København)"), "\(warehouse.stderr)")
        #expect(try h.rows("SELECT count(*) FROM etl.runs") == [["1"]])
    }

    @Test func publishingOverANewerPublishedRunNeedsForce() throws {
        let h = try Harness()
        let page = h.root.appendingPathComponent("intranet/tidlig-indsats.html")
        let pipeline = try h.pipeline("with-page.yaml", [("# out: /srv/intranet/socialudvalget/tidlig-indsats.html", "out: \(page.path)")])
        try h.drop(children: Self.children, asOf: Day(iso: "2026-11-20")!)
        let a = try #require(Harness.runID(try run(h, ["--inbox", h.inbox.path], pipeline: pipeline).stdout))
        try h.drop(children: Self.children, seed: 8, asOf: Day(iso: "2026-11-21")!)
        let b = try #require(Harness.runID(try run(h, ["--inbox", h.inbox.path], pipeline: pipeline).stdout))
        let before = try h.metricsViews()
        #expect(try String(contentsOf: page, encoding: .utf8).contains(b))

        for command in [["run", "--from", "transform", "--run", a], ["load", "--run", a], ["publish", a]] {
            let refused = try Spawned.run(h, command + ["--database", h.db.url])
            #expect(refused.status == ExitStatus.usage.rawValue, "\(command)")
            #expect(refused.stderr.contains("run \(b) (data as of 2026-11-21) is published and is newer than run \(a) (as of 2026-11-20)")
                    && refused.stderr.contains("--force"), "\(refused.stderr)")
        }
        let refused = try h.metricsViews()
        #expect(changedViews(from: before, to: refused) == "")
        #expect(try h.rows("SELECT count(*) FROM etl.attempts WHERE run_id = \(a)") == [["1"]], "refused before any work")
        // A stage rerun publishes nothing, so it goes ahead; what would load it needs --force.
        let transform = try Spawned.run(h, ["transform", "--run", a, "--database", h.db.url])
        #expect(transform.stdout.contains("`etl run --from load --run \(a) --force` loads this in place of the newer run \(b)"),
                "\(transform.stdout) \(transform.stderr)")
        let after = try h.metricsViews()
        #expect(changedViews(from: before, to: after) == "")
        // Failed, its next step says --force too (it said a command that was then refused).
        try FileManager.default.removeItem(at: h.inbox.appendingPathComponent("2026-11-20/sagshaendelser.csv"))
        #expect(try Spawned.run(h, ["extract", "--run", a, "--database", h.db.url]).status == ExitStatus.dropIncomplete.rawValue)
        let show = try Spawned.run(h, ["runs", "show", a, "--database", h.db.url]).stdout
        #expect(show.contains("next           nothing needed: run \(b), newer, is published; only to put this run's figures in its place: "
                              + "`etl run --from extract --run \(a) --force`"), "\(show)")

        // Publishing puts the committee's page back in step with what analysts see.
        let forced = try Spawned.run(h, ["publish", a, "--force", "--database", h.db.url])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stdout.contains(page.path), "\(forced.stdout)")
        #expect(try h.rows("SELECT run_id::text FROM metrics.published_run") == [[a]])
        #expect(try h.rows("SELECT run_id::text, previous_run_id::text, forced::text FROM etl.publications ORDER BY publication_id DESC LIMIT 1")
                == [[a, b, "true"]])
        let shown = try String(contentsOf: page, encoding: .utf8)
        #expect(shown.contains(a) && !shown.contains(b))
        // A plain `etl report` writes the page too (as after an exit 73).
        try FileManager.default.removeItem(at: page)
        let report = try Spawned.run(h, ["report", "--database", h.db.url])
        #expect(report.status == 0 && report.stdout.contains(page.path), "\(report.stderr)")
        #expect(try String(contentsOf: page, encoding: .utf8).contains(a))
        // Loading the newer run again replaces an older one: no --force needed.
        #expect(try Spawned.run(h, ["load", "--run", b, "--database", h.db.url]).status == 0)
    }

    /// A run whose pipeline file has moved: `etl publish` publishes it and says the page was
    /// not written (73); a plain `etl report` says so too, and writes it with `--pipeline`.
    @Test func theCommitteesPageNeedsTheRunsPipelineFile() throws {
        let h = try Harness()
        let page = h.root.appendingPathComponent("intranet/page.html")
        let pipeline = try h.pipeline("with-page.yaml", [("# out: /srv/intranet/socialudvalget/tidlig-indsats.html", "out: \(page.path)")])
        try h.drop(children: Self.children)
        let a = try #require(Harness.runID(try run(h, ["--inbox", h.inbox.path], pipeline: pipeline).stdout))
        let moved = h.root.appendingPathComponent("moved.yaml").path
        try FileManager.default.moveItem(atPath: pipeline, toPath: moved)
        try FileManager.default.removeItem(at: page)

        let publish = try Spawned.run(h, ["publish", a, "--database", h.db.url])
        #expect(publish.status == ExitStatus.reportFailed.rawValue && publish.stderr.contains("etl report --pipeline FILE"), "\(publish.stderr)")
        let report = try Spawned.run(h, ["report", "--database", h.db.url])
        #expect(report.status == ExitStatus.failure.rawValue && report.stderr.contains("name the pipeline file with --pipeline"), "\(report.stderr)")
        let named = try Spawned.run(h, ["report", "--pipeline", moved, "--database", h.db.url])
        #expect(named.status == 0 && named.stdout.contains(page.path), "\(named.stderr)")
        #expect(try String(contentsOf: page, encoding: .utf8).contains(a))
    }

    /// A load run again publishes, so a report it cannot write exits 73 as `etl run` does (it
    /// exited 0, a review found): cron's mail must say the committee's page is behind.
    @Test func aLoadRunAgainWhoseReportFailsExits73() throws {
        let h = try Harness()
        let blocker = h.root.appendingPathComponent("a-file")
        try Data().write(to: blocker)
        let pipeline = try h.pipeline("blocked-page.yaml", [("# out: /srv/intranet/socialudvalget/tidlig-indsats.html", "out: \(blocker.path)/page.html")])
        try h.drop(children: Self.children)
        let first = try run(h, ["--inbox", h.inbox.path], pipeline: pipeline)
        #expect(first.status == ExitStatus.reportFailed.rawValue, "\(first.stderr)")
        let a = try #require(Harness.runID(first.stdout))
        let load = try Spawned.run(h, ["load", "--run", a, "--database", h.db.url])
        #expect(load.status == ExitStatus.reportFailed.rawValue && load.stdout.contains("published=yes"), "\(load.stdout) \(load.stderr)")
        // Ended by its error line, with its status, as every failure is (it ended with "run finished", a review).
        let last = load.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.contains(" error ") && last.contains("run \(a) is published") && last.hasSuffix("exit_status=73"), "\(load.stderr)")
    }

    /// Run ids are start times, so a drop of an earlier day run today has the newest id:
    /// its data, not its id, say it is older, and it is not loaded over later data unless on
    /// purpose (refused before any work, so a night does not redo it). A mistyped run id is
    /// called that.
    @Test func aDropOfAnEarlierDayIsNotPublishedOverALaterOne() throws {
        let h = try Harness()
        let (earlier, _) = try h.drop(children: Self.children, asOf: Day(iso: "2026-11-20")!)
        let (later, _) = try h.drop(children: Self.children, seed: 8, asOf: Day(iso: "2026-11-21")!)
        let b = try #require(Harness.runID(try run(h, ["--drop", later.path]).stdout))
        let before = try h.metricsViews()

        let refused = try run(h, ["--drop", earlier.path])
        #expect(refused.status == ExitStatus.usage.rawValue, "\(refused.stderr)")
        #expect(refused.stderr.contains("\(earlier.path) holds data as of 2026-11-20, earlier than those of the published run \(b) (as of 2026-11-21)"),
                "\(refused.stderr)")
        let after = try h.metricsViews()
        #expect(changedViews(from: before, to: after) == "")
        #expect(try h.rows("SELECT count(*) FROM etl.runs") == [["1"]], "no run was made")

        // The command the message suggests works as printed (it once lacked --pipeline).
        let suggested = try #require(refused.stderr.firstMatch(of: /add --force: `etl ([^`]*)`/)?.output.1, "\(refused.stderr)")
        #expect(suggested == "run --pipeline \(Harness.copenhagen) --drop \(earlier.path) --force")
        let forced = try Spawned.run(h, suggested.split(separator: " ").map(String.init) + ["--database", h.db.url])
        #expect(forced.status == 0, "\(forced.stderr)")
        let a = try #require(Harness.runID(forced.stdout))
        #expect(try h.rows("SELECT run_id::text FROM metrics.published_run") == [[a]])
        // The later day's run, loaded again, is newer in its data: no --force needed.
        #expect(try Spawned.run(h, ["load", "--run", b, "--database", h.db.url]).status == 0)
        // The earlier day's, rerun, is not.
        let rerun = try Spawned.run(h, ["load", "--run", a, "--database", h.db.url])
        #expect(rerun.status == ExitStatus.usage.rawValue && rerun.stderr.contains("its data are of a later day"), "\(rerun.stderr)")
        // The earlier drop again, loaded before: nothing to do, not a refusal with --force advice (a review).
        let again = try run(h, ["--drop", earlier.path])
        #expect(again.status == 0 && again.stdout.contains("nothing to do"), "\(again.stdout) \(again.stderr)")

        let typo = try Spawned.run(h, ["publish", "20200101000000000", "--database", h.db.url])
        #expect(typo.status == ExitStatus.usage.rawValue, "a run id that names no run is a bad argument")
        #expect(typo.stderr.contains("run 20200101000000000 is not in the run ledger") && typo.stderr.contains("`etl runs` lists its runs"),
                "\(typo.stderr)")
    }

    /// A newer folder that is no drop (an export linking out of it, a CPR number for a name)
    /// is reported as an incomplete one is, and the older whole drop is loaded: one folder
    /// must not stop every night (an adversarial review).
    @Test func aNewerFolderThatIsNoDropDoesNotStopTheNight() throws {
        let h = try Harness()
        try h.drop(children: Self.children, asOf: Day(iso: "2026-11-20")!)
        let (newer, _) = try h.drop(children: Self.children, seed: 8, asOf: Day(iso: "2026-11-21")!)
        let file = newer.appendingPathComponent("socialraadgivere.csv"), outside = h.root.appendingPathComponent("elsewhere.csv")
        try FileManager.default.moveItem(at: file, to: outside)
        try FileManager.default.createSymbolicLink(at: file, withDestinationURL: outside)
        try FileManager.default.createDirectory(at: h.inbox.appendingPathComponent("3112991234"), withIntermediateDirectories: false)
        let night = try run(h, ["--inbox", h.inbox.path])
        #expect(night.status == ExitStatus.dropIncomplete.rawValue, "\(night.stderr)")
        #expect(night.stdout.contains("drop=2026-11-20") && night.stdout.contains("published=yes"), "\(night.stdout)")
        #expect(night.stderr.contains("socialraadgivere.csv (refused: it leads out of the drop, to \(outside.path);"), "\(night.stderr)")
        #expect(night.stderr.contains("311299-****: its name holds a CPR number") && !night.stderr.contains("3112991234"), "\(night.stderr)")
    }

    /// A failed run whose drop a later run loaded needs nothing: its next step says so, not
    /// a rerun (a new steward's trial was told to force it).
    @Test func aFailedRunWhoseDropWasLoadedLaterNeedsNothing() throws {
        let h = try Harness()
        try h.drop(children: Self.children, dirty: 0.03)
        let strict = try h.pipeline("strict.yaml", [("reject_threshold: 0.10", "reject_threshold: 0.005")])
        let failed = try run(h, ["--inbox", h.inbox.path], pipeline: strict)
        #expect(failed.status == ExitStatus.rejectThresholdExceeded.rawValue, "\(failed.stderr)")
        let first = try #require(try h.rows("SELECT run_id::text FROM etl.runs").first?[0])
        let night = try run(h, ["--inbox", h.inbox.path])
        #expect(night.status == 0, "\(night.stderr)")
        let second = try #require(Harness.runID(night.stdout))
        let show = try Spawned.run(h, ["runs", "show", first, "--database", h.db.url]).stdout
        #expect(show.contains("next           nothing: run \(second), later, loaded the same drop"), "\(show)")
    }

    /// An earlier run rerun, loading the drop after a later run of it failed: the later one
    /// needs nothing either (it was told to rerun the drop, a review).
    @Test func aFailedRunWhoseDropAnEarlierRunLoadedSinceNeedsNothing() throws {
        let h = try Harness()
        try h.drop(children: Self.children, dirty: 0.03)
        let strict = try h.pipeline("strict.yaml", [("reject_threshold: 0.10", "reject_threshold: 0.005")])
        #expect(try run(h, ["--inbox", h.inbox.path], pipeline: strict).status == ExitStatus.rejectThresholdExceeded.rawValue)
        #expect(try run(h, ["--inbox", h.inbox.path], pipeline: strict).status == ExitStatus.rejectThresholdExceeded.rawValue)
        let ids = try h.rows("SELECT run_id::text FROM etl.runs ORDER BY run_id").compactMap { $0[0] }
        #expect(ids.count == 2)
        let rerun = try run(h, ["--from", "extract", "--run", ids[0]])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let show = try Spawned.run(h, ["runs", "show", ids[1], "--database", h.db.url]).stdout
        #expect(show.contains("next           nothing: run \(ids[0]), later, loaded the same drop"), "\(show)")
    }

    /// A window past the drop's as-of date leaves its last periods without data, and with an
    /// empty one every institution out of the difference-in-differences: the run says why.
    @Test func aWindowPastTheAsOfDateIsWarnedOf() throws {
        let h = try Harness()
        try h.drop(children: Self.children, asOf: Day(iso: "2026-11-20")!)
        let late = try h.pipeline("late.yaml", [("  # to: 2026-06-30", "  to: 2027-12-31")])
        let night = try run(h, ["--inbox", h.inbox.path], pipeline: late)
        #expect(night.status == 0, "\(night.stderr)")
        let warning = try #require(night.stderr.split(separator: "\n").first { $0.contains("after the drop's as-of date 2026-11-20") },
                                   "\(night.stderr)")
        #expect(warning.contains("warning") && warning.contains("ends on 2027-12-31") && warning.contains(late), "\(warning)")
        // The pipeline's own window, ending on the as-of date, is not warned of.
        let id = try #require(Harness.runID(night.stdout))
        let again = try Spawned.run(h, ["transform", "--run", id, "--pipeline", Harness.copenhagen, "--database", h.db.url])
        #expect(again.status == 0 && !again.stderr.contains("as-of date"), "\(again.stderr)")
    }

    @Test func everyAttemptIsKeptWithItsPipelineFileAndErrorAndRejectsWarn() throws {
        let h = try Harness()
        try h.drop(children: Self.children, dirty: 0.03)
        let night = try run(h, ["--inbox", h.inbox.path])
        #expect(night.status == 0, "\(night.stderr)")
        let id = try #require(Harness.runID(night.stdout))
        // Rejects under the threshold: a warning with the counts and the command.
        let warning = try #require(night.stderr.split(separator: "\n").first { $0.contains("records rejected (under the threshold)") },
                                   "\(night.stderr)")
        #expect(warning.contains("warning") && warning.contains("etl rejects \(id)"), "\(warning)")
        let before = try h.metricsViews()

        // An extract rerun with a stricter pipeline fails at the threshold: the run stays published.
        let strict = try h.pipeline("strict.yaml", [("reject_threshold: 0.10", "reject_threshold: 0.005")])
        let rerun = try Spawned.run(h, ["extract", "--run", id, "--pipeline", strict, "--database", h.db.url])
        #expect(rerun.status == ExitStatus.rejectThresholdExceeded.rawValue, "\(rerun.stderr)")
        let after = try h.metricsViews()
        #expect(changedViews(from: before, to: after) == "")

        let show = try Spawned.run(h, ["runs", "show", id, "--database", h.db.url])
        #expect(show.stdout.contains("published      yes"), "\(show.stdout)")
        #expect(show.stdout.contains(Harness.copenhagen) && show.stdout.contains(strict), "both pipeline files: \(show.stdout)")
        let json = try Spawned.run(h, ["runs", "show", id, "--json", "--database", h.db.url])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let ledger = try #require(document["run"] as? [String: Any])
        let attempts = try #require(ledger["attempts"] as? [[String: Any]])
        #expect(attempts.map { $0["status"] as? String } == ["succeeded", "failed"])
        #expect(attempts.map { $0["pipeline"] as? String } == [Harness.copenhagen, strict])
        #expect(attempts.allSatisfy { ($0["pipeline_sha256"] as? String)?.count == 64 && $0["program_version"] is String })
        #expect((attempts[1]["error"] as? String)?.contains("etl rejects \(id)") == true)
        #expect(attempts[0]["pipeline_sha256"] as? String != attempts[1]["pipeline_sha256"] as? String)

        // dbt's run_results.json: metadata, args, elapsed_time, a result per stage attempt.
        let metadata = try #require(document["metadata"] as? [String: Any])
        #expect(metadata["invocation_id"] as? String == id && metadata["generated_at"] is String && metadata["etl_version"] is String)
        #expect(document["args"] is [String: Any] && document["elapsed_time"] is Double)
        let results = try #require(document["results"] as? [[String: Any]])
        #expect(results.map { $0["unique_id"] as? String } == ["extract", "transform", "load", "extract"].map { "\(id).\($0)" })
        #expect(results.map { $0["status"] as? String } == ["success", "success", "success", "error"])
        for result in results {
            #expect(result["execution_time"] is Double && result["thread_id"] is String && result["message"] is String)
            let timing = try #require((result["timing"] as? [[String: Any]])?.first)
            #expect(timing["name"] as? String == "execute" && timing["started_at"] is String && timing["completed_at"] is String)
            #expect(result["adapter_response"] is [String: Int])
        }
        #expect(results[0]["failures"] as? Int == ledger["rows_rejected"] as? Int && (results[0]["failures"] as? Int ?? 0) > 0)
        #expect(results[3]["failures"] as? Int == ledger["rows_rejected"] as? Int, "the extract stopped by its rejects counts them too")

        let list = try Spawned.run(h, ["runs", "--json", "--database", h.db.url])
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        #expect((listed["runs"] as? [[String: Any]])?.first?["results"] is [[String: Any]])
        // What retention left, as `etl runs` lists it (only the table said it).
        #expect(document["kept"] as? [String] == ["load", "folder"] && (listed["runs"] as? [[String: Any]])?.first?["kept"] as? [String] == ["load", "folder"],
                "\(list.stdout.prefix(300))")
    }

    @Test func aThresholdFailureNamesEveryFileOverItTheRunAndTheCommand() throws {
        let h = try Harness()
        try h.drop(children: Self.children, dirty: 0.2)
        let night = try run(h, ["--inbox", h.inbox.path])
        #expect(night.status == ExitStatus.rejectThresholdExceeded.rawValue, "\(night.stderr)")
        let id = try #require(try h.rows("SELECT run_id::text FROM etl.runs").first?[0])
        let files = try h.rows("SELECT name, rejected::text, rows_read::text FROM etl.files WHERE rejected > 0.1 * rows_read")
        #expect(files.count >= 2, "the drop should put several files over the threshold")
        for file in files {
            #expect(night.stderr.contains("\(file[0]!) \(file[1]!) of \(file[2]!)"), "\(file) in \(night.stderr)")
        }
        #expect(night.stderr.contains("run \(id) stopped before load") && night.stderr.contains("`etl rejects \(id)`"), "\(night.stderr)")
        let runs = try Spawned.run(h, ["runs", "--database", h.db.url])
        let line = try #require(runs.stdout.split(separator: "\n").first { $0.hasPrefix(id) })
        let read = try h.rows("SELECT rows_read::text, rows_rejected::text FROM etl.runs")[0]
        #expect(line.contains(" failed ") && line.contains(" \(read[0]!) ") && line.contains(" \(read[1]!) "), "\(line)")
        let rejects = try Spawned.run(h, ["rejects", id, "--database", h.db.url])
        #expect(rejects.status == 0 && rejects.stdout.split(separator: "\n").count > 10)
        // Not a load's rejects, which a steward took for the published one's (a review).
        #expect(rejects.stderr.contains("last extract, which stopped at its reject threshold: no load holds them"), "\(rejects.stderr)")
        // As CSV, every record's reason is its fourth field, an empty field or not (aligned
        // columns shifted under awk: a new user's trial); the reasons are the table's.
        let csv = try Spawned.run(h, ["rejects", id, "--csv", "--database", h.db.url])
        let records = Self.csvRecords(csv.stdout)
        #expect(csv.status == 0 && records.first == ["file", "line", "field", "reason", "message"], "\(csv.stdout.prefix(300))")
        #expect(records.count == rejects.stdout.split(separator: "\n").count)
        #expect(records.dropFirst().allSatisfy { $0.count == 5 && RejectReason(rawValue: $0[3]) != nil && Int($0[1]) != nil })
        #expect(records.dropFirst().contains { $0[2].isEmpty }, "no record without a field: the shift is not tested")

        // What does not exist is said, never shown as an empty table.
        let unknownRun = try Spawned.run(h, ["rejects", "20200101000000000", "--database", h.db.url])
        #expect(unknownRun.status == 64 && unknownRun.stderr.contains("no run 20200101000000000 in the warehouse's run ledger or the state directory \(h.state.root.path)")
                && unknownRun.stderr.contains("etl runs") && unknownRun.stderr.contains("--state-dir"),
                "\(unknownRun.stderr)")
        // The report too (it exited 1, "no complete load", a review).
        let unknownReport = try Spawned.run(h, ["report", "--run", "20200101000000000", "--database", h.db.url])
        #expect(unknownReport.status == 64 && unknownReport.stderr.contains("no run 20200101000000000 in the warehouse's run ledger"),
                "\(unknownReport.stderr)")
        let unknownFile = try Spawned.run(h, ["rejects", id, "--file", "Indmeldelser.csv", "--database", h.db.url])
        #expect(unknownFile.status == 64 && unknownFile.stderr.contains("indmeldelser.csv"), "\(unknownFile.stderr)")
        let unknownReason = try Spawned.run(h, ["rejects", id, "--reason", "bad_cpr", "--database", h.db.url])
        #expect(unknownReason.status == 64 && unknownReason.stderr.contains("invalid_cpr"), "\(unknownReason.stderr)")

        // Retention removes the folder (with the rejects) once newer runs take its place: each
        // way back says so and names the command that works (an adversarial review found each
        // pointing to another that failed).
        try FileManager.default.removeItem(at: h.state.run(RunID(id)!).root)
        let rerun = "etl run --pipeline \(Harness.copenhagen) --drop \(h.inbox.path)/"
        let gone = try Spawned.run(h, ["rejects", id, "--database", h.db.url])
        #expect(gone.status == 1 && gone.stderr.contains("was removed by retention") && gone.stderr.contains(rerun), "\(gone.stderr)")
        // No --force: nothing newer is published, and with it an older drop would replace what is.
        #expect(!gone.stderr.contains("--force"), "\(gone.stderr)")
        let show = try Spawned.run(h, ["runs", "show", id, "--database", h.db.url])
        let next = try #require(show.stdout.split(separator: "\n").first { $0.contains("next") }, "\(show.stdout)")
        #expect(next.contains(rerun) && next.contains("retention removed its folder"), "\(next)")
        let extract = try Spawned.run(h, ["extract", "--run", id, "--database", h.db.url])
        #expect(extract.status == 64 && extract.stderr.contains("retention") && extract.stderr.contains("etl runs show \(id)"), "\(extract.stderr)")
    }

    @Test func twelveRunsBackToBackHaveTheirOwnIdsAndDropsAndKeepWhatIsNeeded() throws {
        let h = try Harness()
        var logger = Logger(label: "e2e")
        logger.logLevel = .error
        let runner = PipelineRunner(config: try h.config { $0.keepRuns = 1 }, state: h.state,
                                    target: WarehouseTarget(url: h.db.url, state: h.state), logger: logger)
        var ran: [(RunID, String)] = []
        for day in 1...12 {
            let (drop, _) = try h.drop(children: 60, seed: UInt64(day), asOf: Day(year: 2026, month: 11, day: day)!)
            ran.append((try runner.runNew(drop: drop, inbox: nil, force: false, asOf: nil).run, drop.path))
        }
        let ids = ran.map(\.0)
        #expect(ids == ids.sorted() && Set(ids).count == 12)
        #expect(ids.allSatisfy { $0.description.count == 17 && $0.date != nil })
        let ledger = try h.rows("SELECT run_id::text, drop_path FROM etl.runs ORDER BY run_id")
        #expect(ledger == ran.map { [$0.0.description, $0.1] })
        // Folders: the newest two, and every run with a load in the warehouse (the published one).
        let folders = Set(try FileManager.default.contentsOfDirectory(atPath: h.state.runs.path))
        let loaded = Set(try h.rows("SELECT DISTINCT run_id::text FROM etl.loads").compactMap { $0[0] })
        #expect(folders == Set(ids.suffix(2).map(\.description)).union(loaded), "\(folders) \(loaded)")
        #expect(folders.contains(try #require(try h.rows("SELECT run_id::text FROM etl.published").first?[0])))
        // The first run's load and folder are gone: publishing it names the command that works,
        // its drop as a new run (it named `--from load`, which needs the folder; a review).
        let first = ids[0].description
        #expect(!folders.contains(first) && !loaded.contains(first))
        let publish = try Spawned.run(h, ["publish", first, "--force", "--database", h.db.url])
        #expect(publish.status == 1 && publish.stderr.contains("etl run --pipeline") && publish.stderr.contains("--drop \(ran[0].1)")
                && publish.stderr.contains("retention removed its load and its folder") && !publish.stderr.contains("--from load"), "\(publish.stderr)")
        // `etl runs` says what each run kept.
        let list = try Spawned.run(h, ["runs", "--database", h.db.url]).stdout.split(separator: "\n")
        func kept(_ run: RunID) -> String? {
            list.first { $0.hasPrefix(run.description) }.map { $0.split(separator: " ", omittingEmptySubsequences: true).dropLast($0.hasSuffix("*") ? 1 : 0).last.map(String.init) ?? "" }
        }
        #expect(kept(ids[0]) == "-" && kept(ids[11]) == "load+folder" && kept(ids[10]) == "folder", "\(list)")
    }

    /// RFC 4180 records (quoted fields, doubled quotes, CR LF), read independently of the tool.
    static func csvRecords(_ text: String) -> [[String]] {
        var records: [[String]] = [], record: [String] = [], field = "", quoted = false, wasQuote = false
        for c in text {
            if quoted {
                if c == "\"" { quoted = false; wasQuote = true } else { field.append(c) }
                continue
            }
            switch c {
            case "\"": if wasQuote { field.append("\"") }; quoted = true
            case ",": record.append(field); field = ""
            case "\r\n", "\n": record.append(field); records.append(record); record = []; field = ""
            default: field.append(c)
            }
            wasQuote = false
        }
        return records
    }
}
