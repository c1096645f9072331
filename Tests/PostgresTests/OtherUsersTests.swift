import Foundation
import Testing
import TestSupport
@testable import Postgres

/// What another local user could slip in around the embedded server (an adversarial review,
/// 2026-12-01): a folder or link of theirs where the server's folder goes, a link where the
/// tool writes, the tool's environment.
@Suite struct OtherUsersTests {
    @Test func aServerFolderThatIsALinkIsRefusedAndWhatItPointsToIsLeftAlone() throws {
        let root = try TestServer.temporaryDirectory()
        let elsewhere = root + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: false)
        chmod(elsewhere, 0o755)
        try FileManager.default.createSymbolicLink(atPath: root + "/postgres", withDestinationPath: elsewhere)
        let error = #expect(throws: PostgresError.self) { try EmbeddedServer(directory: root + "/postgres").start() }
        #expect(error?.message.contains("symbolic link") == true, "\(String(describing: error))")
        var info = stat()
        #expect(stat(elsewhere, &info) == 0 && info.st_uid == geteuid() && info.st_mode & 0o777 == 0o755)
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
    }

    @Test(.enabled(if: geteuid() == 0, "needs root, to give a folder to another user"))
    func aServerFolderOrStateFolderOfAnotherUserIsRefused() throws {
        let root = try TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: root + "/a/postgres", withIntermediateDirectories: true)
        #expect(chown(root + "/a/postgres", 65534, 65534) == 0)
        #expect(throws: PostgresError.self) { try EmbeddedServer(directory: root + "/a/postgres").start() }

        try FileManager.default.createDirectory(atPath: root + "/b", withIntermediateDirectories: true)
        #expect(chown(root + "/b", 65534, 65534) == 0)
        let error = #expect(throws: PostgresError.self) { try EmbeddedServer(directory: root + "/b/postgres").start() }
        #expect(error?.message.contains("belongs to another user") == true, "\(String(describing: error))")
    }

    /// Opening another user's directory (o+x) would open their files to everyone.
    @Test(.enabled(if: geteuid() == 0, "needs root: only then does the server run as another account"))
    func anotherUsersDirectoryIsNotOpenedForTheServer() throws {
        let root = try TestServer.temporaryDirectory()
        let home = root + "/home"
        try FileManager.default.createDirectory(atPath: home + "/state", withIntermediateDirectories: true)
        #expect(chown(home, 65534, 65534) == 0 && chmod(home, 0o700) == 0)
        let error = #expect(throws: PostgresError.self) { try EmbeddedServer(directory: home + "/state/postgres").start() }
        #expect(error?.message.contains("belongs to another user") == true, "\(String(describing: error))")
        var info = stat()
        #expect(stat(home, &info) == 0 && info.st_mode & 0o777 == 0o700)
    }

    @Test func filesInTheServerFolderAreNotWrittenThroughALink() throws {
        let root = try TestServer.temporaryDirectory()
        try "precious\n".write(toFile: root + "/victim", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/embedded.conf", withDestinationPath: root + "/victim")
        #expect(link(root + "/victim", root + "/pg_hba.conf") == 0)
        try ServerAccount.write("port = 1\n", to: root + "/embedded.conf", account: nil)
        try ServerAccount.write("local all all reject\n", to: root + "/pg_hba.conf", account: nil)
        #expect(try String(contentsOfFile: root + "/victim", encoding: .utf8) == "precious\n")
        #expect(try String(contentsOfFile: root + "/embedded.conf", encoding: .utf8) == "port = 1\n")
        var info = stat()
        #expect(lstat(root + "/embedded.conf", &info) == 0 && info.st_mode & S_IFMT == S_IFREG)
        // Appending is never done through a link either.
        try FileManager.default.createSymbolicLink(atPath: root + "/postgresql.conf", withDestinationPath: root + "/victim")
        #expect(throws: PostgresError.self) { try ServerAccount.write("x\n", to: root + "/postgresql.conf", appending: true, account: nil) }
        #expect(try String(contentsOfFile: root + "/victim", encoding: .utf8) == "precious\n")
        try ServerAccount.write("port = 1\n", to: root + "/settings", account: nil)
        try ServerAccount.write("port = 2\n", to: root + "/settings", appending: true, account: nil)
        #expect(try String(contentsOfFile: root + "/settings", encoding: .utf8) == "port = 1\nport = 2\n")
    }

    /// The key and passwords in the caller's environment would stay in a server's for as long
    /// as it runs, where its account reads them.
    @Test func serverProgramsGetNoneOfTheCallersSecrets() throws {
        setenv("ETL_OTHER_USERS_TEST_SECRET", "do-not-pass-me-on", 1)
        defer { unsetenv("ETL_OTHER_USERS_TEST_SECRET") }
        let result = try Subprocess.run("/usr/bin/env", [])
        #expect(result.status == 0)
        #expect(!result.output.contains("do-not-pass-me-on"))
        #expect(result.output.contains("LC_ALL=C") && result.output.contains("PATH="))
        let names = result.output.split(separator: "\n").compactMap { $0.split(separator: "=").first.map(String.init) }
        #expect(Set(names).subtracting(Subprocess.passedOn.union(["LC_ALL"])).isEmpty, "\(names)")
    }

    /// What server programs print goes to a file that has no name while they run: a killed
    /// etl left `etl-postgres-*.out` files in the temporary folder (a review).
    @Test func serverProgramsWriteToAFileWithoutAName() throws {
        let result = try Subprocess.run("/bin/sh", ["-c", "readlink /proc/self/fd/1"])
        #expect(result.status == 0 && result.output.contains("etl-postgres-") && result.output.hasSuffix("(deleted)"), "\(result.output)")
    }
}
