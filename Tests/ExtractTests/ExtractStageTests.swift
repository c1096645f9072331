import Crypto
import Foundation
import Pipeline
import Testing
@testable import Extract

@Suite struct ExtractStageTests {
    @Test func extractsTheSampleDrop() throws {
        let f = try Fixture()
        let result = try f.extract()
        #expect(result.asOf == Day(year: 2026, month: 11, day: 21))
        #expect(result.rejected == 0)
        #expect(f.rows(StageFile.institutions) == [
            ["101234", "Børnehuset Mælkebøtten", "integreret", "Nørrebro", "NB-03", "48", "2005-08-01", "\\N", "1"],
            ["101235", "Vuggestuen Solsikken", "vuggestue", "Valby", "\\N", "30", "1999-01-01", "2020-06-30", "2"],
        ])
        #expect(f.rows(StageFile.assignments) == [
            ["M001", "101234", "2014-01-01", "2016-12-31", "2"], ["M002", "101235", "2015-03-01", "\\N", "3"],
        ])
        let enrolments = f.rows(StageFile.enrolments)
        #expect(enrolments.count == 2)
        #expect(enrolments[0][0].count == 64 && enrolments[0][0].allSatisfy(\.isHexDigit))
        #expect(Array(enrolments[0].dropFirst()) == ["1913-02-01", "101234", "2014-08-01", "2017-07-31", "2"])
        #expect(Array(enrolments[1].dropFirst()) == ["2014-06-15", "101235", "2015-09-01", "\\N", "3"])
        let events = f.rows(StageFile.caseEvents)
        #expect(events.map { $0[0] } == ["S-2013-000123", "S-2013-000123", "S-2013-000124"])
        #expect(events[0][1] == enrolments[0][0] && events[2][1] == enrolments[1][0])
        #expect(Array(events[0].dropFirst(2)) == ["1913-02-01", "underretning", "2015-04-02", "\\N", "daginstitution", "\\N", "2"])
        #expect(events[2][7] == "bekymring_ophoert")

        let manifest = try StageManifest.read(from: f.run.manifest(.extract))
        #expect(manifest.inputs == result.manifest.inputs && manifest.outputs == result.manifest.outputs)
        #expect(manifest.asOf == result.asOf && manifest.run == f.run.id && manifest.stage == .extract)
        #expect(manifest.inputs.map(\.name) == ["institutioner.xml", "socialraadgivere.csv", "indmeldelser.csv", "sagshaendelser.csv"])
        #expect(manifest.inputs.map(\.rowsRead) == [2, 2, 2, 3])
        #expect(manifest.inputs[2].checksum == .sha256(try f.sha256("indmeldelser.csv")))
        #expect(manifest.inputs[2].bytes == Int64(Sample.enrolments.utf8.count))
        #expect(manifest.output(StageFile.enrolments)?.rows == 2)
        #expect(manifest.output(StageFile.rejects)?.rows == 0)
        #expect(manifest.output(StageFile.caseEvents)?.checksum == .xxh128(try XXH128Sum.file(f.run.file(.extract, StageFile.caseEvents))))
        // Two children, each in both files: enrolments and case events run on two threads
        // with a cache each.
        #expect(manifest.counts["pseudonyms_computed"] == 4)
        #expect(f.runFiles().sorted() == ["extract/assignments.tsv", "extract/case_events.tsv", "extract/enrolments.tsv",
                                          "extract/institutions.tsv", "extract/manifest.json", "extract/rejects.tsv"])
    }

    @Test func childKeyIsHMACSHA256OfTheNormalisedCPR() throws {
        let f = try Fixture()
        _ = try f.extract()
        let key = SymmetricKey(data: Array(f.environment["ETL_PSEUDONYM_KEY"]!.utf8))
        let expected = HMAC<SHA256>.authenticationCode(for: Array("1506144321".utf8), using: key)
            .map { String(format: "%02x", $0) }.joined()
        #expect(f.rows(StageFile.enrolments)[1][0] == expected)
    }

    @Test func everyRejectReason() throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        f.write(Sample.institutionsXML.replacingOccurrences(of: "</Institutionsregister>", with: """
          <Institution nummer="101234"><Navn>Again</Navn></Institution>
          <Institution nummer="101236"><Navn>Many</Navn><Pladser>mange</Pladser></Institution>
          <Institution><Navn>No number</Navn></Institution>
          <Institution nummer="Solsikken"><Navn>Solsikken</Navn></Institution>
          <Institution nummer="101237"><Navn>Zero lost</Navn><Pladser>101801133</Pladser></Institution>
          <Institution nummer="101238"><Navn>Zeros</Navn><Pladser>000012</Pladser></Institution>
        </Institutionsregister>
        """), to: "institutioner.xml")
        f.config.sources.institutions.numberPattern = "^[0-9]+$"
        f.write("""
        cpr;institutionsnummer;indmeldt;udmeldt
        0102131234;101234;01-08-2014
        0102131234;1012"34;01-08-2014;
        ;101234;01-08-2014;
        0102131234;101234;1st of May;
        0102131234;101234;31-02-2015;
        3102134234;101234;01-08-2014;
        0102131234;999999;01-08-2014;
        0102131234;101234;01-08-2014;01-07-2014
        0102131234;101234;01-08-2014;01-07-2015

        """, to: "indmeldelser.csv")
        f.write(Sample.caseEvents + "S-1;0102131234;telefonopkald;02-04-2015;;;\nS-2;0102131234;underretning;02-04-2015;;\u{0};\n",
                to: "sagshaendelser.csv")
        let result = try f.extract()
        let rejects = f.rejects()
        let expected: [(String, Int, String?, RejectReason)] = [
            ("institutioner.xml", 3, "nummer", .duplicateInstitution),
            ("institutioner.xml", 4, "pladser", .invalidNumber),
            ("institutioner.xml", 5, "nummer", .missingValue),
            ("institutioner.xml", 6, "nummer", .invalidInstitutionNumber),
            ("institutioner.xml", 7, "pladser", .invalidNumber),   // a CPR number without its leading zero
            ("indmeldelser.csv", 2, nil, .wrongColumnCount),
            ("indmeldelser.csv", 3, nil, .malformedField),
            ("indmeldelser.csv", 4, "cpr", .missingValue),
            ("indmeldelser.csv", 5, "indmeldt", .invalidDate),
            ("indmeldelser.csv", 6, "indmeldt", .nonexistentDate),
            ("indmeldelser.csv", 7, "cpr", .invalidCPR),
            ("indmeldelser.csv", 8, "institutionsnummer", .unknownInstitution),
            ("indmeldelser.csv", 9, "udmeldt", .endBeforeStart),
            ("sagshaendelser.csv", 5, "haendelse", .unknownEventType),
            ("sagshaendelser.csv", 6, "kilde", .controlCharacter),
        ]
        #expect(rejects.map(\.file) == expected.map(\.0))
        #expect(rejects.map(\.line) == expected.map(\.1))
        #expect(rejects.map(\.field) == expected.map(\.2))
        #expect(rejects.map(\.reason) == expected.map(\.3))
        #expect(Set(rejects.map(\.reason)) == Set(RejectReason.allCases))
        #expect(rejects.allSatisfy { !$0.message.isEmpty && !$0.message.contains("101801133") })
        #expect(rejects.first { $0.reason == .invalidCPR }?.message == "cpr 310213-**** is not a valid CPR number: its date does not exist")
        // The key that names the layouts, for a file of dates in another (a new steward's trial).
        #expect(rejects.first { $0.reason == .invalidDate }?.message.hasSuffix(": the source's date_formats)") == true)
        // Dates as the export writes them, so the message can be found in it.
        #expect(rejects.first { $0.reason == .endBeforeStart }?.message == "udmeldt '01-07-2014' is before indmeldt '01-08-2014'")
        #expect(f.rows(StageFile.enrolments).map { $0[5] } == ["10"])
        #expect(f.rows(StageFile.institutions).first { $0[0] == "101238" }?[5] == "12", "leading zeros are no digits of a count")
        let enrolments = result.manifest.inputs[2]
        #expect((enrolments.rowsRead, enrolments.accepted, enrolments.rejected) == (9, 1, 8))
        #expect(enrolments.rejectedByReason["invalid_cpr"] == 1 && enrolments.rejectedByReason.count == 8)
    }

    @Test func registerDuplicatesAndEndDatesInTheRegister() throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        f.write(Sample.institutionsXML.replacingOccurrences(of: "<Nedlagt>2020-06-30</Nedlagt>", with: "<Nedlagt>1998-06-30</Nedlagt>"),
                to: "institutioner.xml")
        _ = try f.extract()
        #expect(f.rejects().map(\.reason) == [.endBeforeStart, .unknownInstitution, .unknownInstitution])
        #expect(f.rejects().map(\.field) == ["nedlagt", "institutionsnummer", "institutionsnummer"])
    }

    /// The fixture with its register read from `institutioner.csv`, declared windows-1252.
    static func windows1252Register() throws -> Fixture {
        let f = try Fixture()
        f.config.sources.institutions.format = .csv
        f.config.sources.institutions.file = "institutioner.csv"
        f.config.sources.institutions.encoding = .windows1252
        f.config.sources.institutions.dateFormats = [.danish, .iso]   // a CSV's default
        return f
    }

    @Test func windows1252ArrivesIntactInTheStageFile() throws {
        let f = try Self.windows1252Register()
        f.write(Array("nummer;Navn;Type;Bydel;Klynge;Pladser;Oprettet;Nedlagt\r\n101234;\"B".utf8) + [0xF8]
                + Array("rnehuset ".utf8) + [0xC6, 0xD8, 0xC5, 0x20, 0xE6, 0xF8, 0xE5, 0x20, 0xE9]
                + Array("\";integreret;N".utf8) + [0xF8] + Array("rrebro;;48;01-08-2005;\r\n".utf8)
                + Array("101235;Solsikken;vuggestue;Valby;;30;;\r\n".utf8), to: "institutioner.csv")
        let result = try f.extract()
        let rows = f.rows(StageFile.institutions)
        #expect(rows[0][1] == "Børnehuset ÆØÅ æøå é" && rows[0][3] == "Nørrebro")
        #expect(result.asOf == nil)
        #expect(f.rows(StageFile.enrolments).count == 2)
        #expect(!result.warnings.contains { $0.contains("UTF-8") }, "\(result.warnings)")
    }

    /// A record pasted into a windows-1252 export from a UTF-8 source arrives as "Ã¦": the
    /// steward is told how many such letters, and the line of the first (the whole file in
    /// UTF-8 is refused, `CSVReaderTests`).
    @Test func utf8LettersInAWindows1252ExportAreWarnedAbout() throws {
        let f = try Self.windows1252Register()
        f.write(Array("nummer;Navn;Type;Bydel;Klynge;Pladser;Oprettet;Nedlagt\r\n101234;B".utf8) + [0xF8]
                + Array("rnehuset;integreret;N".utf8) + [0xF8] + Array("rrebro;;48;01-08-2005;\r\n".utf8)
                + Array("101235;Sol".utf8) + [0xC3, 0xA6] + Array("ksikken;vuggestue;N".utf8) + [0xC3, 0xB8]
                + Array("rrebro;;30;;\r\n".utf8), to: "institutioner.csv")
        let result = try f.extract()
        #expect(f.rows(StageFile.institutions)[1][1] == "SolÃ¦ksikken")
        #expect(result.warnings.contains("institutioner.csv: 2 letters written in UTF-8 in this windows-1252 export (the first on line 3) "
                                         + "arrive as 'Ã¦' and the like; ask for the export in one encoding"), "\(result.warnings)")
    }


    @Test func emptyCSVStopsTheRun() throws {
        let f = try Fixture()
        f.write("", to: "socialraadgivere.csv")
        #expect(throws: ExtractError.noHeader(file: f.path("socialraadgivere.csv"))) { try f.extract() }
    }

    @Test func headerOnlyCSVIsEmptyNotAnError() throws {
        let f = try Fixture()
        f.write("medarbejder_id;institutionsnummer;fra;til\r\n", to: "socialraadgivere.csv")
        let result = try f.extract()
        #expect(result.manifest.inputs[1].rowsRead == 0)
    }

    @Test func extraColumnsAreIgnoredAndOrderDoesNotMatter() throws {
        let f = try Fixture()
        f.write("note;udmeldt;indmeldt;cpr;institutionsnummer\nx;;01-08-2014;0102131234;101234\n", to: "indmeldelser.csv")
        _ = try f.extract()
        #expect(Array(f.rows(StageFile.enrolments)[0].dropFirst()) == ["1913-02-01", "101234", "2014-08-01", "\\N", "2"])
    }

    @Test func invalidUTF8StopsTheRun() throws {
        let f = try Fixture()
        f.write(Array(Sample.assignments.utf8) + [0x4E, 0xF8, 0x0A], to: "socialraadgivere.csv")
        #expect(throws: ExtractError.notDeclaredEncoding(file: f.path("socialraadgivere.csv"), line: 4, encoding: .utf8)) {
            try f.extract()
        }
    }

    @Test func missingSourceStopsTheRun() throws {
        let f = try Fixture()
        try FileManager.default.removeItem(atPath: f.path("sagshaendelser.csv"))
        #expect(throws: ExtractError.sourceMissing(file: "sagshaendelser.csv", drop: f.drop.path)) { try f.extract() }
        #expect(f.runFiles().isEmpty)
    }

    @Test func rejectThresholdExceeded() throws {
        let f = try Fixture()
        f.config.rejectThreshold = 0.3
        f.write(Sample.enrolments + "0102131234;999999;01-08-2014;\n", to: "indmeldelser.csv")
        #expect(try thresholdBreaches { try f.extract() } == [ThresholdBreach(file: "indmeldelser.csv", rejected: 1, read: 3, threshold: 0.3)])
        // The rejects are there for the steward; the stage is not complete.
        #expect(f.rejects().map(\.reason) == [.unknownInstitution])
        #expect(!FileManager.default.fileExists(atPath: f.run.manifest(.extract)))
        f.config.rejectThreshold = 0.34
        #expect(try f.extract().rejected == 1)
    }
}
