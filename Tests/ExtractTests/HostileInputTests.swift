import Foundation
import Pipeline
import Postgres
import TestSupport
import Testing
@testable import Extract

/// Exports that try to lose records in silence, break the COPY, hide CPR numbers or lead
/// the reader out of the drop (issue 11): each written against the mechanism, in variants.
@Suite struct HostileInputTests {
    static let header = "sagsnummer;cpr;haendelse;dato;paragraf;kilde;aarsag"

    /// `n` valid case events, line k + 1 holding case `S-k`.
    static func events(_ n: Int) -> [String] {
        (1...n).map { "S-\($0);0102131234;underretning;02-04-2015;;daginstitution;" }
    }

    static func file(_ lines: [String]) -> String { ([header] + lines).joined(separator: "\n") + "\n" }

    // MARK: Quotes that swallow lines

    /// A quote opened at the start of a field and closed by a quote some lines further down
    /// joins those lines into one record: each line is rejected on its own, counted, and the
    /// threshold sees every one of them.
    @Test(arguments: [1, 2, 4, 19])
    func linesJoinedByAStrayQuoteAreEachRejected(swallowed: Int) throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        var lines = Self.events(40)
        lines[9] = "S-10;0102131234;underretning;02-04-2015;;\"daginstitution;"          // line 11 opens
        lines[9 + swallowed] = "S-x;0102131234;underretning;02-04-2015;;\"skole\";"     // closes here
        f.write(Self.file(lines), to: "sagshaendelser.csv")
        let result = try f.extract()
        let rejects = f.rejects()
        #expect(rejects.map(\.line) == Array(11...(11 + swallowed)))
        #expect(rejects.allSatisfy { $0.reason == .malformedField && $0.file == "sagshaendelser.csv" })
        #expect(rejects[0].message.contains("runs over lines 11–\(11 + swallowed)"))
        #expect(rejects.dropFirst().allSatisfy { $0.message.contains("line 11") })
        let input = result.manifest.inputs[3]
        #expect((input.rowsRead, input.accepted, input.rejected) == (40, 40 - swallowed - 1, swallowed + 1))
        #expect(f.rows(StageFile.caseEvents).map { $0[0] } == (1...40).filter { $0 < 10 || $0 > 10 + swallowed }.map { "S-\($0)" })

