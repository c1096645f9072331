import Foundation
import Testing
@testable import SyntheticDrop

@Suite struct OutputFileTests {
    /// An export is made anew, never written through a link found at its name: a link another
    /// user put there was followed, and the user's own file overwritten (a review).
    @Test func aLinkAtAnExportsNameIsReplacedNotFollowed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outputfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let victim = folder.appendingPathComponent("victim.txt")
        try "mine".write(to: victim, atomically: true, encoding: .utf8)
        let name = folder.appendingPathComponent("institutioner.xml")
        #expect(symlink(victim.path, name.path) == 0)
        let file = try OutputFile(directory: folder, name: "institutioner.xml", encoding: .utf8)
        file.buffer = Array("<x/>".utf8)
        _ = try file.finish()
        #expect(try String(contentsOf: victim, encoding: .utf8) == "mine")
        var info = stat()
        #expect(lstat(name.path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG && info.st_mode & 0o077 == 0)
        #expect(try String(contentsOf: name, encoding: .utf8) == "<x/>")
    }
}
