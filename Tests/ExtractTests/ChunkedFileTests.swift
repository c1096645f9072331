import Foundation
import Testing
@testable import Extract

@Suite struct ChunkedFileTests {
    /// Reads `path` ten bytes at a time, calling `meanwhile` after the first ten.
    static func read(_ path: String, meanwhile: () throws -> Void) throws(ExtractError) -> Int64 {
        let file = try ChunkedFile(path: path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 10, alignment: 1)
        defer { buffer.deallocate() }
        _ = try file.read(into: buffer)
        try? meanwhile()
        while try file.read(into: buffer) > 0 {}
        return file.bytesRead
    }

    /// An export cut, grown or rewritten in place while it is read is a drop that is not
    /// whole (exit 66), whatever the MANIFEST; one left alone, or replaced by a rename (the
    /// open file is read whole as it was), is read.
    @Test func aFileChangedWhileReadIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chunked-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("indmeldelser.csv").path
        let text = String(repeating: "0101901234;101234;01-08-2015;\n", count: 20)
        func fresh() throws { try text.write(toFile: path, atomically: false, encoding: .utf8) }
        func handle() throws -> FileHandle { try FileHandle(forUpdating: URL(fileURLWithPath: path)) }

        let changes: [(String, () throws -> Void)] = [
            ("cut", { try handle().truncate(atOffset: 100) }),
            ("grown", { let h = try handle(); try h.seekToEnd(); h.write(Data("x;y;z;\n".utf8)) }),
            ("rewritten, same size", { let h = try handle(); try h.seek(toOffset: 200); h.write(Data("9".utf8)) }),
        ]
        for (what, change) in changes {
            try fresh()
            do {
                _ = try Self.read(path, meanwhile: change)
                Issue.record("\(what): read without a word")
            } catch {
                #expect(error.exitStatus == .dropIncomplete, "\(what)")
                #expect(error.description.contains("changed while it was read"), "\(what): \(error.description)")
            }
        }

        try fresh()
        #expect(try Self.read(path, meanwhile: {}) == Int64(text.utf8.count))
        try fresh()
        let replacement = dir.appendingPathComponent("new.csv").path
        try "other".write(toFile: replacement, atomically: false, encoding: .utf8)
        #expect(try Self.read(path, meanwhile: { _ = rename(replacement, path) }) == Int64(text.utf8.count))
    }
}
