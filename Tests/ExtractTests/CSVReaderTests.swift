import Foundation
import Pipeline
import Testing
@testable import Extract

/// Reads a CSV file from bytes; returns (line, fields, problem) per record.
func readCSV(_ bytes: [UInt8], encoding: TextEncoding = .utf8, delimiter: UInt8 = 0x3B,
             maxRecordBytes: Int = 1 << 20) throws -> [(line: Int, fields: [String], problem: String?)] {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString).csv").path
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let reader = try CSVReader(path: path, delimiter: delimiter, encoding: encoding, maxRecordBytes: maxRecordBytes)
    var out: [(Int, [String], String?)] = []
    try reader.forEachRecord { r in
        out.append((r.line, (0..<r.fieldCount).map { String(decoding: r.field($0), as: UTF8.self) }, r.problem))
    }
    return out
}

func readCSV(_ text: String, encoding: TextEncoding = .utf8) throws -> [(line: Int, fields: [String], problem: String?)] {
    try readCSV(Array(text.utf8), encoding: encoding)
}

@Suite struct CSVReaderTests {
    @Test func quotedFieldsHoldDelimitersQuotesAndLineBreaks() throws {
        let records = try readCSV("a;b;c\n\"x;y\";\"say \"\"hi\"\"\";\"two\nlines\"\nplain;;\"\"\n")
        #expect(records.map(\.fields) == [["a", "b", "c"], ["x;y", "say \"hi\"", "two\nlines"], ["plain", "", ""]])
        // Each record's physical start line: the quoted line break counts.
        #expect(records.map(\.line) == [1, 2, 4])
        #expect(records.allSatisfy { $0.problem == nil })
    }

    @Test func crlfLineEnds() throws {
        let records = try readCSV("a;b\r\n1;2\r\n\"q\r\n\";x\r\nlast;one")
        #expect(records.map(\.fields) == [["a", "b"], ["1", "2"], ["q\r\n", "x"], ["last", "one"]])
        #expect(records.map(\.line) == [1, 2, 3, 5])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let records = try readCSV([0xEF, 0xBB, 0xBF] + Array("cpr;x\n1;2\n".utf8))
        #expect(records[0].fields == ["cpr", "x"])
    }

    @Test func blankLinesAreNotRecords() throws {
        let records = try readCSV("a;b\n\n1;2\n\r\n")
        #expect(records.map(\.fields) == [["a", "b"], ["1", "2"]])
        #expect(records.map(\.line) == [1, 3])
    }

    @Test func windows1252ArrivesAsUTF8() throws {
        // "æøå ÆØÅ é €" in windows-1252.
        let bytes: [UInt8] = Array("navn\n".utf8) + [0xE6, 0xF8, 0xE5, 0x20, 0xC6, 0xD8, 0xC5, 0x20, 0xE9, 0x20, 0x80, 0x84, 0x0A]
        #expect(try readCSV(bytes, encoding: .windows1252)[1].fields == ["æøå ÆØÅ é €„"])
        // ISO-8859-1 has no € at 0x80: it is the C1 control U+0080.
        #expect(try readCSV(bytes, encoding: .latin1)[1].fields == ["æøå ÆØÅ é \u{80}\u{84}"])
    }

    @Test func invalidUTF8StopsWithItsLine() throws {
        let bytes = Array("a;b\n1;2\n".utf8) + [0x4E, 0xF8, 0x72, 0x0A]   // "Nør" in latin-1
        let error = #expect(throws: ExtractError.self) { _ = try readCSV(bytes) }
        guard case .notDeclaredEncoding(_, let line, .utf8) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(line == 3)
        #expect(error!.description.contains(":3: not the declared encoding utf-8"))
    }

    @Test func strayQuoteMakesOnlyItsRecordMalformed() throws {
        let records = try readCSV("a;b\nab\"c;d\nok;1\n\"x\"y;2\n\"fine\";3\n")
        #expect(records.count == 5)
        #expect(records[1].problem?.contains("quote inside an unquoted field") == true)
        #expect(records[2].problem == nil && records[2].fields == ["ok", "1"])
        #expect(records[3].problem?.contains("after the closing quote") == true)
        #expect(records[4].problem == nil && records[4].fields == ["fine", "3"])
    }

    @Test func unterminatedQuoteRunsToTheEndAndIsReportedAtItsStart() throws {
        let records = try readCSV("a;b\n1;2\n3;\"open\n4;5\n6;7\n")
        #expect(records.count == 3)
        #expect(records[2].line == 3)
        #expect(records[2].problem?.contains("never closed") == true)
    }

    @Test func overlongRecordIsRejectedNotBuffered() throws {
        let records = try readCSV(Array("a;b\n\"".utf8) + [UInt8](repeating: 0x41, count: 10_000) + Array("\";1\nx;y\n".utf8),
                                  maxRecordBytes: 1000)
        #expect(records.count == 3)
        #expect(records[1].problem?.contains("longer than") == true)
        #expect(records[2].fields == ["x", "y"])
    }

    /// Records, quoted line breaks and multibyte characters across the 1 MiB chunk edges.
    @Test func recordsSpanningChunksAreIntact() throws {
        var text = "n;navn;tekst\n"
        var expected: [[String]] = []
        var i = 0
        while text.utf8.count < 3 * ChunkedFile.chunkSize {
            let name = "Børnehuset Mælkebøtten \(i) €"
            let note = i % 3 == 0 ? "line one\nline \"two\"; æ" : "x"
            text += "\(i);\(name);\"\(note.replacingOccurrences(of: "\"", with: "\"\""))\"\r\n"
            expected.append(["\(i)", name, note])
            i += 1
        }
        let records = try readCSV(text)
        #expect(records.count == expected.count + 1)
        #expect(Array(records.dropFirst().map(\.fields)) == expected)
        // Lines: record k starts after k earlier records, a third of which took two lines.
        let last = records.last!
        let k = expected.count - 1
        #expect(last.line == 2 + k + (k + 2) / 3)
    }
}
