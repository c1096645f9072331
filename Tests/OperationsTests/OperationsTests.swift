import Extract
import Foundation
import Load
import Logging
import Testing
@testable import Operations
import Pipeline
import Postgres
import Report
import Synchronization
import TestSupport
import Transform

@Suite struct DropTests {
    let config = try! PipelineConfig.load(path: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("pipelines/copenhagen.yaml").path)

    func makeDrop(_ inbox: URL, _ name: String, files: [String], manifest: [String]? = nil) throws {
        let dir = inbox.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // Written an hour ago: settled, though it has no MANIFEST.
        for file in files {
            try Data("x\n".utf8).write(to: dir.appendingPathComponent(file))
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: dir.appendingPathComponent(file).path)
        }
        if let manifest {
            // Each file's checksum: that of "x\n".
            try manifest.map { "73cb3858a687a8494ca3323053016282f3dad39d42cf62ca4e79dda2aac7d9ac  1  \($0)" }.joined(separator: "\n").write(to: dir.appendingPathComponent("MANIFEST"), atomically: true, encoding: .utf8)
        }
    }

    @Test func theNewestCompleteDropOfTheInboxIsTaken() throws {
        let inbox = URL(fileURLWithPath: try TestServer.temporaryDirectory())
        let all = config.sources.all.map(\.file)
        try makeDrop(inbox, "2026-11-19", files: all)
        try makeDrop(inbox, "2026-11-20", files: all, manifest: all)
        // Still being written: its MANIFEST names a file not there yet.
        try makeDrop(inbox, "2026-11-21", files: Array(all.dropLast()), manifest: all)
        #expect(try Drop.newest(in: inbox, config: config).name == "2026-11-20")
        try makeDrop(inbox, "2026-11-22", files: Array(all.dropLast()))
        #expect(try Drop.newest(in: inbox, config: config).name == "2026-11-20")
        #expect(throws: OperationsError.self) { try Drop.newest(in: inbox.appendingPathComponent("none"), config: config) }
    }

    @Test func newerIncompleteDropsAreReportedWithWhatTheyLack() throws {
        let inbox = URL(fileURLWithPath: try TestServer.temporaryDirectory())
        let all = config.sources.all.map(\.file)
        try makeDrop(inbox, "2026-11-20", files: all)
        try makeDrop(inbox, "2026-11-21", files: all.filter { $0 != "sagshaendelser.csv" })
        try makeDrop(inbox, "2026-11-22", files: all, manifest: all + ["extra.csv"])
        try Data("not a drop".utf8).write(to: inbox.appendingPathComponent("README"))
        let scan = try Drop.scan(inbox, config: config)
        #expect(scan.drop.name == "2026-11-20")
        #expect(scan.newerIncomplete.map(\.path) == ["2026-11-22", "2026-11-21"].map { inbox.appendingPathComponent($0).path })
        #expect(scan.newerIncomplete[0].missing == ["extra.csv (named in the MANIFEST, line 5; missing)"])
        #expect(scan.newerIncomplete[1].missing == ["sagshaendelser.csv (missing)"])

        // A folder where an export should be is named as such, and the checksum refuses it (66).
        try FileManager.default.createDirectory(at: inbox.appendingPathComponent("2026-11-23/indmeldelser.csv"), withIntermediateDirectories: true)
        for file in all where file != "indmeldelser.csv" { try Data("x\n".utf8).write(to: inbox.appendingPathComponent("2026-11-23/\(file)")) }
        let again = try Drop.scan(inbox, config: config)
        #expect(again.newerIncomplete.first?.missing == ["indmeldelser.csv (not a file: a directory)"])
        let error = #expect(throws: OperationsError.self) {
            try Drop(url: inbox.appendingPathComponent("2026-11-23")).sourceChecksums(config: config)
        }
        #expect(error?.exitStatus == .dropIncomplete)
        #expect("\(error!)".contains("indmeldelser.csv (not a file: a directory)"))
    }

    /// An export swapped for a named pipe (or a link to a device) after the drop's check, as
    /// the inbox's writer can: its hash refuses it at once, where a plain open waited for a
    /// writer for ever, with the run lock held (an adversarial review).
    @Test func anExportSwappedForAPipeIsRefusedNotWaitedOn() throws {
        let drop = URL(fileURLWithPath: try TestServer.temporaryDirectory())
        let source = try #require(config.sources.all.first)
        #expect(mkfifo(drop.appendingPathComponent(source.file).path, 0o600) == 0)
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<String?>(nil)
        Thread.detachNewThread {
            do { _ = try Drop.sha256(of: [source], in: drop); outcome.withLock { $0 = "read" } } catch { outcome.withLock { $0 = "\(error)" } }
            done.signal()
        }
        if done.wait(timeout: .now() + 10) == .timedOut {
            // Let the hanging open go before failing.
            let writer = open(drop.appendingPathComponent(source.file).path, O_WRONLY | O_NONBLOCK)
            close(writer)
            done.wait()
            Issue.record("the hash waited on the pipe")
        }
        #expect(outcome.withLock { $0 }?.contains("it is a named pipe") == true, "\(outcome.withLock { $0 } ?? "")")
        // A link to a device (it would be read for ever) is refused on the file opened too.
        try FileManager.default.removeItem(at: drop.appendingPathComponent(source.file))
        try FileManager.default.createSymbolicLink(atPath: drop.appendingPathComponent(source.file).path, withDestinationPath: "/dev/zero")
        let device = #expect(throws: ExtractError.self) { try Drop.sha256(of: [source], in: drop) }
        #expect("\(device.map(String.init(describing:)) ?? "")".contains("it is a device, not a file"), "\(String(describing: device))")
    }

    /// An export that changed while it was hashed, or that is no file once opened, makes its
    /// folder no drop, as one that links out does: an older drop may be whole (a re-test found
    /// the night failed instead). A file that cannot be read stops the night.
    @Test func anExportThatChangedWhileHashedMakesItsFolderNoDrop() {
        let changed = Drop.noDrop(.dropIncomplete(file: "/inbox/2026-11-22/indmeldelser.csv", detail: "it changed while it was read"))
        #expect(changed == "indmeldelser.csv (it changed while it was read)")
        #expect(Drop.noDrop(.cannotRead(path: "/inbox/x/indmeldelser.csv", message: "it is a named pipe, not a file")) == "indmeldelser.csv (it is a named pipe, not a file)")
        #expect(Drop.noDrop(.sourceOutsideDrop(file: "a.csv", drop: "/inbox/x", target: "/etc/passwd"))?.contains("leads out of the drop") == true)
        #expect(Drop.noDrop(.cannotRead(path: "/inbox/x/a.csv", message: "Permission denied")) == nil)
    }

    /// A folder whose name is not UTF-8, holds control characters, or links out of the inbox is
    /// no drop the nightly run may take, and is reported, not skipped: Foundation's listing
    /// gave a Latin-1 name as one that does not exist, an escape sequence reached the
    /// terminal and a line break forged a summary line, and a link took any folder.
    @Test func aNewerFolderThatMayNotBeTakenIsReported() throws {
        let inbox = URL(fileURLWithPath: try TestServer.temporaryDirectory())
        let elsewhere = URL(fileURLWithPath: try TestServer.temporaryDirectory())
        let all = config.sources.all.map(\.file)
        try makeDrop(inbox, "2026-11-20", files: all, manifest: all)
        for name in ["2026-11-21-latin1", "2026-11-22\u{1B}]0;x\u{7}\nrun 1 published=yes", "2026-11-24-2"] {
            try makeDrop(inbox, name, files: all, manifest: all)
        }
        let latin1 = Array(inbox.path.utf8) + Array("/2026-11-21-k".utf8) + [0xF8] + Array("benhavn".utf8)
        #expect(rename(inbox.appendingPathComponent("2026-11-21-latin1").path, latin1.map { CChar(bitPattern: $0) } + [0]) == 0)
        try makeDrop(elsewhere, "drop", files: all, manifest: all)
        try FileManager.default.createSymbolicLink(atPath: inbox.appendingPathComponent("2026-11-23").path,
                                                   withDestinationPath: elsewhere.appendingPathComponent("drop").path)

        let scan = try Drop.scan(inbox, config: config)
        #expect(scan.drop.name == "2026-11-24-2")
        try FileManager.default.createSymbolicLink(atPath: inbox.appendingPathComponent("2026-11-25").path, withDestinationPath: "2026-11-24-2")
        // A link within the inbox is a drop, read (and named) as the folder it leads to.
        #expect(try Drop.scan(inbox, config: config).drop.url.path == inbox.appendingPathComponent("2026-11-24-2").path)
        try FileManager.default.removeItem(at: inbox.appendingPathComponent("2026-11-24-2"))
        try FileManager.default.removeItem(at: inbox.appendingPathComponent("2026-11-25"))

        let refused = try Drop.scan(inbox, config: config)
        #expect(refused.drop.name == "2026-11-20")
        #expect(refused.newerIncomplete.map(\.description) == [
            "\(inbox.path)/2026-11-23: a link to a folder outside the inbox; the nightly run takes only the inbox's own drops: move the drop into the inbox, or name it with --drop",
            "\(inbox.path)/2026-11-22?]0;x??run 1 published=yes: its name holds control characters (shown as ?); rename the folder",
            "\(inbox.path)/2026-11-21-k�benhavn: its name is not UTF-8 (shown with �); rename the folder in UTF-8",
        ])

        // Thousands of stray folders are counted, not all named.
        for day in 1...15 { try makeDrop(inbox, "2026-12-\(day < 10 ? "0" : "")\(day)", files: []) }
        let error = OperationsError.newerDropsIncomplete(ran: "2026-11-20", drops: try Drop.scan(inbox, config: config).newerIncomplete)
        #expect("\(error)".contains("; and 8 more. Check the export job"), "\(error)")
        #expect(!"\(error)".contains("2026-12-05:"), "\(error)")
    }

    /// A folder swapped for another, or for a link, after the inbox was listed is told apart
    /// from the one listed: the scan that read it refuses what it read.
    @Test func anInboxEntryKnowsWhenItsFolderWasReplaced() throws {
        let inbox = URL(fileURLWithPath: try TestServer.temporaryDirectory())
        try makeDrop(inbox, "2026-11-20", files: [])
        try makeDrop(inbox, "other", files: [])
        let listed = try #require(try InboxEntry.list(inbox).first { $0.name == "2026-11-20" })
        #expect(listed.unchanged)
        try FileManager.default.moveItem(at: inbox.appendingPathComponent("2026-11-20"), to: inbox.appendingPathComponent("moved"))
        try FileManager.default.createSymbolicLink(atPath: inbox.appendingPathComponent("2026-11-20").path, withDestinationPath: "other")
        #expect(!listed.unchanged)
        try FileManager.default.removeItem(at: inbox.appendingPathComponent("2026-11-20"))
        try FileManager.default.moveItem(at: inbox.appendingPathComponent("moved"), to: inbox.appendingPathComponent("2026-11-20"))
        #expect(listed.unchanged, "the same folder again")
    }

    /// A drop without a MANIFEST is taken as it is, but from an inbox only once its files
    /// have been left alone two minutes: one still being copied is reported, not loaded.
    /// A file system's `lost+found` is no drop.
    @Test func aDropWithoutAManifestIsTakenOnceItsFilesAreLeftAlone() throws {
        let inbox = URL(fileURLWithPath: try TestServer.temporaryDirectory())
        let all = config.sources.all.map(\.file)
        try makeDrop(inbox, "2026-11-20", files: all)
        try FileManager.default.createDirectory(at: inbox.appendingPathComponent("lost+found"), withIntermediateDirectories: true)
        let copying = inbox.appendingPathComponent("2026-11-21")
        try FileManager.default.createDirectory(at: copying, withIntermediateDirectories: true)
        for file in all { try Data("x\n".utf8).write(to: copying.appendingPathComponent(file)) }

        let scan = try Drop.scan(inbox, config: config)
        #expect(scan.drop.name == "2026-11-20")
        #expect(scan.newerIncomplete.map(\.path) == [copying.path])
        #expect(scan.newerIncomplete.first?.missing.first?.hasPrefix(
            "\(all.first!) (changed 0 s ago; a drop without a MANIFEST is taken once its files have been left alone for 2 minutes)") == true,
                "\(scan.newerIncomplete)")
        #expect(try Drop.scan(inbox, config: config, now: Date(timeIntervalSinceNow: 121)).drop.name == "2026-11-21")
        // A time ahead of the clock (the export server's clock is ahead) may be a copy in progress too.
        let ahead = try Drop.scan(inbox, config: config, now: Date(timeIntervalSinceNow: -1800))
        #expect(ahead.drop.name == "2026-11-20")
        #expect(ahead.newerIncomplete.first?.missing.first?.contains("s ahead of this machine's clock (is the export server's clock ahead?)") == true,
                "\(ahead.newerIncomplete)")
    }

    /// A source file its MANIFEST does not name is checked as a drop without a MANIFEST is:
    /// one still being copied is reported, not loaded, and the run is told it is unchecked.
    @Test func aFileTheManifestDoesNotNameIsTakenOnceLeftAlone() throws {
        let inbox = URL(fileURLWithPath: try TestServer.temporaryDirectory())
        let all = config.sources.all.map(\.file)
        try makeDrop(inbox, "2026-11-20", files: all, manifest: all)
        try makeDrop(inbox, "2026-11-21", files: all, manifest: Array(all.dropLast()))
        let copying = inbox.appendingPathComponent("2026-11-21/\(all.last!)")
        try Data("x\n".utf8).write(to: copying)

        let scan = try Drop.scan(inbox, config: config)
        #expect(scan.drop.name == "2026-11-20")
        #expect(scan.drop.unlisted(config).isEmpty)
        let missing = try #require(scan.newerIncomplete.first?.missing)
        #expect(missing.count == 1 && missing[0].hasPrefix("\(all.last!) (changed ")
                && missing[0].hasSuffix(" s ago; a file its MANIFEST does not name is taken once it has been left alone for 2 minutes)"), "\(missing)")
        let later = try Drop.scan(inbox, config: config, now: Date(timeIntervalSinceNow: 121))
        #expect(later.drop.name == "2026-11-21")
        #expect(later.drop.unlisted(config) == [all.last!])
    }

    @Test func aMissingInboxOrOneWithNoCompleteDropSaysWhich() throws {
        let root = URL(fileURLWithPath: try TestServer.temporaryDirectory())
        let missing = #expect(throws: OperationsError.self) { try Drop.scan(root.appendingPathComponent("inbx"), config: config) }
        #expect(missing?.exitStatus == .dropIncomplete)
        #expect("\(missing!)".contains("inbx: the inbox does not exist; check the --inbox path"), "\(missing!)")
        try makeDrop(root, "2026-11-21", files: ["institutioner.xml"])
        let none = #expect(throws: OperationsError.self) { try Drop.scan(root, config: config) }
        #expect("\(none!)".contains("2026-11-21: socialraadgivere.csv (missing), indmeldelser.csv (missing), sagshaendelser.csv (missing)"),
                "\(none!)")
    }

    @Test func theAsOfDateComesFromTheFlagThePipelineTheExportOrTheFolder() throws {
        let inbox = URL(fileURLWithPath: try TestServer.temporaryDirectory())
        try makeDrop(inbox, "2026-11-20", files: [])
        let drop = Drop(url: inbox.appendingPathComponent("2026-11-20"))
        #expect(try AsOf.resolve(explicit: nil, config: config, drop: drop).day.iso == "2026-11-20")
        try #"<?xml version="1.0"?><Institutionsregister xmlns="urn:x" udtraeksdato="2026-11-19">"#
            .write(to: drop.url.appendingPathComponent("institutioner.xml"), atomically: true, encoding: .utf8)
        #expect(try AsOf.resolve(explicit: nil, config: config, drop: drop) == (Day(iso: "2026-11-19")!, "udtraeksdato"))
        var pinned = config
        pinned.asOf = Day(iso: "2026-01-01")
        #expect(try AsOf.resolve(explicit: nil, config: pinned, drop: drop).day.iso == "2026-01-01")
        #expect(try AsOf.resolve(explicit: Day(iso: "2025-12-31"), config: pinned, drop: drop).from == "--as-of")
    }

    /// An export date (or a folder name) after today would be the end of every open interval:
    /// refused, unless the pipeline file or the flag sets the as-of date.
    @Test func anAsOfDateAfterTodayFromTheDropIsRefused() throws {
        let inbox = URL(fileURLWithPath: try TestServer.temporaryDirectory())
        try makeDrop(inbox, "9999-12-31", files: [])
        let drop = Drop(url: inbox.appendingPathComponent("9999-12-31"))
        let error = #expect(throws: OperationsError.self) { try AsOf.resolve(explicit: nil, config: config, drop: drop) }
        #expect("\(error!)".contains("the drop folder's name says 9999-12-31, after tomorrow") && "\(error!)".contains("as_of"))
        try #"<?xml version="1.0"?><Institutionsregister xmlns="urn:x" udtraeksdato="9999-12-31">"#
            .write(to: drop.url.appendingPathComponent("institutioner.xml"), atomically: true, encoding: .utf8)
        let export = #expect(throws: OperationsError.self) { try AsOf.resolve(explicit: nil, config: config, drop: drop) }
        #expect("\(export!)".contains("udtraeksdato says 9999-12-31"))
        var pinned = config
        pinned.asOf = Day(iso: "2026-01-01")
        #expect(try AsOf.resolve(explicit: nil, config: pinned, drop: drop) == (Day(iso: "2026-01-01")!, "pipeline file"))
        let tomorrow = Day(rawValue: Int32((Date().timeIntervalSince1970 / 86400).rounded(.down)) + 1)
        try makeDrop(inbox, tomorrow.iso, files: [])
        #expect(try AsOf.resolve(explicit: nil, config: config, drop: Drop(url: inbox.appendingPathComponent(tomorrow.iso))).day == tomorrow)
        // Set by the flag or the pipeline file, up to tomorrow; after it refused, as a typo
        // (2027 for 2026) was taken and stopped every later night (an adversarial review).
        let noon = ISO8601DateFormatter().date(from: "2026-12-01T12:00:00Z")!
        #expect(try AsOf.resolve(explicit: Day(iso: "2026-12-02"), config: config, drop: drop, today: noon).day == Day(iso: "2026-12-02"))
        let typo = #expect(throws: OperationsError.self) {
            try AsOf.resolve(explicit: Day(iso: "2027-12-01"), config: config, drop: drop, today: noon)
        }
        #expect("\(typo!)".hasPrefix("the as-of date 2027-12-01 (--as-of) is after tomorrow (today is 2026-12-01, UTC;"), "\(typo!)")
        #expect(typo?.exitStatus == .usage)
        pinned.asOf = Day(iso: "2027-12-01")
        let pinnedTypo = #expect(throws: OperationsError.self) { try AsOf.resolve(explicit: nil, config: pinned, drop: drop, today: noon) }
        #expect("\(pinnedTypo!)".contains("(`as_of` in \(pinned.path)) is after tomorrow"), "\(pinnedTypo!)")
    }

    /// An export date before the evaluation window starts, where the window ends at the as-of
    /// date, is refused before any work, naming where the date came from: the drop, not the
    /// pipeline file's `window`, is what is wrong.
    @Test func anAsOfDateBeforeTheWindowFromTheDropIsRefused() throws {
        let inbox = URL(fileURLWithPath: try TestServer.temporaryDirectory())
        try makeDrop(inbox, "2026-11-20", files: [])
        let drop = Drop(url: inbox.appendingPathComponent("2026-11-20"))
        try #"<?xml version="1.0"?><Institutionsregister xmlns="urn:x" udtraeksdato="2011-01-01">"#
            .write(to: drop.url.appendingPathComponent("institutioner.xml"), atomically: true, encoding: .utf8)
        #expect(config.windowTo == nil && config.windowFrom > Day(iso: "2011-01-01")!)
        let error = #expect(throws: OperationsError.self) { try AsOf.resolve(explicit: nil, config: config, drop: drop) }
        #expect(error?.exitStatus == .usage)
        #expect("\(error!)".contains("udtraeksdato says 2011-01-01, before the evaluation window starts (\(config.windowFrom)"), "\(error!)")
        var closed = config
        closed.windowTo = Day(iso: "2020-12-31")
        #expect(try AsOf.resolve(explicit: nil, config: closed, drop: drop).day.iso == "2011-01-01")

        // A folder named as a day that does not exist is no reason to take today.
        try makeDrop(inbox, "2026-02-30", files: [])
        let typo = #expect(throws: OperationsError.self) {
            try AsOf.resolve(explicit: nil, config: config, drop: Drop(url: inbox.appendingPathComponent("2026-02-30")))
        }
        #expect("\(typo!)".contains("name 2026-02-30 has the shape of a date but names no day"), "\(typo!)")
        try makeDrop(inbox, "nat-til-mandag", files: [])
        #expect(try AsOf.resolve(explicit: nil, config: config, drop: Drop(url: inbox.appendingPathComponent("nat-til-mandag"))).from == "today")
        // A second drop of a day: its folder named by the day, and more.
        try makeDrop(inbox, "2026-11-19-2", files: [])
        let second = try AsOf.resolve(explicit: nil, config: config, drop: Drop(url: inbox.appendingPathComponent("2026-11-19-2")))
        #expect(second.day.iso == "2026-11-19" && second.from == "drop folder name")
    }

    /// Drops are taken by the day their folder is named by: a folder named otherwise (an
    /// archive, a day written day first) sorted as the newest and was loaded as today's, and
    /// every later night said "already loaded" (a new steward's trial). It is reported, as a
    /// folder that is no drop is, and the drop of the newest day is loaded.
    @Test func aFolderNotNamedByItsDayIsNoDrop() throws {
        let inbox = URL(fileURLWithPath: try TestServer.temporaryDirectory())
        let all = config.sources.all.map(\.file)
        // A copy of a day's drop sorted after its second drop by name, `-10` before `-9`, and a
        // folder sorting before the newest drop was passed over in silence (a review).
        for name in ["2026-11-20", "2026-11-21-2", "2026-11-21-9", "2026-11-21-10", "2026-11-21.bak", "2026-11-21 kopi", "2026-11-21-+11", "arkiv", "30-11-2026", "01-12-2026"] {
            try makeDrop(inbox, name, files: all)
        }
        let scan = try Drop.scan(inbox, config: config)
        #expect(scan.drop.name == "2026-11-21-10")
        #expect(Set(scan.newerIncomplete.map { ($0.path as NSString).lastPathComponent }) == ["arkiv", "30-11-2026", "01-12-2026", "2026-11-21.bak", "2026-11-21 kopi", "2026-11-21-+11"],
                "\(scan.newerIncomplete)")
        #expect(scan.newerIncomplete.allSatisfy { $0.missing == [$0.missing[0]] && $0.missing[0].contains("its name is not the day of its exports (yyyy-mm-dd") })

        // A drop of a day after tomorrow is no drop for the night: taken, it stopped every
        // night, and the older whole drop was never loaded (an adversarial review).
        let ahead = Day(rawValue: Int32((Date().timeIntervalSince1970 / 86400).rounded(.down)) + 3).iso
        try makeDrop(inbox, ahead, files: all)
        let later = try Drop.scan(inbox, config: config)
        #expect(later.drop.name == "2026-11-21-10")
        #expect(later.newerIncomplete.contains { $0.path.hasSuffix(ahead) && $0.missing.first?.contains("its folder's name says \(ahead), after tomorrow") == true },
                "\(later.newerIncomplete)")
    }
}

