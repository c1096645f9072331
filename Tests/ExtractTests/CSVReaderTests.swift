import CSpecialBytes
import Foundation
import Pipeline
import Testing
@testable import Extract

typealias ReadRecord = (line: Int, fields: [String], problem: String?, lastLine: Int, control: Int)

/// Reads a CSV file from bytes; returns each record's lines, fields, problem and first control character.
func readCSV(_ bytes: [UInt8], encoding: TextEncoding = .utf8, delimiter: UInt8 = 0x3B,
             maxRecordBytes: Int = 1 << 20, maxFieldLines: Int = 20, chunkSize: Int = ChunkedFile.chunkSize,
             path: String = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString).csv").path) throws -> [ReadRecord] {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let reader = try CSVReader(path: path, delimiter: delimiter, encoding: encoding, maxRecordBytes: maxRecordBytes,
                               maxFieldLines: maxFieldLines, chunkSize: chunkSize)
    var out: [ReadRecord] = []
    try reader.forEachRecord { r in
        out.append((r.line, (0..<r.fieldCount).map { String(decoding: r.field($0), as: UTF8.self) }, r.problem, r.lastLine, r.control))
    }
    return out
}

func readCSV(_ text: String, encoding: TextEncoding = .utf8, maxFieldLines: Int = 20, chunkSize: Int = ChunkedFile.chunkSize) throws -> [ReadRecord] {
    try readCSV(Array(text.utf8), encoding: encoding, maxFieldLines: maxFieldLines, chunkSize: chunkSize)
}

@Suite struct CSVReaderTests {
    /// The 16- and 32-byte search finds exactly the bytes the class table marks, in every
    /// lane, for the delimiters pipelines use, with and without a C1 control in the chunk.
    @Test func theBlockSearchFindsWhatTheClassTableMarks() {
        for delimiter: UInt8 in [0x3B, 0x2C, 0x09, 0x7C] {
            for c1 in [false, true] {
                let lead: UInt8 = c1 ? 0xC2 : delimiter
                for c in (0..<256).map(UInt8.init) {
                    let special = CSVParseState.isSpecial(c, delimiter: delimiter, c1: c1)
                    for lane in 0..<32 {
                        var block = [UInt8](repeating: 0x61, count: 32)
                        block[lane] = c
                        let mask = block.withUnsafeBufferPointer { etl_special_bytes32($0.baseAddress!, delimiter, 0x22, lead) }
                        guard mask == (special ? 1 << UInt32(lane) : 0) else {
                            Issue.record("byte \(c) in lane \(lane), delimiter \(delimiter), C1 \(c1): mask \(mask)"); return
                        }
                    }
                }
            }
        }
    }

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

    /// A UTF-8 file under a windows-1252 pipeline would arrive garbled ("BÃ¸rnehuset"):
    /// refused, by its byte-order mark at once, else once the whole file proved UTF-8, even
    /// with a character cut by a chunk's end.
    @Test func utf8DeclaredWindows1252IsRefused() throws {
        let text = "navn;by\n" + String(repeating: "Børnehuset Mælkebøtten;Nørrebro\n", count: 40)
        for (bytes, evidence) in [(Array(text.utf8), "written as UTF-8"), ([0xEF, 0xBB, 0xBF] + Array(text.utf8), "byte-order mark")] {
            for chunk in [ChunkedFile.chunkSize, 7, 64] {
                let error = #expect(throws: ExtractError.self) { _ = try readCSV(bytes, encoding: .windows1252, chunkSize: chunk) }
                guard case .utf8NotDeclared(_, .windows1252, let why) = error else { Issue.record("\(String(describing: error))"); continue }
                #expect(why.contains(evidence))
            }
        }
        // ASCII only, or a real windows-1252 letter: read as declared.
        #expect(try readCSV(Array("a;b\nx;y\n".utf8), encoding: .windows1252).count == 2)
        #expect(try readCSV(Array("a;b\nB".utf8) + [0xF8] + Array("rn;y\n".utf8), encoding: .windows1252)[1].fields == ["Børn", "y"])
    }

