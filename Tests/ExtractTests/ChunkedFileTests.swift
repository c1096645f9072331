import Foundation
import Testing
@testable import Extract

@Suite struct ChunkedFileTests {
    /// Reads `path` ten bytes at a time, calling `meanwhile` after the first ten.
    static func read(_ path: String, meanwhile: () -> Void) throws(ExtractError) -> Int64 {
        let file = try ChunkedFile(path: path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 10, alignment: 1)
        defer { buffer.deallocate() }
        _ = try file.read(into: buffer)
        meanwhile()
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
        // Written, then dated a minute back: a change made while it is read shows whatever
        // the clock's tick (coarse on older kernels).
        func fresh() throws {
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -60)], ofItemAtPath: path)
        }
        func change(_ body: @escaping (FileHandle) throws -> Void) -> () -> Void {
            { do { let h = try FileHandle(forUpdating: URL(fileURLWithPath: path)); try body(h); try h.close() } catch { Issue.record("\(error)") } }
        }

        let changes: [(String, () -> Void)] = [
            ("cut", change { try $0.truncate(atOffset: 100) }),
            ("grown", change { try $0.seekToEnd(); try $0.write(contentsOf: Data("x;y;z;\n".utf8)) }),
            ("rewritten, same size", change { try $0.seek(toOffset: 200); try $0.write(contentsOf: Data("9".utf8)) }),
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
        var renamed: Int32 = -1
        #expect(try Self.read(path, meanwhile: { renamed = rename(replacement, path) }) == Int64(text.utf8.count))
        #expect(renamed == 0)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "other")
    }
}
