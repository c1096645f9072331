import Foundation
import Pipeline
import Testing
@testable import Extract

/// Random tables written as RFC 4180 CSV and read back with tiny chunks, so that every kind
/// of byte (delimiter, quote, CR, LF, a byte of a multibyte character) falls on a chunk edge.
@Suite struct CSVRoundTripTests {
    struct Rng {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
    }

    /// With a C1 control (U+0085) and a letter that shares its lead byte (U+00A0), and longer
    /// plain runs, so that the parser's 32-byte blocks meet every kind of byte at every offset.
    static let pieces = ["a", "B", "1", " ", ";", "\"", "\n", "\r\n", "æ", "€", "😀", "\t", "\\", "\"\"", "x;y", "\u{0}", "\u{1B}",
                         "\u{85}", "\u{A0}", "Børnehaven", "0123456789abcdef"]

    func table(_ rng: inout Rng) -> [[String]] {
        let columns = 1 + rng.next(5)
        return (0..<(1 + rng.next(30))).map { _ in
            (0..<columns).map { _ in (0..<rng.next(6)).map { _ in Self.pieces[rng.next(Self.pieces.count)] }.joined() }
        }
    }

    func csv(_ rows: [[String]], crlf: Bool) -> (text: String, lines: [Int]) {
        var text = "", lines: [Int] = [], line = 1
        for row in rows {
            lines.append(line)
            let fields = row.map { f -> String in
                // Bytes, not Characters: "\r\n" is one Character in Swift.
                let quote = f.isEmpty && row.count == 1 || f.utf8.contains { [0x3B, 0x22, 0x0A, 0x0D].contains($0) }
                return quote ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
            }
            let record = fields.joined(separator: ";") + (crlf ? "\r\n" : "\n")
            line += record.utf8.filter { $0 == 0x0A }.count
            text += record
        }
        return (text, lines)
    }

    @Test(arguments: [1, 2, 3, 5, 64, 4096])
    func randomTablesSurviveAnyChunking(chunkSize: Int) throws {
        var rng = Rng(state: UInt64(chunkSize))
        for round in 0..<40 {
            let rows = table(&rng)
            let (text, lines) = csv(rows, crlf: round % 2 == 0)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("rt-\(UUID().uuidString).csv").path
            _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let reader = try CSVReader(path: path, delimiter: 0x3B, encoding: .utf8, chunkSize: chunkSize)
            var read: [[String]] = [], readLines: [Int] = [], controls: [Int] = [], lastLines: [Int] = []
            try reader.forEachRecord { r in
                #expect(r.problem == nil)
                read.append((0..<r.fieldCount).map { String(decoding: r.field($0), as: UTF8.self) })
                readLines.append(r.line)
                lastLines.append(r.lastLine)
                controls.append(r.control)
            }
            // (A row of one empty field is written `""`: unquoted, it would be a blank line.)
            #expect(read == rows, "round \(round)")
            #expect(readLines == lines, "round \(round)")
            #expect(lastLines == lines.dropFirst().map { $0 - 1 } + [lines.last.map { _ in text.utf8.filter { $0 == 0x0A }.count } ?? 0])
            // The first control character's offset in the record's bytes, fields one byte apart.
            #expect(controls == rows.map { row in
                let b = Array(row.joined(separator: ";").utf8)
                return b.indices.first { b[$0] == 0 || b[$0] == 0x1B || (b[$0] == 0xC2 && $0 + 1 < b.count && b[$0 + 1] == 0x85) } ?? -1
            }, "round \(round)")
            #expect(reader.sha256 == (try ChunkedFile.digest(path: path).sha256))
        }
    }

    @Test(arguments: [1, 2, 3, 4, 7])
    func invalidUTF8IsFoundWithItsLineAtAnyChunking(chunkSize: Int) throws {
        // A quoted field spans lines 3–4; line 5 is "Nør" in latin-1.
        let bytes = Array("a;b\n1;€\n\"x\ny\";2\n".utf8) + [0x4E, 0xF8, 0x72, 0x0A]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).csv").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try CSVReader(path: path, delimiter: 0x3B, encoding: .utf8, chunkSize: chunkSize)
        #expect(throws: ExtractError.notDeclaredEncoding(file: path, line: 5, encoding: .utf8)) {
            try reader.forEachRecord { _ in }
        }
    }
}