    /// A UTF-16 export (PowerShell 5's `>`) is named as such, whatever encoding is declared.
    @Test(arguments: [[0xFF, 0xFE] as [UInt8], [0xFE, 0xFF]])
    func aUTF16FileIsNamedAsSuch(mark: [UInt8]) throws {
        let bytes = mark + Array("a;b\n".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        for encoding in [TextEncoding.utf8, .windows1252] {
            let error = #expect(throws: ExtractError.self) { _ = try readCSV(bytes, encoding: encoding) }
            guard case .wideUnicode = error else { Issue.record("\(String(describing: error))"); continue }
            #expect(error!.description.contains("the file is UTF-16") && error!.description.contains("iconv -f UTF-16 -t UTF-8"))
        }
    }

    /// UTF-16 without a byte-order mark is named as such too, with the conversion that reads
    /// it: read as text, its header quoted a CPR number split by NULs (an adversarial review).
    @Test(arguments: [false, true])
    func aUTF16FileWithoutItsMarkIsNamedAsSuch(bigEndian: Bool) throws {
        let bytes = Array("0102131234;01-01-2014;12345 €\n".utf16).flatMap { u in
            bigEndian ? [UInt8(u >> 8), UInt8(u & 0xFF)] : [UInt8(u & 0xFF), UInt8(u >> 8)]
        }
        let error = #expect(throws: ExtractError.self) { _ = try readCSV(bytes, encoding: .utf8) }
        let form = bigEndian ? "UTF-16BE" : "UTF-16LE"
        #expect(error?.description.contains("the file is \(form) (its characters are two bytes each") == true
                && error?.description.contains("iconv -f \(form) -t UTF-8") == true, "\(String(describing: error))")
        #expect(error?.description.contains("1234") == false)
    }

