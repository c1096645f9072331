import Foundation
import Synchronization
import Testing
import Pipeline
import TestSupport
@testable import Report

/// The committee's report may go to a shared folder (an intranet's): nothing another user
/// put there is written through or handed the report (an adversarial review, 2026-12-01).
@Suite struct ReportWriterTests {
    @Test func aLinkAtTheReportsPlaceIsReplacedNotFollowed() throws {
        let dir = try TestServer.temporaryDirectory()
        try "precious\n".write(toFile: dir + "/victim", atomically: false, encoding: .utf8)
        chmod(dir + "/victim", 0o600)
        try FileManager.default.createSymbolicLink(atPath: dir + "/report.html", withDestinationPath: dir + "/victim")
        try ReportWriter.writeAtomically("<p>report</p>", to: dir + "/report.html", mode: nil)
        #expect(try String(contentsOfFile: dir + "/victim", encoding: .utf8) == "precious\n")
        var info = stat()
        #expect(lstat(dir + "/victim", &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(lstat(dir + "/report.html", &info) == 0 && info.st_mode & S_IFMT == S_IFREG && info.st_mode & 0o777 == 0o600)
        #expect(try String(contentsOfFile: dir + "/report.html", encoding: .utf8) == "<p>report</p>")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["report.html", "victim"], "no temporary file left")
    }