@Suite struct RunLockTests {
    @Test func aSecondHolderIsRefusedWithTheFirstOnesName() throws {
        let path = try TestServer.temporaryDirectory() + "/etl.lock"
        var first: RunLock? = try RunLock(path: path, holder: "etl run 1")
        let error = #expect(throws: OperationsError.self) { try RunLock(path: path, holder: "etl run 2") }
        #expect(error?.exitStatus == .locked)
        // Its pid and start, and what to do when it hangs (a new user's trial found neither).
        #expect("\(error!)".contains("etl run 1 (pid \(getpid()), since 20") && "\(error!)".contains(" UTC)")
                && "\(error!)".contains("if it hangs stop it"), "\(error!)")
        first = nil
        withExtendedLifetime(first) {}
        #expect(throws: Never.self) { try RunLock(path: path, holder: "etl run 3") }
    }
}

/// Each error type declares its own status; `ExitStatus.of` only asks it.
@Suite struct ExitStatusTests {
    /// A full disk under the warehouse says where (PostgreSQL's paths are relative to its data
    /// folder), that nothing changed, and the command to run once there is space (an
    /// adversarial review's disk-full nights gave PostgreSQL's message alone).
    @Test func aFullWarehouseDiskSaysWhereAndWhatToRun() {
        let full = PostgresError(.copy, "could not extend file \"base/16384/17153\": wrote only 4096 of 8192 bytes at block 741",
                                 sqlState: "53100", hint: "Check free disk space.")
        let failure = OperationsError.placed(full, run: RunID(rawValue: 7), step: .load, target: "embedded server in /var/lib/etl/postgres")
        let text = "\(failure)"
        #expect(text.contains("the warehouse's disk is full (embedded server in /var/lib/etl/postgres;") && text.contains("base/16384/17153")
                && text.contains("what analysts see is as it was") && text.contains("then `etl run --from load --run 7`"), "\(text)")
        #expect(failure.exitStatus == .failure)
    }

    @Test func errorsMapToTheirDocumentedStatuses() {
        let run = RunID(rawValue: 1)
        #expect(ExitStatus.of(OperationsError.locked(holder: "x", lock: "y")) == .locked)
        #expect(ExitStatus.of(OperationsError.databaseUnreachable(target: "x", message: "y")) == .databaseUnreachable)
        #expect(ExitStatus.of(ConfigFileError(path: "p", line: 1, key: "k", message: "m")) == .usage)
        #expect(ExitStatus.of(CocoaError(.fileNoSuchFile)) == .failure)
        #expect(ExitStatus.of(OperationsError.connectionLost(run: run, step: .load, target: "t", message: "m")) == .databaseUnreachable)
        #expect(ExitStatus.of(OperationsError.rejectThresholdExceeded(run: run, files: [])) == .rejectThresholdExceeded)
        #expect(ExitStatus.of(OperationsError.newerDropsIncomplete(ran: "d", drops: [])) == .dropIncomplete)
        #expect(ExitStatus.of(ExtractError.manifestRowsDiffer(file: "f", manifestLine: 1, rows: 1, manifestRows: 2)) == .dropIncomplete)
        #expect(ExitStatus.of(OperationsError.wouldReplaceNewer(run: run, asOf: Day(iso: "2026-11-20")!, published: PublishedRun(run: RunID(rawValue: 2), asOf: Day(iso: "2026-11-21")!), command: "c")) == .usage)
        #expect(ExitStatus.of(PostgresError(.connection, "server closed the connection unexpectedly")) == .databaseUnreachable)
        #expect(ExitStatus.of(PostgresError(.query, "relation does not exist", sqlState: "42P01")) == .failure)
        #expect(ExitStatus.of(ExtractError.rejectThresholdExceeded([], inputs: [])) == .rejectThresholdExceeded)
        #expect(ExitStatus.of(ExtractError.manifestUnreadable(path: "M", line: 1, message: "m")) == .dropIncomplete)
        #expect(ExitStatus.of(ExtractError.sourceMissing(file: "f", drop: "d")) == .dropIncomplete)
        #expect(ExitStatus.of(ExtractError.noHeader(file: "f")) == .failure)
        #expect(ExitStatus.of(TransformError.windowEndsBeforeStart(from: Day(rawValue: 2), to: Day(rawValue: 1))) == .usage)
        #expect(ExitStatus.of(LoadError.noLoadID) == .failure)
        #expect(ExitStatus.of(WarehouseError.noCluster(state: "s")) == .databaseUnreachable)
        #expect(ExitStatus.of(ReportError.nothingPublished) == .failure)
        #expect(Set(ExitStatus.allCases.map(\.rawValue)).count == ExitStatus.allCases.count)
    }

    /// A run's failure keeps the status of what stopped it, and its place in the run.
    @Test func aRunFailureIsTheErrorPlacedInTheRun() {
        let run = RunID(rawValue: 20261121023000123)
        let threshold = RunFailure.at(run, .extract, OperationsError.rejectThresholdExceeded(run: run, files: []))
        #expect(threshold.exitStatus == .rejectThresholdExceeded && threshold.step == .extract)
        #expect("\(threshold)" == "\(OperationsError.rejectThresholdExceeded(run: run, files: []))")
        #expect(RunFailure.at(run, .load, threshold).step == .extract, "placed once, where it happened")
        #expect(RunFailure.at(run, nil, CocoaError(.fileNoSuchFile)).exitStatus == .failure)
        #expect(RunFailure.Step(.load) == .load)
    }
}