    /// A UTF-32 export is named as such, not as UTF-16 (its little-endian mark starts with
    /// UTF-16's; `iconv -f UTF-16` of it gave NULs: an adversarial review).
    @Test(arguments: [[0xFF, 0xFE, 0, 0] as [UInt8], [0, 0, 0xFE, 0xFF]])
    func aUTF32FileIsNamedAsSuch(mark: [UInt8]) throws {
        let bytes = mark + Array("a;b\n".unicodeScalars).flatMap { s in (0..<4).map { UInt8(truncatingIfNeeded: s.value >> (8 * $0)) } }
        let error = #expect(throws: ExtractError.self) { _ = try readCSV(bytes, encoding: .utf8) }
        #expect(error?.description.contains("the file is UTF-32 (it starts with UTF-32's byte-order mark)") == true
                && error?.description.contains("iconv -f UTF-32 -t UTF-8") == true, "\(String(describing: error))")
    }

    /// A header longer than the record limit stops the file there: a binary file of any size
    /// (a sparse one of gigabytes) is not read to its end first.
    @Test func anOverlongHeaderStopsTheReadingAtOnce() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString).csv").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(count: 64 << 20))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try CSVReader(path: path, delimiter: 0x3B, encoding: .utf8, maxRecordBytes: 1 << 20, maxFieldLines: 20, chunkSize: 1 << 20)
        let error = #expect(throws: ExtractError.self) { try reader.forEachRecord { _ in } }
        guard case .badHeader(_, _, let reason) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(reason.contains("holds NUL bytes"))
        #expect(reader.bytesRead <= 3 << 20, "read \(reader.bytesRead) bytes of 64 MiB")
    }

    /// The bytes of a UTF-8-looking sequence held back at a chunk's end are decoded with the
    /// next chunk: the decoded buffer has room for them (it overflowed by up to 3 bytes).
    @Test func heldBackBytesFitTheDecodedBuffer() throws {
        let bytes = Array("ab\nxyz".utf8) + [0xE2] + [UInt8](repeating: 0x80, count: 20) + [0x0A]
        for chunk in [7, 8, 9] {
            let records = try readCSV(bytes, encoding: .windows1252, chunkSize: chunk)
            #expect(records.map(\.fields) == [["ab"], ["xyzâ" + String(repeating: "€", count: 20)]], "chunk \(chunk)")
        }
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

    /// A quote never closed swallows every line after it: the file is refused, naming the
    /// line it opened on, wherever it is and however the file is cut into chunks.
    @Test(arguments: [1, 3, 64, ChunkedFile.chunkSize])
    func unterminatedQuoteStopsTheFileAtTheLineItOpenedOn(chunkSize: Int) throws {
        let lines = (1...60).map { "\($0);x\($0)" }
        for opened in [2, 3, 30, 59, 60] {
            for variant in ["\"open", "\"", "\"open\"\"still open", "x;\"open"] {
                for crlf in [false, true] {
                    var body = lines
                    body[opened - 2] = "\(opened);\(variant)"
                    let text = (["a;b"] + body.dropFirst(0).prefix(59)).joined(separator: crlf ? "\r\n" : "\n") + (crlf ? "\r\n" : "\n")
                    let path = FileManager.default.temporaryDirectory.appendingPathComponent("q-\(UUID().uuidString).csv").path
                    let error = #expect(throws: ExtractError.self) {
                        _ = try readCSV(Array(text.utf8), maxFieldLines: 100, chunkSize: chunkSize, path: path)
                    }
                    #expect(error == .unclosedQuote(file: path, line: opened, within: nil), "opened \(opened) \(variant)")
                    #expect(error?.description.hasPrefix("\(path):\(opened): a quoted field opened on line \(opened) is never closed") == true)
                }
            }
        }
    }

    /// A quote that closes only many lines later (a stray one further down) is refused when
    /// the field passes `maxFieldLines`; fields within it are read as they are.
    @Test func aQuotedFieldMaySpanAtMostMaxFieldLines() throws {
        func file(breaks: Int) -> String { "a;b;c\n1;\"" + String(repeating: "x\n", count: breaks) + "end\";2\n3;4;5\n" }
        for limit in [1, 2, 5, 20] {
            let within = try readCSV(file(breaks: limit - 1), maxFieldLines: limit)
            #expect(within.map(\.fields.count) == [3, 3, 3])
            #expect(within[1].line == 2 && within[1].lastLine == 2 + limit - 1 && within[2].line == 2 + limit)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("q-\(UUID().uuidString).csv").path
            let error = #expect(throws: ExtractError.self) { _ = try readCSV(Array(file(breaks: limit).utf8), maxFieldLines: limit, path: path) }
            #expect(error == .unclosedQuote(file: path, line: 2, within: limit))
            #expect(error?.description.contains("max_field_lines") == true)
        }
        // A stray quote opening a field, closed by a quote on a later line, past the limit.
        let stray = "a;b;c\n1;\"Hans;x\n" + (2...40).map { "\($0);y;z" }.joined(separator: "\n") + "\n41;\"q\";z\n"
        #expect(throws: ExtractError.unclosedQuote(file: "", line: 2, within: 20)) {
            do { _ = try readCSV(stray) } catch let ExtractError.unclosedQuote(_, line, within) { throw ExtractError.unclosedQuote(file: "", line: line, within: within) }
        }
    }

    /// Control characters (C0 but tab, LF, CR; DEL; and C1, here ISO-8859-1's 0x80–0x9F) are
    /// noted at their offset in the record, in any state of the parser; other bytes are not.
    @Test func controlCharactersAreNotedWhereverTheyAre() throws {
        for c in (0..<256).map(UInt8.init) where c != 0x3B && c != 0x22 && c != 0x0A && c != 0x0D {
            let isControl = c < 0x20 && c != 0x09 || c == 0x7F || (0x80...0x9F).contains(c)
            // Unquoted, quoted, after a closing quote, alone.
            let places = [("ab", "cd"), ("\"ab", "cd\""), ("\"ab\"", ""), ("", "")]
            var bytes = Array("h1;h2\n".utf8)
            for (prefix, suffix) in places { bytes += Array("x;\(prefix)".utf8) + [c] + Array("\(suffix)\n".utf8) }
            let records = try readCSV(bytes, encoding: .latin1)
            #expect(records.count == 1 + places.count)
            #expect(records[0].control == -1)
            for (k, (prefix, _)) in places.enumerated() {
                let expected = isControl ? 2 + prefix.utf8.filter { $0 != 0x22 }.count : -1   // after "x" and one byte
                #expect(records[1 + k].control == expected, "byte \(c) after \(prefix)")
            }
        }
        // A C1 control in UTF-8 whose two bytes fall in two chunks, wherever the cut is.
        for chunk in 4...20 {
            let split = try readCSV(Array("h1;h2\nx;ab".utf8) + [0xC2, 0x85] + Array("cd\nx;y\n".utf8), chunkSize: chunk)
            #expect(split.map(\.control) == [-1, 4, -1], "chunks of \(chunk) bytes")
        }
        // A no-break space shares a C1 control's lead byte, and is text even in a chunk that
        // holds one: unquoted, quoted, after a closing quote, as latin-1 too.
        let nbsp = try readCSV("h1;h2\nx;a\u{85}b\ny;\u{A0}z\n\"q\u{A0}\";1\n\"q\"\u{A0};2\n")
        #expect(nbsp.map(\.control) == [-1, 3, -1, -1, -1])
        #expect(nbsp[2].fields == ["y", "\u{A0}z"] && nbsp[3].fields == ["q\u{A0}", "1"])
        let latin1 = try readCSV(Array("h1;h2\nx;a".utf8) + [0x85] + Array("b\ny;".utf8) + [0xA0] + Array("z\n".utf8), encoding: .latin1)
        #expect(latin1.map(\.control) == [-1, 3, -1])
        // Only the first is noted; the next record starts clean.
        let records = try readCSV([0x61, 0x0A, 0x00, 0x01, 0x0A, 0x62, 0x0A])
        #expect(records.map(\.control) == [-1, 0, -1])
        #expect(records[1].fields == ["\u{0}\u{1}"])
    }

    @Test func overlongRecordIsRejectedNotBuffered() throws {
        let records = try readCSV(Array("a;b\n\"".utf8) + [UInt8](repeating: 0x41, count: 10_000) + Array("\";1\nx;y\n".utf8),
                                  maxRecordBytes: 1000)
        #expect(records.count == 3)
        #expect(records[1].problem?.contains("longer than") == true)
        #expect(records[2].fields == ["x", "y"])
    }

    /// A quoted field over lines is one field, whatever its lines hold, as RFC 4180 says:
    /// whether they are records a stray quote swallowed is told with the export's columns
    /// (`RecordShape`, `HostileInputTests`).
    @Test func aQuotedFieldOverLinesIsOneFieldWhateverItsLinesHold() throws {
        let text = "a;b;c;tekst\n1;2;3;\"Ring til mor\n4;5;6;x\n7;8;9;ingen svar\"\n10;11;12;\"to\nlinjer; ok\"\n"
        let records = try readCSV(text)
        #expect(records.count == 3)
        #expect(records[1].line == 2 && records[1].lastLine == 4 && records[1].problem == nil && records[1].fields[3] == "Ring til mor\n4;5;6;x\n7;8;9;ingen svar")
        #expect(records[2].problem == nil && records[2].fields == ["10", "11", "12", "to\nlinjer; ok"])
    }

    /// A line of nothing but delimiters is as long as it looks: empty fields count, so their
    /// ends cannot grow without bound (a 200 MB line of `;` took 2.3 GB, then a crash).
    @Test func aLineOfDelimitersIsTooLongToo() throws {
        let records = try readCSV(Array("a;b\n".utf8) + [UInt8](repeating: 0x3B, count: 10_000) + Array("\nx;y\n".utf8),
                                  maxRecordBytes: 1000)
        #expect(records.count == 3)
        #expect(records[1].problem?.contains("longer than") == true)
        #expect(records[1].fields.count <= 1000)
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
