import Foundation
import Testing
@testable import Pipeline

@Suite struct XXH128SumTests {
    /// The digests `xxh128sum` (Debian's xxhash 0.8.1) prints for the same bytes: short input,
    /// empty input, and input long enough for XXH3's striped path.
    @Test func readsAsXXH128SumPrintsIt() throws {
        func sum(_ text: String) -> String {
            var s = XXH128Sum()
            Array(text.utf8).withUnsafeBytes { s.update($0) }
            return s.hex()
        }
        #expect(sum("") == "99aa06d3014798d86001c324468d497f")
        #expect(sum("abc") == "06b05ab6733a618578af5f94892f3950")
        #expect(sum(String(repeating: "x", count: 300_000)) == "2e523d36bd31644506fe7c0f19bb18bf")
    }

    /// A file read in chunks, and bytes given in uneven pieces, sum as the bytes at once.
    @Test func piecesSumAsTheWhole() throws {
        let bytes = (0..<3_000_001).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("xxh128-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var whole = XXH128Sum(), pieces = XXH128Sum()
        bytes.withUnsafeBytes { b in
            whole.update(b)
            var at = 0, step = 1
            while at < b.count {
                let end = min(at + step, b.count)
                pieces.update(UnsafeRawBufferPointer(rebasing: b[at..<end]))
                at = end; step = step * 3 + 1
            }
        }
        #expect(pieces.hex() == whole.hex())
        #expect(try XXH128Sum.file(path) == whole.hex())
        #expect(throws: StageFileError.self) { try XXH128Sum.file(path + ".missing") }
    }
}

@Suite struct FileChunksTests {
    /// A named pipe or a device in a file's place is refused at once, not waited on (a pipe
    /// no one writes to) or read for ever (`/dev/zero`).
    @Test func onlyARegularFileIsRead() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chunks-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(mkfifo(folder + "/pipe", 0o600) == 0)
        for path in [folder + "/pipe", "/dev/zero", folder] {
            let error = #expect(throws: StageFileError.self) { try FileChunks.forEach(in: path) { _ in } }
            #expect(error?.message.contains("not a regular file") == true, "\(path): \(String(describing: error))")
        }
    }
}
