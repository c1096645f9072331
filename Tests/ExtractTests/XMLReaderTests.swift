import Foundation
import Pipeline
import Testing
@testable import Extract

func readXML(_ text: String, element: String = "Institution", names: [String] = ["nummer", "Navn", "Pladser"],
             maxTokenBytes: Int = 16 << 20) throws -> (records: [(line: Int, values: [String?])], exportDate: Day?) {
    let (records, date) = try readXMLRecords(text, element: element, names: names, maxTokenBytes: maxTokenBytes)
    return (records.map { ($0.line, $0.values) }, date)
}

/// Each record with why it cannot be read, when it cannot.
func readXMLRecords(_ text: String, element: String = "Institution", names: [String] = ["nummer", "Navn", "Pladser"],
                    descriptive: Set<Int> = [], maxTokenBytes: Int = 16 << 20)
    throws -> (records: [(line: Int, values: [String?], problem: String?)], exportDate: Day?) {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("xml-\(UUID().uuidString).xml").path
    _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let reader = try XMLRecordReader(path: path, recordElement: element, names: names, descriptive: descriptive, encoding: nil,
                                     maxTokenBytes: maxTokenBytes)
    var out: [(Int, [String?], String?)] = []
    try reader.forEachRecord { r in
        out.append((r.line, names.indices.map { i in r.value(i).map { String(decoding: $0, as: UTF8.self) } }, r.problem?.message))
    }
    return (out, reader.exportDate)
}