        // The threshold counts every swallowed line.
        f.config.rejectThreshold = Double(swallowed) / 40
        #expect(try thresholdBreaches { try f.extract() } == [ThresholdBreach(file: "sagshaendelser.csv", rejected: swallowed + 1, read: 40,
                                                             threshold: Double(swallowed) / 40)])
    }

    /// A record whose quoted field spans lines and closes cleanly is one record, even when
    /// it is malformed otherwise (a stray quote in a date, a field too many): one reject,
    /// and the row count a MANIFEST gives still matches.
    @Test func aCleanMultiLineFieldInABadRecordIsOneReject() throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        var lines = Self.events(10)
        lines[2] = "S-3;0102131234;underretning;02-0\"4-2015;;daginstitution;\"to\nlinjer; og \"\"citat\"\"\""
        lines[5] = "S-6;0102131234;underretning;02-04-2015;;daginstitution;\"tre\nhele\nlinjer\";x"
        f.write(Self.file(lines), to: "sagshaendelser.csv")
        try f.writeManifest(events: 10)
        let result = try f.extract()
        #expect(f.rejects().map(\.line) == [4, 8])
        #expect(f.rejects().map(\.reason) == [.malformedField, .wrongColumnCount])
        #expect(result.manifest.inputs[3].rowsRead == 10 && result.manifest.inputs[3].accepted == 8)
    }

    /// A carriage return alone between two records joins them into one reject: it says so,
    /// as a file of such line ends is told it (a review found the second record gone unsaid).
    @Test func aLoneCarriageReturnIsNamedInItsReject() throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        var lines = Self.events(4)
        lines[2] += "\r" + lines.remove(at: 3)
        f.write(Self.file(lines), to: "sagshaendelser.csv")
        _ = try f.extract()
        #expect(f.rejects().map(\.reason) == [.wrongColumnCount])
        #expect(f.rejects().first?.message.contains("a carriage return without a line feed") == true, "\(f.rejects())")
        // A CRLF inside a quoted note is a line break, not a lone CR.
        var crlf = Self.events(4)
        crlf[2] += ";\"to\r\nlinjer\""
        f.write(Self.file(crlf), to: "sagshaendelser.csv")
        _ = try f.extract()
        #expect(f.rejects().map(\.reason) == [.wrongColumnCount] && f.rejects().first?.message.contains("carriage return") == false, "\(f.rejects())")
    }

    /// A note that lists things, with a whole record's delimiters on one of its lines, is
    /// text, as RFC 4180 and the contract allow: one record, accepted, and a MANIFEST's count
    /// of records matches (it was rejected with the line it spanned, and the drop refused: an
    /// independent check). Lines that read as records, a CPR number in the cpr column, are a
    /// stray quote's still (`recordsInsideAStrayQuoteAreRejectedOneByOne`).
    @Test func aQuotedNoteThatListsThingsIsOneRecord() throws {
        let f = try Fixture()
        var lines = Self.events(10).map { $0 + ";" }
        lines[2] = "S-3;0102131234;underretning;02-04-2015;;daginstitution;;\"Mødet:\ndeltagere;mor;far;pædagog;leder;rådgiver;tolk;\nopfølgning aftalt\""
        lines[5] = "S-6;0102131234;underretning;02-04-2015;;daginstitution;;\"Tilstede:\n0102;13;1234;mor;far;x;y\n\""
        f.write(([Self.header + ";bemaerkning"] + lines).joined(separator: "\n") + "\n", to: "sagshaendelser.csv")
        try f.writeManifest(events: 10)
        let result = try f.extract()
        #expect(f.rejects().isEmpty, "\(f.rejects())")
        #expect(result.manifest.inputs[3].rowsRead == 10 && result.manifest.inputs[3].accepted == 10)
    }

    /// A stray quote closed on the very next line swallows that one record: the line where
    /// the quote closes is a record's too (it was looked at only for lines the quote ran
    /// past, and a `sag_afsluttet` vanished: an adversarial review).
    @Test func aStrayQuoteThatSwallowsOneRecordIsCaught() throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        var lines = Self.events(20)
        lines[9] = "S-10;0102131234;underretning;02-04-2015;;daginstitution;\"Far ringede, bekymret"
        lines[10] = "S-11;0102131234;sag_afsluttet;02-05-2015;;;mor bekræfter\""
        f.write(Self.file(lines), to: "sagshaendelser.csv")
        let result = try f.extract()
        #expect(f.rejects().map(\.line) == [11, 12] && f.rejects().allSatisfy { $0.reason == .malformedField }, "\(f.rejects())")
        #expect(result.manifest.inputs[3].rowsRead == 20)
    }

    /// A stray quote closed on the next line in the column it opened in leaves the field
    /// count right: the closing line, with the fields after the quote, is that line's record
    /// (it vanished without a reject, its text in the field: a review). A CPR number with its
    /// `-` elsewhere, and tabs around values, read as the validators read them.
    @Test(arguments: ["0102131234", "01021-31234", "\t0102131234 "])
    func aStrayQuoteClosedInItsOwnColumnOnTheNextLineIsCaught(cpr: String) throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        var lines = Self.events(20).map { $0 + ";" }
        lines[9] = "S-10;0102131234;underretning;02-04-2015;;daginstitution;\"bekymring;"
        lines[10] = "S-11;\(cpr);sag_oprettet;28-04-2015;;;vold\";"
        f.write(([Self.header + ";bemaerkning"] + lines).joined(separator: "\n") + "\n", to: "sagshaendelser.csv")
        let result = try f.extract()
        #expect(f.rejects().map(\.line) == [11, 12], "\(f.rejects())")
        #expect(result.manifest.inputs[3].rowsRead == 20)
    }

    /// A note of a social worker's assignment that names institution numbers on its lines is
    /// text: its lines have no start date where the records have theirs (it was rejected, with
    /// the assignment, once the note had three lines: an adversarial review).
    @Test func aNoteNamingNumbersOverLinesIsText() throws {
        let f = try Fixture()
        f.write("medarbejder_id;institutionsnummer;fra;til;note\nM001;101234;01-01-2014;31-12-2016;\n"
                + "M002;101235;2015-03-01;;\"Socialrådgiver, dagtilbud\nDækker 358244; 366849; 117478; 139310; 165996\nOpdateret 2024\"\n",
                to: "socialraadgivere.csv")
        let result = try f.extract()
        #expect(f.rejects().isEmpty, "\(f.rejects())")
        #expect(result.manifest.inputs[1].rowsRead == 2 && result.manifest.inputs[1].accepted == 2)
    }

    /// In a register whose numbers are not digits, a swallowed line is told by `nummer_pattern`
    /// (two institutions were folded into one name in silence: an adversarial review).
    @Test(arguments: [nil, "(DI|PV)-[0-9]+"])
    func aRegisterSwallowedByAStrayQuoteIsCaught(pattern: String?) throws {
        let f = try Fixture()
        var source = try PipelineConfig.load(path: Fixture.repo.appendingPathComponent("pipelines/other.yaml").path).sources.institutions
        source.numberPattern = pattern
        f.write("inst_nr,navn,type,omraade,netvaerk,antal_pladser,aabningsdato,lukkedato\n"
                + (1...7).map { n in
                    let name = n == 3 ? "\"Huset \(n)" : n == 5 ? "Huset \(n)\"" : "Huset \(n)"
                    return "DI-\(n),\(name),integreret,Valby,V-1,40,2001-01-01,\n"
                }.joined(), to: "institutioner.csv")
        var lines: [(Int, RejectReason?)] = []
        try SourceReader(source: source, path: f.path("institutioner.csv"), pipeline: "other.yaml", drop: f.drop).forEachRecord {
            lines.append(($0.line, $0.problem?.reason))
        }
        #expect(lines.map(\.0) == [2, 3, 4, 5, 6, 7, 8] && lines.map(\.1) == [nil, nil, .malformedField, .malformedField, .malformedField, nil, nil],
                "\(lines)")
    }

    /// The suite's case: a quote opened on line 800 of 1,625 and never closed. The file is
    /// refused, naming the line, with or without a MANIFEST; nothing is published.
    @Test(arguments: [false, true])
    func aQuoteNeverClosedStopsTheRunNamingItsLine(manifest: Bool) throws {
        let f = try Fixture()
        var lines = Self.events(1_624)
        lines[798] = "S-799;0102131234;underretning;02-04-2015;;\"daginstitution;"   // line 800
        f.write(Self.file(lines), to: "sagshaendelser.csv")
        if manifest {
            try f.writeManifest(events: 1_624)
        }
        // Stopped once the field passes max_field_lines …
        let error = #expect(throws: ExtractError.self) { try f.extract() }
        #expect(error == .unclosedQuote(file: f.path("sagshaendelser.csv"), line: 800, within: 20))
        #expect(error?.description.hasPrefix("\(f.path("sagshaendelser.csv")):800: a quoted field opened on line 800 is still open 20 lines later") == true)
        // … or, with no practical limit, at the end of the file.
        f.config.sources.caseEvents.maxFieldLines = 100_000
        let atEnd = #expect(throws: ExtractError.self) { try f.extract() }
        #expect(atEnd == .unclosedQuote(file: f.path("sagshaendelser.csv"), line: 800, within: nil))
        #expect(atEnd?.description.hasPrefix("\(f.path("sagshaendelser.csv")):800: a quoted field opened on line 800 is never closed") == true)
        #expect(!FileManager.default.fileExists(atPath: f.run.manifest(.extract)))
    }

    /// A quoted field holding more line breaks than `max_field_lines` allows stops the file;
    /// raising the setting reads it.
    @Test func aQuotedFieldOverMaxFieldLinesStopsTheFile() throws {
        let f = try Fixture()
        var lines = Self.events(10)
        lines[4] = "S-5;0102131234;underretning;02-04-2015;;\"" + String(repeating: "linje\n", count: 25) + "slut\";"
        f.write(Self.file(lines), to: "sagshaendelser.csv")
        #expect(throws: ExtractError.unclosedQuote(file: f.path("sagshaendelser.csv"), line: 6, within: 20)) { try f.extract() }
        f.config.sources.caseEvents.maxFieldLines = 26
        let result = try f.extract()
        #expect(result.rejected == 0 && result.manifest.inputs[3].rowsRead == 10)
        #expect(f.rows(StageFile.caseEvents)[4][6].hasSuffix("linje\\nslut"))
    }

    // MARK: Control characters

    /// A control character in a field the pipeline reads is a reject at its file, line and
    /// field, whatever the field; in a column nobody reads it is harmless.
    @Test func controlCharactersInReadFieldsAreRejectsAtTheirLine() throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        let controls: [UInt8] = [0x00, 0x01, 0x07, 0x08, 0x0B, 0x0C, 0x1B, 0x1F, 0x7F]
        let fields = ["sagsnummer", "paragraf", "kilde", "aarsag"]
        var lines: [[UInt8]] = [Array((Self.header + ";note").utf8)]
        var expected: [(line: Int, field: String)] = []
        for c in controls {
            for (k, field) in fields.enumerated() {
                var values = ["S-1", "0102131234", "underretning", "02-04-2015", "50", "daginstitution", "andet"].map { Array($0.utf8) }
                values[[0, 4, 5, 6][k]].insert(c, at: 1)
                lines.append(Array(values.joined(separator: [0x3B])) + Array(";x".utf8))
                expected.append((lines.count, field))
            }
            // In the unread column `note`: accepted.
            lines.append(Array("S-2;0102131234;underretning;02-04-2015;;;;".utf8) + [c])
        }
        // Quoted, a delimiter and a line break around it.
        lines.append(Array("S-3;0102131234;underretning;02-04-2015;;\"a;".utf8) + [0x00] + Array("\nb\";;".utf8))
        expected.append((lines.count, "kilde"))
        f.write(Array(lines.joined(separator: [0x0A])) + [0x0A], to: "sagshaendelser.csv")
        let result = try f.extract()
        let rejects = f.rejects()
        #expect(rejects.map(\.line) == expected.map(\.line))
        #expect(rejects.map(\.field) == expected.map(\.field))
        #expect(rejects.allSatisfy { $0.reason == .controlCharacter })
        #expect(rejects.first?.message == "sagsnummer holds the control character NUL (0x00) at byte 2; it cannot be stored. Ask for the export without it")
        #expect(rejects.contains { $0.message.contains("DEL (0x7F)") } && rejects.contains { $0.message.contains("ESC (0x1B)") })
        #expect(result.manifest.inputs[3].accepted == controls.count)
        #expect(!f.output(StageFile.caseEvents).utf8.contains { CSVParseState.isControl($0) })
        #expect(!f.output(StageFile.rejects).utf8.contains { CSVParseState.isControl($0) })
    }

    /// A case id with a character no reader sees (a byte-order mark where two exports were
    /// joined, a zero-width space) is rejected at its line: it split one case in two, silently
    /// (an adversarial review). One with a letter beyond ASCII is a case id like any other.
    @Test func aCaseIDWithAnInvisibleCharacterIsRejected() throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        let events = ["\u{FEFF}S-1", "S-\u{200B}1", "S-1", "S-Å1"].map { "\($0);0102131234;underretning;02-04-2015;;;" }
        f.write(([Self.header] + events).joined(separator: "\n") + "\n", to: "sagshaendelser.csv")
        _ = try f.extract()
        let rejects = f.rejects()
        #expect(rejects.map(\.line) == [2, 3] && rejects.allSatisfy { $0.reason == .malformedField && $0.field == "sagsnummer" }, "\(rejects)")
        #expect(rejects.first?.message.contains("U+FEFF") == true && rejects.last?.message.contains("U+200B") == true, "\(rejects)")
    }

    /// Enrolments and the register too: a NUL in an institution number is a
    /// `control_character` reject, not an unknown institution.
    @Test func controlCharactersInOtherExports() throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        f.write(Array("cpr;institutionsnummer;indmeldt;udmeldt\n0102131234;1012".utf8) + [0x00] + Array("34;01-08-2014;\n".utf8)
                + Array(Sample.enrolments.split(separator: "\n")[1].utf8) + [0x0A], to: "indmeldelser.csv")
        f.write(Array("medarbejder_id;institutionsnummer;fra;til\nM".utf8) + [0x1B] + Array("01;101234;01-01-2014;\n".utf8),
                to: "socialraadgivere.csv")
        _ = try f.extract()
        #expect(f.rejects().map { "\($0.file):\($0.line):\($0.field ?? "")" } == ["socialraadgivere.csv:2:medarbejder_id",
                                                                                 "indmeldelser.csv:2:institutionsnummer"])
        #expect(f.rejects().allSatisfy { $0.reason == .controlCharacter })
    }

    /// A C1 control (U+0080–U+009F) is no more text than a C0 one, whatever the encoding
    /// brought it: a reject naming it, where `§` and a no-break space (the same lead byte in
    /// UTF-8) pass (a release review found windows-1252's undefined bytes in the warehouse).
    @Test(arguments: [TextEncoding.utf8, .latin1, .windows1252])
    func c1ControlsAreRejectsInEveryEncoding(encoding: TextEncoding) throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        f.config.sources.caseEvents.encoding = encoding
        let c1: [UInt8] = encoding == .utf8 ? [0xC2, 0x85] : encoding == .latin1 ? [0x85] : [0x81]
        let section: [UInt8] = encoding == .utf8 ? [0xC2, 0xA7, 0xC2, 0xA0] : [0xA7, 0xA0]
        let line = { (tail: [UInt8]) in Array("S-1;0102131234;underretning;02-04-2015;50;".utf8) + tail + Array(";andet\n".utf8) }
        f.write(Array((Self.header + "\n").utf8) + line(Array("a".utf8) + c1 + Array("b".utf8)) + line(section + Array(" 50".utf8)),
                to: "sagshaendelser.csv")
        _ = try f.extract()
        let rejects = f.rejects()
        #expect(rejects.map { "\($0.line):\($0.field ?? ""):\($0.reason)" } == ["2:kilde:controlCharacter"])
        #expect(rejects.first?.message.contains("U+00\(encoding == .windows1252 ? "81" : "85") (C1) at byte 2") == true, "\(rejects)")
        #expect(f.rows(StageFile.caseEvents).map { $0[6] } == ["§\u{00A0} 50"])
    }

    /// In XML too (XML 1.0 allows C1 characters as text).
    @Test func c1ControlsInXMLAreRejects() throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        f.write(Sample.institutionsXML.replacingOccurrences(of: "<Navn>Vuggestuen Solsikken", with: "<Navn>Vuggestuen&#x85;Solsikken"),
                to: "institutioner.xml")
        _ = try f.extract()
        // (The rows naming the rejected institution follow as unknown institutions.)
        #expect(f.rejects().first.map { "\($0.file):\($0.field ?? ""):\($0.reason)" } == "institutioner.xml:navn:controlCharacter")
    }

    /// Every byte value in a text field of a windows-1252 export (where every byte is a
    /// character): what extract writes loads through a real COPY, as the warehouse's does.
    @Test func everyByteOfATextFieldLoadsThroughCOPY() throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        f.config.sources.caseEvents.encoding = .windows1252
        var bytes = Array(Self.header.utf8) + [0x0A]
        var controls = 0
        for b in 0...255 where ![0x0A, 0x0D, 0x22, 0x3B].contains(b) {
            bytes += Array("S-\(b);0102131234;underretning;02-04-2015;§\(b);".utf8) + [0x6B, UInt8(b), 0x5C] + Array(";\\N\n".utf8)
            // C0 controls, DEL, and the five bytes windows-1252 leaves undefined (read as C1 controls).
            if CSVParseState.isControl(UInt8(b)) || [0x81, 0x8D, 0x8F, 0x90, 0x9D].contains(b) { controls += 1 }
        }
        f.write(bytes, to: "sagshaendelser.csv")
        let result = try f.extract()
        #expect(result.rejected == controls)
        let db = try TestServer.freshDatabase()
        let c = try db.connect()
        try c.execute("""
            CREATE TABLE events (case_id text, child_key text, birth date, event text, day date, paragraph text, source text, reason text, line int);
            CREATE TABLE rejects (file text, line int, field text, reason text, message text)
            """)
        #expect(try c.copyIn("COPY events FROM STDIN", fromFile: f.run.file(.extract, StageFile.caseEvents)) == 252 - controls)
        #expect(try c.copyIn("COPY rejects FROM STDIN", fromFile: f.run.file(.extract, StageFile.rejects)) == controls)
        // Each byte arrived as its windows-1252 character, backslashes intact.
        let sources = try c.query("SELECT source FROM events WHERE case_id LIKE 'S-%' ORDER BY line").compactMap { $0.string(0) }
        #expect(sources.allSatisfy { $0.hasPrefix("k") && $0.hasSuffix("\\") && $0.count == 3 })
        #expect(sources.contains("kæ\\") && sources.contains("k€\\") && sources.contains("k\t\\"))
    }

    // MARK: Headers

    @Test func aHeaderNamingAMappedColumnTwiceIsRefusedNamingBothPositions() throws {
        for (header, column, positions) in [("cpr;institutionsnummer;indmeldt;udmeldt;cpr", "cpr", [1, 5]),
                                            ("cpr;indmeldt; indmeldt ;institutionsnummer;udmeldt", "indmeldt", [2, 3]),
                                            ("udmeldt;cpr;institutionsnummer;udmeldt;indmeldt;udmeldt", "udmeldt", [1, 4, 6])] {
            let f = try Fixture()
            f.write(header + "\n", to: "indmeldelser.csv")
            let error = #expect(throws: ExtractError.self) { try f.extract() }
            #expect(error == .ambiguousHeader(file: f.path("indmeldelser.csv"), column: column, field: column, positions: positions))
            #expect(error?.description.contains("ambiguous header") == true)
            #expect(error?.description.contains("positions " + positions.map(String.init).joined(separator: " and ")) == true)
        }
        // A repeated column the pipeline does not read is no ambiguity.
        let f = try Fixture()
        f.write("note;cpr;note;institutionsnummer;indmeldt;udmeldt\nx;0102131234;y;101234;01-08-2014;\n", to: "indmeldelser.csv")
        #expect(try f.extract().manifest.inputs[2].accepted == 1)
    }

    /// An XML value past 1 MiB is not cut short: its record is rejected with its index.
    @Test func anOverlongXMLValueRejectsItsRecord() throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        f.write(Sample.institutionsXML.replacingOccurrences(of: "<Navn>Vuggestuen Solsikken</Navn>",
                                                            with: "<Navn>" + String(repeating: "n", count: (1 << 20) + 1) + "</Navn>"),
                to: "institutioner.xml")
        _ = try f.extract()
        let reject = f.rejects().first { $0.file == "institutioner.xml" }
        #expect(reject?.line == 2 && reject?.reason == .malformedField && reject?.message.contains("Navn is longer than 1 MiB") == true)
    }

    /// A record element spelled in another case is not read as a record: the steward is told
    /// how many, instead of their vanishing. One inside a record is a reject with its own
    /// index (the n-th record element), its file and why (a warning was all, an adversarial
    /// review found), and the record around it is read, as are those after it, by their own.
    @Test func xmlRecordsThatAreNotReadAreToldAbout() throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        f.write(Sample.institutionsXML
            .replacingOccurrences(of: "<Nedlagt/>", with: "<Nedlagt/><Institution nummer=\"101236\"/>")
            .replacingOccurrences(of: "</Institutionsregister>", with: "<institution nummer=\"101237\"/></Institutionsregister>"),
                to: "institutioner.xml")
        let result = try f.extract()
        #expect(result.warnings.contains("institutioner.xml: 1 spelled otherwise than <Institution> were not read as records; if they are records, ask the export's owner for the layout the pipeline file names"),
                "\(result.warnings)")
        let rejects = f.rejects().filter { $0.file == "institutioner.xml" }
        let outer = Sample.institutionsXML.components(separatedBy: "<Institution ").firstIndex { $0.contains("<Nedlagt/>") } ?? 0
        #expect(rejects.count == 1 && rejects.first?.reason == .malformedField && rejects.first?.line == outer + 1
                && rejects.first?.message.contains("lies inside record \(outer), another <Institution>") == true, "\(rejects)")
        #expect(f.rows("institutions.tsv").count == Sample.institutionsXML.components(separatedBy: "<Institution ").count - 1,
                "every record around and after it read")
        #expect(try Fixture().extract().warnings.allSatisfy { !$0.contains("were not read") })
    }

    /// A link loop and a `../` name are called what they are, not a link to somewhere.
    @Test func aLinkLoopAndADotDotNameAreNamedForWhatTheyAre() throws {
        let f = try Fixture()
        try FileManager.default.removeItem(atPath: f.path("sagshaendelser.csv"))
        try FileManager.default.createSymbolicLink(atPath: f.path("sagshaendelser.csv"), withDestinationPath: "sagshaendelser.csv")
        let loop = #expect(throws: ExtractError.self) { try f.extract() }
        #expect(loop == .sourceNotAFile(file: "sagshaendelser.csv", drop: f.drop.path, what: "a loop of symbolic links"))

        let g = try Fixture()
        g.write(Sample.enrolments, to: "../outside.csv")
        g.write("\(String(repeating: "0", count: 64))  2  ../outside.csv\n", to: "MANIFEST")
        let out = #expect(throws: ExtractError.self) { try g.extract() }
        #expect(out?.description.contains("../outside.csv is not in the drop folder") == true, "\(String(describing: out))")
    }

    /// An export of a header only is read (a MANIFEST may say so), and the steward is told.
    @Test func anExportWithNoRecordsIsWarnedAbout() throws {
        let f = try Fixture()
        f.write("sagsnummer;cpr;haendelse;dato;paragraf;kilde;aarsag\n", to: "sagshaendelser.csv")
        let result = try f.extract()
        #expect(result.warnings.contains { $0.hasPrefix("sagshaendelser.csv has no records") })
    }

    /// The records a stray quote swallowed are each rejected with their line, not lost.
    @Test func recordsInsideAStrayQuoteAreRejectedOneByOne() throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        f.write(Sample.caseEvents + "S-9;0102131234;underretning;02-04-2015;;\"Ring til mor;\nS-10;0102131234;sag_oprettet;2015-04-10;50;;\nS-11;0102131234;sag_oprettet;2015-04-11;50;;ingen svar\"\n", to: "sagshaendelser.csv")
        let result = try f.extract()
        let rejects = f.rejects().filter { $0.file == "sagshaendelser.csv" }
        #expect(rejects.map(\.line) == [5, 6, 7] && rejects.allSatisfy { $0.reason == .malformedField })
        let events = result.manifest.inputs.first { $0.name == "sagshaendelser.csv" }!
        #expect((events.rowsRead, events.accepted, events.rejected) == (6, 3, 3))
    }

    /// A year before 1000 (`0201` for `2021`, `0000`) is a typo, and no day PostgreSQL has:
    /// the record is rejected with its line, instead of a stage file transform refuses.
    @Test func aYearBefore1000IsAnInvalidDate() throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        f.write(Sample.enrolments + "0102131234;101234;01-01-0201;\n0102131234;101234;01-08-2014;0000-01-01\n", to: "indmeldelser.csv")
        _ = try f.extract()
        let rejects = f.rejects()
        #expect(rejects.map(\.line) == [4, 5] && rejects.allSatisfy { $0.reason == .invalidDate })
        #expect(rejects.map(\.field) == ["indmeldt", "udmeldt"])
        #expect(rejects.allSatisfy { $0.message.contains("year before 1000") })
        // Should such a day still be written, it is in PostgreSQL's four-digit form.
        #expect(Day(year: 999, month: 1, day: 1)!.iso == "0999-01-01")
    }

    /// A header that took the lines after it (a stray quote in a name, CR-only line ends)
    /// stops the file: its records would otherwise vanish with no reject and no count.
    @Test func aHeaderThatSwallowsLinesStopsTheFile() throws {
        let rows = "S-1;0102131234;underretning;02-04-2015;;;;x\nS-2;0102131234;sag_oprettet;2015-04-10;50;;;y\n"
        let cases: [(String, String)] = [
            ("sagsnummer;cpr;haendelse;dato;paragraf;kilde;aarsag;\"bemaerkning\n" + rows + "S-3;0102131234;sag_oprettet;2015-04-10;;;;z\"\n", "line break"),
            ("sagsnummer;cpr;haendelse;dato;paragraf;kilde;aarsag;bemaerkning\n" + rows, ""),
            (("sagsnummer;cpr;haendelse;dato;paragraf;kilde;aarsag;bemaerkning\n" + rows).replacingOccurrences(of: "\n", with: "\r"), "carriage return only"),
            (("sagsnummer;cpr;haendelse;dato;paragraf;kilde;aarsag;bemaerkning\n" + rows).replacingOccurrences(of: "\n", with: "\r\r\n"), "CR CR LF (converted to CRLF twice?)"),
            // One stray CR in a file with line ends is no CR-only file (an adversarial review was told it was).
            ("sagsnummer;cpr;haendelse;dato;paragraf;kilde\r;aarsag;bemaerkning\r\n" + rows.replacingOccurrences(of: "\n", with: "\r\n"),
             "a carriage return (CR) stands inside name 6 of the header"),
            (String(repeating: "\0", count: 3 << 20), "longer than 1048576 bytes and holds NUL bytes: this is no text file"),
        ]
        for (text, reason) in cases {
            let f = try Fixture()
            f.write(text, to: "sagshaendelser.csv")
            guard !reason.isEmpty else { #expect(try f.extract().manifest.inputs.last?.accepted == 2); continue }
            let error = #expect(throws: ExtractError.self) { try f.extract() }
            guard case .badHeader(let file, _, let why) = error else { Issue.record("\(String(describing: error))"); continue }
            #expect(file.hasSuffix("sagshaendelser.csv") && why.contains(reason), "\(why)")
            #expect(error?.description.contains("sagshaendelser.csv:1:") == true)
        }
    }

    /// Issue 15: `delimiter: ","` on a `;` file. The message names the pipeline file, the
    /// line and key of the mapping, shows the header as split, and suggests the delimiter.
    @Test func aWrongDelimiterShowsTheHeaderAndSuggestsTheRightOne() throws {
        for (real, configured, name) in [(";", ",", ";"), ("\t", ";", "\\t"), ("|", ";", "|"), (",", ";", ",")] {
            let f = try Fixture()
            f.config.sources.assignments.delimiter = UInt8(ascii: Unicode.Scalar(configured)!)
            f.write(Sample.assignments.replacingOccurrences(of: ";", with: real), to: "socialraadgivere.csv")
            let error = #expect(throws: ExtractError.self) { try f.extract() }
            guard case .missingColumn(let m) = error else { Issue.record("\(String(describing: error))"); continue }
            #expect(m.header == ["medarbejder_id\(real)institutionsnummer\(real)fra\(real)til"])
            #expect(m.suggested == UInt8(ascii: Unicode.Scalar(real)!))
            #expect(m.pipeline == f.config.path && m.pipelineLine == f.config.sources.assignments.columnLines["medarbejder_id"])
            #expect(m.key == "sources.socialraadgivere.columns.medarbejder_id")
            let text = error!.description
            #expect(text.hasPrefix("\(f.config.path):\(m.pipelineLine!): sources.socialraadgivere.columns.medarbejder_id: no column 'medarbejder_id'"))
            #expect(text.contains("has 1 column split by"))
            #expect(text.contains("set `delimiter: \"\(name)\"`"), "\(text)")
        }
    }

    /// Issue 15: a mapping to a column the header lacks names the pipeline file, the key
    /// and every column the header has.
    @Test func aMappedColumnMissingFromTheHeaderListsTheHeader() throws {
        let f = try Fixture()
        f.write("cpr;institution;indmeldt;udmeldt;note\n", to: "indmeldelser.csv")
        let error = #expect(throws: ExtractError.self) { try f.extract() }
        guard case .missingColumn(let m) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(m.header == ["cpr", "institution", "indmeldt", "udmeldt", "note"] && m.suggested == nil && m.column == "institutionsnummer")
        #expect(error!.description.contains("has 5 columns split by ';': 'cpr', 'institution', 'indmeldt', 'udmeldt', 'note'"))
        #expect(error!.description.contains("Name one of these columns"))
        // Another case only: said so.
        f.write("CPR;institutionsnummer;indmeldt;udmeldt\n", to: "indmeldelser.csv")
        let other = #expect(throws: ExtractError.self) { try f.extract() }
        #expect(other?.description.contains("The header has 'CPR': names are matched exactly") == true)
        // An invisible character in a name: said, not blamed on the pipeline file (an adversarial review).
        for hidden in ["\u{FEFF}\u{FEFF}cpr", "cpr\u{200B}"] {
            f.write("\(hidden);institutionsnummer;indmeldt;udmeldt\n", to: "indmeldelser.csv")
            let invisible = #expect(throws: ExtractError.self) { try f.extract() }
            #expect(invisible?.description.contains("this column's name with an invisible character in it") == true, "\(String(describing: invisible))")
        }
        // No header at all: the first record read as one is said to be a record.
        f.write("240405-6932;513992;17-03-2006;11-03-2008\n", to: "indmeldelser.csv")
        let headless = #expect(throws: ExtractError.self) { try f.extract() }
        #expect(headless?.description.contains("the export seems to lack its header line") == true && headless?.description.contains("6932") == false,
                "\(String(describing: headless))")
        // The export's to fix, not the pipeline file's: exit 1, as a file without any header; a column the pipeline misnames is 64.
        #expect(headless?.exitStatus == .failure && other?.exitStatus == .usage && error?.exitStatus == .usage)
        // A case event's first line has fewer numbers than names, but a date (an adversarial review).
        f.write(Sample.enrolments, to: "indmeldelser.csv")
        f.write(String(Sample.caseEvents.drop { $0 != "\n" }.dropFirst()), to: "sagshaendelser.csv")
        let events = #expect(throws: ExtractError.self) { try f.extract() }
        #expect(events?.exitStatus == .failure && events?.description.contains("seems to lack its header line") == true, "\(String(describing: events))")
        #expect(ExtractError.manifestRowsDiffer(file: "/d/sagshaendelser.xml", manifestLine: 2, rows: 3, manifestRows: 2).description
                    .contains("record elements, one inside another record counted too"))
    }

    // MARK: What is in the drop

    @Test func somethingOtherThanAFileInPlaceOfAnExportIsRefused() throws {
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("elsewhere-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }
        let cases: [(String, (String) throws -> Void)] = [
            ("a directory", { try FileManager.default.createDirectory(atPath: $0, withIntermediateDirectories: false) }),
            ("a named pipe", { _ = mkfifo($0, 0o600) }),
            ("a symbolic link to a directory", { path in
                let dir = (path as NSString).deletingLastPathComponent + "/real-folder"
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
                try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: dir)
            }),
            ("a symbolic link to", { try FileManager.default.createSymbolicLink(atPath: $0, withDestinationPath: "gone.csv") }),
        ]
        for (what, make) in cases {
            let f = try Fixture()
            try FileManager.default.removeItem(atPath: f.path("indmeldelser.csv"))
            try make(f.path("indmeldelser.csv"))
            let error = #expect(throws: ExtractError.self) { try f.extract() }
            guard case .sourceNotAFile(let file, let drop, let found) = error else { Issue.record("\(what): \(String(describing: error))"); continue }
            #expect(file == "indmeldelser.csv" && drop == f.drop.path && found.hasPrefix(what), "\(found)")
            #expect(error!.description.hasPrefix("\(f.drop.path)/indmeldelser.csv: the export is \(what)"))
            #expect(error!.description.contains("Check the export job"))
            #expect(f.runFiles().isEmpty)
        }
    }

    /// A link out of the drop, by the file itself, a folder on its path or `..`, is refused
    /// unless the source allows it; a link within the drop is followed.
    @Test func linksOutOfTheDropAreRefusedUnlessAllowed() throws {
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("outside-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }
        try Sample.enrolments.write(to: outside.appendingPathComponent("indmeldelser.csv"), atomically: true, encoding: .utf8)

        let f = try Fixture()
        try FileManager.default.removeItem(atPath: f.path("indmeldelser.csv"))
        try FileManager.default.createSymbolicLink(atPath: f.path("indmeldelser.csv"), withDestinationPath: outside.path + "/indmeldelser.csv")
        let error = #expect(throws: ExtractError.self) { try f.extract() }
        #expect(error == .sourceOutsideDrop(file: "indmeldelser.csv", drop: f.drop.path, target: outside.path + "/indmeldelser.csv"))
        #expect(error?.description.contains("allow_link_outside_drop: true") == true)
        f.config.sources.enrolments.allowLinkOutsideDrop = true
        #expect(try f.extract().manifest.inputs[2].accepted == 2)

        // Through a linked folder, and by `..` in the file name.
        let g = try Fixture()
        try FileManager.default.createSymbolicLink(atPath: g.path("sub"), withDestinationPath: outside.path)
        g.config.sources.enrolments.file = "sub/indmeldelser.csv"
        #expect(throws: ExtractError.sourceOutsideDrop(file: "sub/indmeldelser.csv", drop: g.drop.path, target: outside.path + "/indmeldelser.csv")) {
            try g.extract()
        }
        g.config.sources.enrolments.file = "../../../\(outside.lastPathComponent)/indmeldelser.csv"
        let dotted = #expect(throws: ExtractError.self) { try g.extract() }
        guard case .sourceOutsideDrop = dotted else { Issue.record("\(String(describing: dotted))"); return }

        // A link inside the drop is followed.
        let h = try Fixture()
        try FileManager.default.moveItem(atPath: h.path("indmeldelser.csv"), toPath: h.path("indmeldelser-2026-11-21.csv"))
        try FileManager.default.createSymbolicLink(atPath: h.path("indmeldelser.csv"), withDestinationPath: "indmeldelser-2026-11-21.csv")
        #expect(try h.extract().manifest.inputs[2].accepted == 2)
    }

    /// The drop is checked again on the file actually opened: a link out of the drop swapped
    /// in after `DropCheck` looked is refused by the reader itself; a link within is followed.
    @Test func theReaderRefusesALinkOutOfTheDropOnTheFileItOpened() throws {
        let f = try Fixture()
        let outside = f.root.appendingPathComponent("outside.csv").path
        try FileManager.default.moveItem(atPath: f.path("indmeldelser.csv"), toPath: outside)
        try FileManager.default.createSymbolicLink(atPath: f.path("indmeldelser.csv"), withDestinationPath: outside)
        let source = f.config.sources.enrolments
        #expect(throws: ExtractError.sourceOutsideDrop(file: "indmeldelser.csv", drop: f.drop.path, target: outside)) {
            _ = try SourceReader(source: source, path: f.path("indmeldelser.csv"), pipeline: f.config.path, drop: f.drop)
        }
        #expect(throws: ExtractError.sourceOutsideDrop(file: "indmeldelser.csv", drop: f.drop.path, target: outside)) {
            _ = try ChunkedFile.digest(path: f.path("indmeldelser.csv"), confinedTo: f.drop)
        }
        var allowed = source
        allowed.allowLinkOutsideDrop = true
        #expect(throws: Never.self) { _ = try SourceReader(source: allowed, path: f.path("indmeldelser.csv"), pipeline: f.config.path, drop: f.drop) }
        try FileManager.default.removeItem(atPath: f.path("indmeldelser.csv"))
        try FileManager.default.moveItem(atPath: outside, toPath: f.path("indmeldelser-1.csv"))
        try FileManager.default.createSymbolicLink(atPath: f.path("indmeldelser.csv"), withDestinationPath: "indmeldelser-1.csv")
        #expect(throws: Never.self) { _ = try SourceReader(source: source, path: f.path("indmeldelser.csv"), pipeline: f.config.path, drop: f.drop) }
    }

    /// The drop's real path is taken once (`DropCheck.resolved`): the drop folder itself
    /// swapped for a link to another drop while extract reads is not followed there.
    @Test func aDropFolderSwappedForALinkIsNotFollowed() throws {
        let f = try Fixture()
        let root = DropCheck.resolved(f.drop)
        #expect(throws: Never.self) { _ = try ChunkedFile.digest(path: f.path("indmeldelser.csv"), confinedTo: root) }
        let other = f.root.appendingPathComponent("other-drop")
        try FileManager.default.moveItem(at: f.drop, to: other)
        try FileManager.default.createSymbolicLink(at: f.drop, withDestinationURL: other)
        let error = #expect(throws: ExtractError.self) { _ = try ChunkedFile.digest(path: f.path("indmeldelser.csv"), confinedTo: root) }
        guard case .sourceOutsideDrop = error else { Issue.record("\(String(describing: error))"); return }
    }

    @Test func aManifestNamingAFileOutsideTheDropIsRefused() throws {
        let f = try Fixture()
        try "root:x:0:0\n".write(to: f.root.appendingPathComponent("etc-passwd"), atomically: true, encoding: .utf8)
        f.write("\(String(repeating: "a", count: 64))  1  ../../etc-passwd\n", to: "MANIFEST")
        let error = #expect(throws: ExtractError.self) { try f.extract() }
        guard case .manifestUnreadable(_, 1, let message) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(message.hasPrefix("../../etc-passwd is not in the drop folder"))
    }
}
