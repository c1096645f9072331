import Foundation
import Testing
@testable import SyntheticDrop

@Suite struct ManifestTests {
    static func sha(_ bytes: [UInt8], chunks: Int = 1) -> String {
        var h = SHA256()
        let size = max(1, bytes.count / chunks + 1)
        var i = 0
        while i < bytes.count { h.update(Array(bytes[i..<min(bytes.count, i + size)])); i += size }
        return h.hexDigest()
    }

    @Test func sha256MatchesTheStandardVectors() {
        #expect(Self.sha([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.sha(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let two = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(Self.sha(two, chunks: 3) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let million = [UInt8](repeating: 97, count: 1_000_000)
        #expect(Self.sha(million, chunks: 7) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test(arguments: [Fixtures.clean, Fixtures.cleanOther, Fixtures.dirty, Fixtures.dirtyOther])
    func manifestMatchesTheFiles(drop: Generated) throws {
        let text = String(decoding: try drop.bytes("MANIFEST"), as: UTF8.self)
        #expect(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n").map(String.init)
        let read = try drop.read()
        #expect(lines.count == 4)
        #expect(lines.map { String($0.split(separator: " ").last!) } == drop.options.variant.layout.files.map(\.name))
        for (line, file) in zip(lines, drop.summary.files) {
            let parts = line.components(separatedBy: "  ")
            try #require(parts.count == 3, "not `sha256  rows  filename`: \(line)")
            let (sum, rows, name) = (parts[0], Int(parts[1]), parts[2])
            #expect(sum.count == 64 && sum.allSatisfy { "0123456789abcdef".contains($0) })
            #expect(sum == Self.sha(try drop.bytes(name), chunks: 5), "\(name) checksum")
            #expect(rows == read.rows[name], "\(name) rows")
            #expect(file == .init(name: name, rows: rows!, bytes: try drop.bytes(name).count, sha256: sum))
        }
        // And as the standard tool sees it, when the machine has one.
        let tool = URL(fileURLWithPath: "/usr/bin/sha256sum")
        if FileManager.default.isExecutableFile(atPath: tool.path) {
            let p = Process()
            p.executableURL = tool
            p.currentDirectoryURL = drop.directory
            p.arguments = drop.summary.files.map(\.name)
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(printed.split(separator: "\n").map { $0.split(separator: " ").first! } ==
                    lines.map { $0.split(separator: " ").first! })
        }
    }
}