@Suite struct XMLReaderTests {
    @Test func readsAttributesAndChildTextsByLocalName() throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <r:Register xmlns:r="urn:dk:kk:dagtilbud:institutioner:7" udtraeksdato="2026-11-21">
          <r:Institution nummer="1"><r:Navn>Børnehuset &amp; co</r:Navn><r:Pladser> 48 </r:Pladser></r:Institution>
          <Group><Institution xmlns="urn:other:2" nummer="2"><Navn><![CDATA[A<b>]]></Navn><Pladser/></Institution></Group>
        </r:Register>
        """
        let (records, date) = try readXML(xml)
        #expect(date == Day(year: 2026, month: 11, day: 21))
        #expect(records.map(\.line) == [1, 2])
        #expect(records[0].values == ["1", "Børnehuset & co", "48"])
        #expect(records[1].values == ["2", "A<b>", nil])
    }

    /// A field given twice in a record with different values (two elements, or an attribute
    /// and an element) rejects the record, as a column named twice refuses a CSV export:
    /// which one is meant, nothing says. The same value twice is one value.
    @Test func aFieldGivenTwiceWithDifferentValuesRejectsItsRecord() throws {
        let xml = """
        <Register>
          <Institution nummer="1"><Navn>A</Navn><Navn>B</Navn></Institution>
          <Institution nummer="2"><nummer>3</nummer><Navn>C</Navn></Institution>
          <Institution nummer="4"><Navn>D</Navn><Navn> D </Navn><nummer>4</nummer></Institution>
        </Register>
        """
        let (records, _) = try readXMLRecords(xml)
        #expect(records.map(\.problem) == ["Navn is given twice, with different values: which is meant?",
                                           "nummer is given twice, with different values: which is meant?", nil])
        #expect(records[2].values == ["4", "D", nil])
        // A field that only describes its record keeps its first value (a register may repeat
        // `<Type>`): rejecting the institution would reject its enrolments too.
        let (described, _) = try readXMLRecords(xml, descriptive: [1])
        #expect(described.map(\.problem) == [nil, "nummer is given twice, with different values: which is meant?", nil])
        #expect(described[0].values == ["1", "A", nil])
        // ... and is counted for the steward's warning (an adversarial review found `<Kilde>`
        // twice loaded silently); the same value twice is no second value.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("xml-\(UUID().uuidString).xml").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(xml.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try XMLRecordReader(path: path, recordElement: "Institution", names: ["nummer", "Navn", "Pladser"],
                                         descriptive: [1], encoding: nil)
        try reader.forEachRecord { _ in }
        #expect(reader.secondDropped.records == 1 && reader.secondDropped.first == "Navn")
    }

    /// Markup inside a field that identifies or dates its record rejects it: which text is
    /// meant, nothing says. In a field that only describes it, all the text inside is read
    /// (`<Bydel><span>Valby</span></Bydel>` is Valby) and counted: an adversarial review found
    /// such a district loaded empty without a word, and a review of the fix an institution
    /// rejected, with its enrolments. Comments and CDATA are no such markup.
    @Test func anElementInsideAFieldRejectsItsRecordOrIsReadAsItsText() throws {
        let xml = """
        <Register>
          <Institution nummer="1"><Navn>Børnehaven <b>Søstjernen</b></Navn></Institution>
          <Institution nummer="2"><Pladser><x:n xmlns:x="urn:y">4</x:n>8</Pladser></Institution>
          <Institution nummer="3"><Navn>A<!-- c --><![CDATA[<b>]]></Navn><Bydel><span>V</span></Bydel></Institution>
        </Register>
        """
        let (records, _) = try readXMLRecords(xml)
        #expect(records.map(\.problem) == ["Navn holds an element <b>: which of its texts is meant, nothing says; a field is plain text",
                                           "Pladser holds an element <n>: which of its texts is meant, nothing says; a field is plain text", nil])
        #expect(records[2].values == ["3", "A<b>", nil])

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("xml-\(UUID().uuidString).xml").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(xml.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try XMLRecordReader(path: path, recordElement: "Institution", names: ["nummer", "Navn", "Pladser"], descriptive: [1], encoding: nil)
        var read: [(values: [String?], problem: String?)] = []
        try reader.forEachRecord { r in read.append(((0..<3).map { i in r.value(i).map { String(decoding: $0, as: UTF8.self) } }, r.problem?.message)) }
        #expect(read.map(\.problem) == [nil, "Pladser holds an element <n>: which of its texts is meant, nothing says; a field is plain text", nil])
        #expect(read[0].values == ["1", "Børnehaven Søstjernen", nil])
        #expect(reader.markupRead.records == 1 && reader.markupRead.first?.field == "Navn" && reader.markupRead.first?.element == "b")
    }

    /// A comment or tag that runs on for megabytes is refused once it passes the limit, naming
    /// its line, instead of being parsed again with each chunk (quadratic); as much text
    /// spread over ordinary records is read as usual. (Expat hands out text and CDATA as it
    /// comes: they are no such token.)
    @Test func refusesATokenThatRunsOnForMegabytes() throws {
        let filler = String(repeating: "x", count: 3 << 20)
        let records = (1...40_000).map { "<Institution nummer=\"\($0)\"><Navn>\(String(repeating: "n", count: 60))</Navn></Institution>" }
        let ordinary = "<r>\n" + records.joined(separator: "\n") + "\n</r>\n"
        #expect(ordinary.utf8.count > 3 << 20)
        #expect(try readXML(ordinary, maxTokenBytes: 1 << 20).records.count == 40_000)
        for token in ["<!-- \(filler) -->", "<Navn a=\"\(filler)\"/>"] {
            let xml = "<r>\n<Institution nummer=\"1\"/>\n\(token)\n</r>\n"
            let error = #expect(throws: ExtractError.self, "\(token.prefix(12))") { try readXML(xml, maxTokenBytes: 1 << 20) }
            guard case .xmlTokenTooLong(_, let line, let limit) = error else { Issue.record("\(String(describing: error))"); continue }
            #expect(line == 3 && limit == 1 << 20)
        }
    }

    /// Ten million nested elements took 1.45 GB: nesting deeper than any export stops the
    /// file at its line; a few levels around the records are read as usual.
    @Test func refusesNestingDeeperThanAnyExport() throws {
        let deep = "<r>\n<Institution nummer=\"1\"/>\n" + String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300) + "</r>"
        let error = #expect(throws: ExtractError.self) { try readXML(deep) }
        guard case .xmlTooDeep(_, let line, _, let limit) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(line == 3 && limit == 256)
        let shallow = "<r><g><h><Institution nummer=\"1\"/></h></g></r>"
        #expect(try readXML(shallow).records.count == 1)
    }

    @Test func refusesXXE() throws {
        let xml = """
        <?xml version="1.0"?>
        <!DOCTYPE r [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
        <r><Institution nummer="&xxe;"/></r>
        """
        let error = #expect(throws: ExtractError.self) { _ = try readXML(xml) }
        guard case .xmlRefused(_, let line, _, let what) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(line == 2 && what.contains("DOCTYPE"))
    }

    @Test func refusesBillionLaughs() throws {
        var xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
        for i in 1...9 { xml += " <!ENTITY lol\(i) \"" + String(repeating: "&lol\(i == 1 ? "" : String(i - 1));", count: 10) + "\">\n" }
        xml += "]>\n<lolz><Institution nummer=\"&lol9;\"/></lolz>\n"
        let error = #expect(throws: ExtractError.self) { _ = try readXML(xml) }
        guard case .xmlRefused = error else { Issue.record("\(String(describing: error))"); return }
        #expect(error!.description.contains("never processed"))
    }

    @Test func undeclaredEntityIsNotWellFormed() throws {
        let error = #expect(throws: ExtractError.self) { _ = try readXML("<r><Institution nummer=\"&x;\"/></r>") }
        guard case .xmlNotWellFormed = error else { Issue.record("\(String(describing: error))"); return }
    }

    @Test func truncatedFileIsRefusedWithItsPosition() throws {
        let xml = Sample.institutionsXML
        let cut = String(xml.prefix(xml.count - 60))   // inside the second institution
        let error = #expect(throws: ExtractError.self) { _ = try readXML(cut) }
        guard case .xmlNotWellFormed(_, let line, let column, _) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(line >= 15 && column >= 1)
        #expect(error!.description.contains(":\(line):\(column): XML not well formed"))
    }

    /// Not ISO, or a year 0 (which PostgreSQL has not): refused, naming the file.
    @Test(arguments: ["21-11-2026", "0000-01-01"])
    func badExportDateIsRefused(date: String) throws {
        let error = #expect(throws: ExtractError.self) { _ = try readXML("<?xml version=\"1.0\"?>\n<r udtraeksdato=\"\(date)\"/>") }
        guard case .badExportDate(_, let line, let text, let problem) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(line == 2 && text == date && problem.contains("yyyy-mm-dd"))
        #expect(try readXML("<r udtraeksdato=\"9999-12-31\"/>").exportDate == Day(year: 9999, month: 12, day: 31), "read; refused as the as-of date")
    }

    /// A date-time is named as one: its clock was quoted as a masked CPR number (`230000-****`).
    @Test func anExportDateWithATimeIsSaidToHaveOne() throws {
        let error = #expect(throws: ExtractError.self) { _ = try readXML("<r udtraeksdato=\"2026-11-21T23:00:00+01:00\"/>") }
        guard case .badExportDate(_, _, let text, let problem) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(text == "2026-11-21T…" && problem.contains("has a time after its date"), "\(problem)")
        let spaced = #expect(throws: ExtractError.self) { _ = try readXML("<r udtraeksdato=\"2026-11-21 23:00:00\"/>") }
        guard case .badExportDate(_, _, "2026-11-21 …", _) = spaced else { Issue.record("\(String(describing: spaced))"); return }
    }

    /// UTF-32, which expat cannot read, is named as such (it said "invalid token").
    @Test func aUTF32DocumentIsNamedAsSuch() throws {
        let bytes: [UInt8] = [0xFF, 0xFE, 0, 0] + Array("<r/>".unicodeScalars).flatMap { s in (0..<4).map { UInt8(truncatingIfNeeded: s.value >> (8 * $0)) } }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("xml-\(UUID().uuidString).xml").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try XMLRecordReader(path: path, recordElement: "Institution", names: ["nummer"], encoding: nil)
        let error = #expect(throws: ExtractError.self) { try reader.forEachRecord { _ in } }
        #expect(error == .wideUnicode(file: path, form: "UTF-32"), "\(String(describing: error))")
    }

    @Test func windows1252DeclaredByTheDocument() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("xml-\(UUID().uuidString).xml").path
        let bytes = Array("<?xml version=\"1.0\" encoding=\"windows-1252\"?><r><Institution nummer=\"1\"><Navn>".utf8)
            + [0xE6, 0xF8, 0xE5, 0x20, 0x80] + Array("</Navn></Institution></r>".utf8)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try XMLRecordReader(path: path, recordElement: "Institution", names: ["nummer", "Navn"], encoding: nil)
        var names: [String] = []
        try reader.forEachRecord { names.append(String(decoding: $0.value(1)!, as: UTF8.self)) }
        #expect(names == ["æøå €"])
    }

    /// windows-1252 imposed by the pipeline on a register that is UTF-8 after all (the export
    /// job changed) would load "BÃ¸rnegÃ¥rden": refused as a CSV is; a real one is read.
    @Test func aSingleByteEncodingImposedOnUTF8IsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("xml-\(UUID().uuidString).xml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        func read(_ bytes: [UInt8]) throws -> [String] {
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            let reader = try XMLRecordReader(path: path, recordElement: "Institution", names: ["nummer", "Navn"], encoding: .windows1252)
            var names: [String] = []
            try reader.forEachRecord { names.append(String(decoding: $0.value(1)!, as: UTF8.self)) }
            return names
        }
        let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><r><Institution nummer=\"1\"><Navn>Børnegården</Navn></Institution></r>"
        for (bytes, evidence) in [(Array(text.utf8), "written as UTF-8"), ([0xEF, 0xBB, 0xBF] + Array(text.utf8), "byte-order mark")] {
            let error = #expect(throws: ExtractError.self) { _ = try read(bytes) }
            guard case .utf8NotDeclared(_, .windows1252, let why) = error else { Issue.record("\(String(describing: error))"); continue }
            #expect(why.contains(evidence))
        }
        #expect(try read(Array(text.replacingOccurrences(of: "ø", with: "o").replacingOccurrences(of: "å", with: "a").utf8)) == ["Bornegarden"])
        #expect(try read(Array("<r><Institution nummer=\"1\"><Navn>B".utf8) + [0xF8] + Array("rn</Navn></Institution></r>".utf8)) == ["Børn"])
    }

    /// The same when the document's own declaration names the single-byte encoding (the export
    /// job changed to UTF-8 and kept its old header): windows-1252 loaded "BÃ¸rnehaven", and
    /// ISO-8859-1 rejected every name for C1 control characters (an adversarial review). A file
    /// that is what it declares is read.
    @Test func aDeclaredSingleByteEncodingOnUTF8IsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("xml-\(UUID().uuidString).xml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        func read(_ bytes: [UInt8]) throws -> [String] {
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            let reader = try XMLRecordReader(path: path, recordElement: "Institution", names: ["nummer", "Navn"], encoding: nil)
            var names: [String] = []
            try reader.forEachRecord { names.append(String(decoding: $0.value(1)!, as: UTF8.self)) }
            return names
        }
        for declared in ["windows-1252", "ISO-8859-1"] {
            let text = "<?xml version=\"1.0\" encoding='\(declared)'?>\n<r><Institution nummer=\"1\"><Navn>Børnehaven</Navn></Institution></r>"
            let error = #expect(throws: ExtractError.self) { _ = try read(Array(text.utf8)) }
            guard case .utf8UnderDeclaration(_, declared, let why) = error else { Issue.record("\(String(describing: error))"); continue }
            #expect(why.contains("written as UTF-8"))
            #expect("\(error!)".contains("its XML declaration says encoding=\"\(declared)\", but the file is UTF-8"), "\(error!)")
            // Written in what it declares, it is read.
            let head = Array("<?xml version=\"1.0\" encoding='\(declared)'?>\n<r><Institution nummer=\"1\"><Navn>B".utf8)
            #expect(try read(head + [0xF8] + Array("rnehaven</Navn></Institution></r>".utf8)) == ["Børnehaven"])
        }
        #expect(try read(Array("<?xml version=\"1.0\" encoding=\"utf-8\"?><r><Institution nummer=\"1\"><Navn>Børnehaven</Navn></Institution></r>".utf8))
                == ["Børnehaven"])
    }

    /// The declared encoding, read by hand: quotes of either kind, white space around `=`, a
    /// byte-order mark before; UTF-8 and UTF-16 (which expat tells from the bytes) and none are nil.
    @Test func theDeclaredEncodingIsReadAsXMLWritesIt() {
        func declared(_ text: String, bom: Bool = false) -> String? {
            ((bom ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8)).withUnsafeBytes { XMLRecordReader.declaredSingleByteEncoding($0) }
        }
        #expect(declared("<?xml version=\"1.0\" encoding=\"windows-1252\"?><r/>") == "windows-1252")
        #expect(declared("<?xml version='1.0' encoding = 'ISO-8859-1' ?>\n<r/>", bom: true) == "ISO-8859-1")
        #expect(declared("<?xml version=\"1.0\"\n  encoding=\"latin1\"?><r/>") == "latin1")
        for none in ["<?xml version=\"1.0\" encoding=\"UTF-8\"?><r/>", "<?xml version=\"1.0\" encoding='utf-16'?>", "<?xml version=\"1.0\"?><r/>",
                     "<r encoding=\"windows-1252\"/>", " <?xml version=\"1.0\" encoding=\"windows-1252\"?>"] {
            #expect(declared(none) == nil, "\(none)")
        }
    }
}
