import Foundation
import Pipeline
import Testing
@testable import SyntheticDrop

@Suite struct ManifestTests {
    static func sha(_ bytes: [UInt8]) -> String {
        var sum = SHA256Sum()
        sum.update(bytes)
        return sum.hex()
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
            #expect(sum == Self.sha(try drop.bytes(name)), "\(name) checksum")
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