@Suite struct LogFormatTests {
    @Test func jsonLinesAreOneObjectWithTimeLevelEventAndMetadata() throws {
        let line = ETLLogHandler.render(level: .info, message: "stage finished", metadata: ["run": "20261121", "stage": "load", "rows": "42"],
                                        format: .json)
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["event"] as? String == "stage finished")
        #expect(object["level"] as? String == "info")
        #expect(object["stage"] as? String == "load")
        #expect(object["rows"] as? Int == 42)
        #expect(object["time"] != nil)
        let text = ETLLogHandler.render(level: .warning, message: "slow", metadata: ["stage": "extract"], format: .text)
        #expect(text.contains("warning") && text.contains("[extract] slow"))
    }

    /// A text line is one line a terminal only shows: a name from outside with an escape
    /// sequence or a line break in it does not act or forge a line.
    @Test func aTextLineShowsControlCharactersAsQuestionMarks() {
        let line = ETLLogHandler.render(level: .error, message: "x/2026\u{1B}]0;t\u{7}\r\nrun 1 published=yes\u{202E}",
                                        metadata: ["drop": "d\u{9B}2J\u{202E}x\ty"], format: .text)
        #expect(line.hasSuffix("x/2026?]0;t? run 1 published=yes? drop=d?2J?x?y"), "\(line)")
    }
}

@Suite struct StageProgressTests {
    @Test func theLineShowsShareRowsPerSecondAndMegabytesPerSecond() {
        let progress = StageProgress(stage: "extract", inputBytes: 200_000_000, inputRows: 1_000_000)
        defer { progress.finish() }
        let line = progress.line(read: 100_000_000, now: Date().addingTimeInterval(2))
        #expect(line.hasPrefix("[extract]  50 %"), "\(line)")
        #expect(line.contains("rows/s") && line.contains("MB/s"), "\(line)")
        #expect(progress.line(read: 400_000_000).contains(" 99 %"), "never 100 % before the stage ends")
        #expect(StageProgress.bytesRead() > 0)
    }
}
