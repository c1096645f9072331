import Foundation
import Testing
@testable import SyntheticDrop

@Suite struct OutputFileTests {
    /// An export is made anew, owner-only whatever the umask, never through a link found at its
    /// name. (The review's race, a link put there between the export's making and its opening,
    /// has no window now: it is written through the descriptor that made it.)
    @Test func anExportIsMadeAnewAndOwnerOnly() throws {
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