    /// While the page is written, no part of it has a name in the folder: a stop or a kill
    /// then left full and partial copies there, which no later command removed (an
    /// adversarial review). Only the whole page is named, for the moment before its rename.
    @Test func aPageBeingWrittenHasNoNameUntilItIsWhole() throws {
        let dir = try TestServer.temporaryDirectory()
        let page = String(repeating: "<p>a figure</p>\n", count: 8_000_000)   // 128 MB: long enough to be seen while written
        let whole = page.utf8.count
        let done = Atomic<Bool>(false)
        let seen = Mutex<[String]>([])
        Thread.detachNewThread {
            while !done.load(ordering: .relaxed) {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
                    var info = stat()
                    if lstat(dir + "/" + name, &info) == 0, info.st_size < whole { seen.withLock { $0.append("\(name): \(info.st_size) bytes") } }
                }
            }
        }
        try ReportWriter.writeAtomically(page, to: dir + "/report.html", mode: nil)
        done.store(true, ordering: .relaxed)
        let named = seen.withLock { $0 }
        #expect(named.count == 0, "named while written: \(named.prefix(3))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["report.html"])
    }

    /// A page a kill left under its temporary name (between naming it and the rename) goes
    /// with the next write there, once a minute old; a fresh one (a write under way), a link,
    /// and another page's are left alone.
    @Test func aTemporaryPageAKillLeftGoesWithTheNextWrite() throws {
        let dir = try TestServer.temporaryDirectory()
        let stale = ".report.html.\(UUID().uuidString).tmp", fresh = ".report.html.\(UUID().uuidString).tmp"
        let link = ".report.html.\(UUID().uuidString).tmp", other = ".other.html.\(UUID().uuidString).tmp"
        for name in [stale, fresh, other] { try "<p>half</p>".write(toFile: dir + "/" + name, atomically: false, encoding: .utf8) }
        try FileManager.default.createSymbolicLink(atPath: dir + "/" + link, withDestinationPath: dir + "/" + other)
        var old = [timeval(tv_sec: time(nil) - 3600, tv_usec: 0), timeval(tv_sec: time(nil) - 3600, tv_usec: 0)]
        for name in [stale, other] { #expect(utimes(dir + "/" + name, &old) == 0) }
        #expect(lutimes(dir + "/" + link, &old) == 0)
        try ReportWriter.writeAtomically("<p>report</p>", to: dir + "/report.html", mode: nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == [fresh, link, other, "report.html"].sorted())
    }

    /// A device, a pipe or a link to one is refused, not replaced by the page: `--out /dev/null`
    /// as root replaced the machine's (an adversarial review, on a copy of it).
    @Test func aDeviceOrAPipeAtTheReportsPlaceIsRefused() throws {
        let dir = try TestServer.temporaryDirectory()
        #expect(mkfifo(dir + "/pipe", 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: dir + "/null", withDestinationPath: "/dev/null")
        try FileManager.default.createSymbolicLink(atPath: dir + "/through", withDestinationPath: dir + "/pipe")
        for (name, what) in [("pipe", "it is a named pipe,"), ("null", "it leads to /dev/null,"), ("through", "it is a named pipe (through a link),")] {
            let error = #expect(throws: ReportError.self) { try ReportWriter.writeAtomically("<p/>", to: dir + "/" + name, mode: nil) }
            #expect("\(error!)".contains(what) && "\(error!)".contains("which the page would replace"), "\(error!)")
        }
        var info = stat()
        #expect(lstat(dir + "/pipe", &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        #expect(lstat(dir + "/null", &info) == 0 && info.st_mode & S_IFMT == S_IFLNK)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["null", "pipe", "through"], "no temporary file left")
        // A link to /proc/self/fd/1, as /dev/stdout is: a regular file when standard output is
        // redirected to one, and the link was replaced (a re-test).
        try FileManager.default.createSymbolicLink(atPath: dir + "/stdout", withDestinationPath: "/proc/self/fd/1")
        let stdout = #expect(throws: ReportError.self) { try ReportWriter.writeAtomically("<p/>", to: dir + "/stdout", mode: nil) }
        #expect("\(stdout!)".contains("it leads to /proc/self/fd/1, among the system's devices"), "\(stdout!)")
        #expect(throws: ReportError.self) { try ReportWriter.writeAtomically("<p/>", to: "/dev/stdout", mode: nil) }
    }

    /// A folder on the page's way that another user may write (not sticky) lets them replace
    /// the committee's page: refused, the folder named. A sticky shared folder is not.
    @Test func aFolderOthersMayWriteIsRefused() throws {
        let dir = try TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/shared", withIntermediateDirectories: false)
        #expect(chmod(dir + "/shared", 0o777) == 0)
        let error = try #require(#expect(throws: ReportError.self) { try ReportWriter.writeAtomically("<p/>", to: dir + "/shared/intranet/r.html", mode: nil) })
        #expect("\(error)".contains("lies in \(dir)/shared, where any user may replace the page") && "\(error)".contains("refused"), "\(error)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/shared/intranet"), "nothing made there")
        #expect(chmod(dir + "/shared", 0o1777) == 0)
        try ReportWriter.writeAtomically("<p>report</p>", to: dir + "/shared/r.html", mode: nil)
    }

    /// A link another user made on the way, or a folder of theirs, lets them choose where the
    /// page goes (root's own folder, an adversarial review) or replace it: refused.
    @Test(.enabled(if: geteuid() == 0, "needs root, to give a link and a folder to another user"))
    func aLinkOrFolderOfAnotherUserOnTheWayIsRefused() throws {
        let dir = try TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/victim", withIntermediateDirectories: false)
        try "precious\n".write(toFile: dir + "/victim/r.html", atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/shared", withIntermediateDirectories: false)
        #expect(chmod(dir + "/shared", 0o1777) == 0)
        #expect(symlink(dir + "/victim", dir + "/shared/intranet") == 0 && lchown(dir + "/shared/intranet", 65534, 65534) == 0)
        let linked = try #require(#expect(throws: ReportError.self) { try ReportWriter.writeAtomically("<p/>", to: dir + "/shared/intranet/r.html", mode: nil) })
        #expect("\(linked)".contains("who made that link") && "\(linked)".contains("refused"), "\(linked)")
        #expect(try String(contentsOfFile: dir + "/victim/r.html", encoding: .utf8) == "precious\n")

        // A link of root's own into their folder, and `..` after it: the kernel goes above the
        // link's target, into their folder (a re-test; the path tidied as text passed).
        try FileManager.default.createDirectory(atPath: dir + "/theirs/sub", withIntermediateDirectories: true)
        #expect(chown(dir + "/theirs", 65534, 65534) == 0)
        #expect(symlink(dir + "/theirs/sub", dir + "/mine") == 0)
        let above = try #require(#expect(throws: ReportError.self) { try ReportWriter.writeAtomically("<p/>", to: dir + "/mine/../r.html", mode: nil) })
        #expect("\(above)".contains("lies in \(dir)/theirs, where its owner, user nobody,"), "\(above)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/theirs/r.html"))

        #expect(unlink(dir + "/shared/intranet") == 0)
        try FileManager.default.createDirectory(atPath: dir + "/shared/intranet", withIntermediateDirectories: false)
        #expect(chmod(dir + "/shared/intranet", 0o755) == 0 && chown(dir + "/shared/intranet", 65534, 65534) == 0)
        let held = try #require(#expect(throws: ReportError.self) { try ReportWriter.writeAtomically("<p/>", to: dir + "/shared/intranet/r.html", mode: nil) })
        #expect("\(held)".contains("lies in \(dir)/shared/intranet, where its owner, user nobody,"), "\(held)")
    }

    /// Missing folders are made (an intranet folder on the first night); one that cannot be
    /// is said of the part of the path in the way, not in Foundation's words.
    @Test func aFolderThatCannotBeMadeIsSaidOfWhatIsInTheWay() throws {
        let dir = try TestServer.temporaryDirectory()
        try ReportWriter.writeAtomically("<p>report</p>", to: dir + "/new/folder/report.html", mode: nil)
        #expect(FileManager.default.fileExists(atPath: dir + "/new/folder/report.html"))
        try "x".write(toFile: dir + "/file", atomically: false, encoding: .utf8)
        let error = #expect(throws: ReportError.self) { try ReportWriter.writeAtomically("<p/>", to: dir + "/file/sub/report.html", mode: nil) }
        #expect("\(error!)".contains("cannot create the folder: \(dir)/file is a file, not a folder.") && !"\(error!)".contains("operation"),
                "\(error!)")
    }

    @Test func theModeOfTheReportReplacedIsKeptButNeverWritableByOthers() throws {
        let dir = try TestServer.temporaryDirectory()
        try ReportWriter.writeAtomically("a", to: dir + "/r.html", mode: nil)
        var info = stat()
        #expect(stat(dir + "/r.html", &info) == 0 && info.st_mode & 0o777 == 0o600, "a new report is owner-only")
        chmod(dir + "/r.html", 0o640)
        try ReportWriter.writeAtomically("b", to: dir + "/r.html", mode: nil)
        #expect(stat(dir + "/r.html", &info) == 0 && info.st_mode & 0o777 == 0o640)
        chmod(dir + "/r.html", 0o777)
        try ReportWriter.writeAtomically("c", to: dir + "/r.html", mode: nil)
        #expect(stat(dir + "/r.html", &info) == 0 && info.st_mode & 0o777 == 0o664)
    }

    /// A new `report.out` is owner-only, and the steward is told how to let a web server read
    /// it, once: a new steward's trial met a 403 on the first morning and no word why.
    @Test func aNewCommitteePageIsSaidToBeOwnerOnlyOnce() throws {
        let dir = try TestServer.temporaryDirectory()
        var config = try PipelineConfig.load(path: ReportHarness.copenhagen)
        config.report.out = "intranet/udvalg.html"
        let nightly = NightlyReport(config: config, stateRoot: URL(fileURLWithPath: dir))
        var told: [String] = []
        #expect(try nightly.writeOutPage("<p/>", told: { told.append($0) }) == dir + "/intranet/udvalg.html")
        #expect(told.count == 1 && told[0].contains("\(dir)/intranet/udvalg.html is new, and readable by its owner only") && told[0].contains("chmod 644"))
        // The folder made for it is named: a web server cannot pass an owner-only one (a review).
        #expect(told[0].contains("`chmod 755 \(dir)/intranet` (the folders etl made for it)"), "\(told)")
        _ = try nightly.writeOutPage("<p/>", told: { told.append($0) })
        #expect(told.count == 1, "said once")
    }

    @Test(.enabled(if: geteuid() == 0, "needs root, to give the old report to another user"))
    func aReportAnotherUserPutThereIsNotTheModel() throws {
        let dir = try TestServer.temporaryDirectory()
        try "theirs".write(toFile: dir + "/r.html", atomically: false, encoding: .utf8)
        #expect(chmod(dir + "/r.html", 0o666) == 0 && chown(dir + "/r.html", 65534, 65534) == 0)
        try ReportWriter.writeAtomically("ours", to: dir + "/r.html", mode: nil)
        var info = stat()
        #expect(stat(dir + "/r.html", &info) == 0 && info.st_uid == 0 && info.st_mode & 0o777 == 0o600)
    }
}
