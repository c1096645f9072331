import Foundation
import Pipeline
import Testing
@testable import Extract

/// A register as a city publishes it (issue 16): one row per address, optional fields
/// absent, types as `#`-joined lists, names in the number field, rows to filter.
@Suite struct RegisterTests {
    static let header = "FID,institutions_id,enhedsnavn,enhedstype,type,bydel,kkorgnr,kommunekode"

    /// The Copenhagen fixture with its register read from a WFS-like CSV.
    static func fixture(_ rows: [String], pattern: String? = "^[0-9]+$") throws -> Fixture {
        let f = try Fixture()
        var s = f.config.sources.institutions
        s.format = .csv
        s.file = "institutioner.csv"
        s.delimiter = UInt8(ascii: ",")
        s.columns = ["nummer": "institutions_id", "navn": "enhedsnavn", "type": "type", "bydel": "bydel", "klynge": "kkorgnr"]
        s.numberPattern = pattern
        s.values = ["type": .init(contains: [.init(match: "Aldersintegreret", value: "integreret"),
                                             .init(match: "Vuggestue", value: "vuggestue"),
                                             .init(match: "børnehave", value: "boernehave")])]
        f.config.sources.institutions = s
        f.config.rejectThreshold = 1
        f.write(([header] + rows).joined(separator: "\r\n") + "\r\n", to: "institutioner.csv")
        return f
    }

    /// The lookup by bytes answers as the set of Strings does, for numbers short enough to be
    /// packed into an integer and for those that are not (long, or not ASCII).
    /// A number written in another Unicode form (`Å` as `A` + ring) is another number, short or long.
    @Test func aNumberIsFoundByItsBytesWhateverItsLength() {
        let known = Set(["", "7", "101234", "1234567", "12345678", "0101234567890", "Ø12", "B-12", "Å7", "Å12345678"].map { Array($0.utf8) })
        let register = Register(numbers: known, file: "institutioner.csv")
        let asked = known.map { String(decoding: $0, as: UTF8.self) }
            + ["1", "01234", "10123", "1012345", "123456", "123456789", "Ø1", "O12", "B-1", "b-12", "1234567 ", "A\u{30A}7", "A\u{30A}12345678"]
        for number in asked {
            let found = Array(number.utf8).withUnsafeBytes { (try? register.check($0, field: "institutionsnummer")) != nil }
            #expect(found == known.contains(Array(number.utf8)), "\(number)")
            #expect(((try? register.check(number, field: "institutionsnummer")) != nil) == found, "\(number)")
        }
    }

    /// Numbers compare as exact text, as every later stage and the views compare them: the
    /// same visible text in another Unicode form is another number. Names, compared to take
    /// a repeated number for another address, are lenient about it, as about case.
    @Test func anotherUnicodeFormIsAnotherNumberButTheSameName() throws {
        let f = try Self.fixture(Self.clean + [
            "3,Å7,Åhuset,Daginstitution,Børnehave,Østerbro,,101",
            "4,A\u{30A}7,Ahuset,Daginstitution,Børnehave,Østerbro,,101",      // another number: kept
            "5,Å7,A\u{30A}huset,Daginstitution,,,,101",                        // the same name in another form: another address
            "6,Å8,Ottehuset,Daginstitution,Børnehave,Østerbro,,101",
        ], pattern: nil)
        f.write(Sample.enrolments + "0102131234;A\u{30A}8;01-08-2014;\n0102131234;Å7;01-08-2014;\n", to: "indmeldelser.csv")
        let result = try f.extract()
        let bytes = { (texts: [String]) in texts.map { Array($0.utf8) } }
        #expect(bytes(f.rows(StageFile.institutions).map { $0[0] }) == bytes(["101234", "101235", "Å7", "A\u{30A}7", "Å8"]))
        #expect(f.rejects().map { "\($0.file) \($0.line) \($0.reason.rawValue)" } == ["indmeldelser.csv 4 unknown_institution"])
        #expect(result.manifest.inputs[0].counts["merged_address"] == 1)
        #expect(bytes(f.rows(StageFile.enrolments).map { $0[2] }) == bytes(["101234", "101235", "Å7"]))
        // The message says what the eye cannot see: the two forms print alike.
        #expect(f.rejects().last?.message == "institution A\u{30A}8 is not in the register (institutioner.csv); the register has a number "
                + "that looks the same, written with other code points (another Unicode form); it holds U+030A, "
                + "which does not show as itself (a space, nothing, part of the character before, or ?)")
        // The other way round, and a singleton (U+212B ANGSTROM SIGN for Å): the lookalike is named.
        let register = Register(numbers: [Array("A\u{30A}9".utf8), Array("Å1".utf8)], file: "institutioner.csv")
        for number in ["Å9", "\u{212B}1"] {
            var message = ""
            do { try register.check(number, field: "institutionsnummer") } catch { message = error.message }
            #expect(message.contains("the register has a number that looks the same"), "\(message)")
        }
        // Another case: named, numbers being matched exactly (58 enrolments went quietly, a new steward's trial).
        var message = ""
        do { try Register(numbers: [Array("DI-339476".utf8)], file: "institutioner.csv").check("di-339476", field: "institutionsnummer") } catch { message = error.message }
        #expect(message.hasSuffix("; the register has DI-339476, in another case (numbers are matched exactly)"), "\(message)")
        // A number of the register's own form is not called a name (`NOPE-1` beside `DI-001`); a name beside digits is.
        message = ""
        do { try Register(numbers: [Array("DI-001".utf8)], file: "institutioner.csv").check("NOPE-1", field: "institutionsnummer") } catch { message = error.message }
        #expect(message == "institution NOPE-1 is not in the register (institutioner.csv)")
        // But a date beside numbers of digits is still said to be one (a re-test: both are runs of digits).
        message = ""
        do { try Register(numbers: [Array("101234".utf8)], file: "institutioner.csv").check("20210305", field: "institutionsnummer") } catch { message = error.message }
        #expect(message.hasSuffix(": a date in the number field: are two columns swapped?"), "\(message)")
        #expect(Register.form(Array("DI-001".utf8)) == Array("A-9".utf8) && Register.form(Array("Åby 7".utf8)) == Array("A 9".utf8))
        #expect(Register.unseen("101234\u{00A0}").hasPrefix("; it holds U+00A0, which does not show as itself"))
        #expect(Register.unseen("10\u{200B}1234\u{2003}").contains("U+2003, U+200B") && Register.unseen("Åby 7").isEmpty)
    }

    /// The packed key, from two overlapping loads, is the bytes one by one and their count,
    /// for every length up to eight and bytes beyond ASCII in every position.
    @Test func packingTakesEachByteOnce() {
        func reference(_ b: [UInt8]) -> UInt64? {
            guard (1...7).contains(b.count), b.allSatisfy({ $0 < 0x80 }) else { return nil }
            return b.enumerated().reduce(UInt64(b.count) << 56) { $0 | UInt64($1.element) << (8 * $1.offset) }
        }
        var state: UInt64 = 5
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        for round in 0..<20_000 {
            var bytes = (0..<(round % 9)).map { _ in UInt8(0x20 + next(0x5F)) }
            if round % 3 == 0, !bytes.isEmpty { bytes[next(bytes.count)] = UInt8(0x80 + next(0x80)) }
            // Bytes beside the text that must not count: the text is a slice of a longer buffer.
            let buffer = [0xFF] + bytes + [0xFF, 0xFF, 0xFF, 0xFF]
            let packed = buffer.withUnsafeBytes { Register.pack(UnsafeRawBufferPointer(rebasing: $0[1..<(1 + bytes.count)])) }
            guard packed == reference(bytes) else { Issue.record("\(bytes): \(String(describing: packed))"); return }
        }
    }

    static let clean = [
        "1,101234,Børnehuset Mælkebøtten,Daginstitution,Aldersintegreret institution#Børnehave#Daginstitution#Vuggestue,Nørrebro,K-7,101",
        "2,101235,Vuggestuen Solsikken,Daginstitution ved klynge,Daginstitution#Vuggestue,Valby,,101",
    ]

    @Test func rowsRepeatingANumberWithTheSameNameAreOneInstitution() throws {
        let f = try Self.fixture(Self.clean + [
            "3,101234,Børnehuset Mælkebøtten,Daginstitution,Børnehave,Amager Vest,K-9,101",       // another address
            "4,101234,  børnehuset   MÆLKEBØTTEN ,Daginstitution,,,,147",                             // case and spaces
            "5,101235,Vuggestuen Solsikken,,,,,101",
            "6,101234,Børnehuset\u{00A0}\u{2003}Mælkebøtten,Daginstitution,,,,101",                     // Unicode spaces
            "7,101234,Børnehuset \u{200C}Mælkebøtten,Daginstitution,,,,101",                             // a space with a joiner
        ])
        let result = try f.extract()
        #expect(result.rejected == 0)
        // The first row's values are kept.
        #expect(f.rows(StageFile.institutions) == [
            ["101234", "Børnehuset Mælkebøtten", "integreret", "Nørrebro", "K-7", "\\N", "\\N", "\\N", "2"],
            ["101235", "Vuggestuen Solsikken", "vuggestue", "Valby", "\\N", "\\N", "\\N", "\\N", "3"],
        ])
        let register = result.manifest.inputs[0]
        #expect((register.rowsRead, register.accepted, register.rejected) == (7, 2, 0))
        #expect(register.counts["merged_address"] == 5)
        #expect(result.manifest.counts["institutioner.csv.merged_address"] == 5)
        #expect(f.rows(StageFile.enrolments).count == 2)
    }

    @Test func aRepeatedNumberWithAnotherNameIsRejectedNamingBothLines() throws {
        let f = try Self.fixture(Self.clean + ["3,101234,Røde Møllegårds Børnehave,Daginstitution,Børnehave,Østerbro,,101"])
        _ = try f.extract()
        let reject = try #require(f.rejects().first)
        #expect((reject.file, reject.line, reject.field, reject.reason) == ("institutioner.csv", 4, "nummer", .duplicateInstitution))
        #expect(reject.message == "institution 101234 is named 'Røde Møllegårds Børnehave' here and 'Børnehuset Mælkebøtten' on line 2: two institutions with one number? The first is kept")
        #expect(f.rows(StageFile.institutions).map { $0[1] } == ["Børnehuset Mælkebøtten", "Vuggestuen Solsikken"])
    }

    @Test func aValueFailingNummerPatternSaysWhatItLooksLike() throws {
        let f = try Self.fixture(Self.clean + [
            "3,Røde Møllegårds Børnehave,Røde Møllegårds Børnehave,Daginstitution,Børnehave,Østerbro,,101",
            "4,Solstrålen,104455,Daginstitution,Børnehave,Østerbro,,101",
            "5,2015-08-01,Datohuset,Daginstitution,Børnehave,Østerbro,,101",
            "6,K-12,Klyngehuset,Daginstitution,Børnehave,Østerbro,,101",
        ])
        let result = try f.extract()
        let rejects = f.rejects()
        #expect(rejects.map(\.line) == [4, 5, 6, 7])
        #expect(rejects.allSatisfy { $0.reason == .invalidInstitutionNumber && $0.field == "nummer" })
        #expect(rejects.map(\.message) == [
            "nummer 'Røde Møllegårds Børnehave' does not match nummer_pattern '^[0-9]+$': a name in the number field: are two columns swapped?",
            "nummer 'Solstrålen' does not match nummer_pattern '^[0-9]+$': a name in the number field, and navn '104455' looks like a number: are nummer and navn swapped?",
            "nummer '2015-08-01' does not match nummer_pattern '^[0-9]+$': a date in the number field: are two columns swapped?",
            "nummer 'K-12' does not match nummer_pattern '^[0-9]+$'",
        ])
        #expect(result.manifest.inputs[0].rejectedByReason == ["invalid_institution_number": 4])
    }

    /// A number longer than any register's is rejected with its line, pattern or not: at 2.7 KB
    /// the warehouse's indexes refused it at load, every night, naming no record (an adversarial review).
    @Test func aNumberTooLongForTheWarehouseIsRejectedAtItsLine() throws {
        let long = String(repeating: "x7", count: 1_500)
        let f = try Self.fixture(Self.clean + ["3,\(long),Langhuset,Daginstitution,Børnehave,Østerbro,,101"], pattern: nil)
        _ = try f.extract()
        let reject = try #require(f.rejects().first)
        #expect((reject.file, reject.line, reject.field, reject.reason) == ("institutioner.csv", 4, "nummer", .invalidInstitutionNumber))
        #expect(reject.message == "nummer of 3000 bytes, longer than the 100 an institution number may have")
        #expect(f.rows(StageFile.institutions).count == 2)
    }

    /// Without a pattern the register takes any text as a number; an enrolment naming an
    /// institution by its name is then told so.
    @Test func anEnrolmentNamingAnInstitutionByNameIsToldSo() throws {
        let f = try Self.fixture(Self.clean, pattern: nil)
        f.write(Sample.enrolments + "0102131234;Røde Møllegårds Børnehave;01-08-2014;\n", to: "indmeldelser.csv")
        _ = try f.extract()
        #expect(f.rejects().map(\.message) == ["institution Røde Møllegårds Børnehave is not in the register (institutioner.csv): a name in the number field: are two columns swapped?"])
    }

    @Test func valueMapsExactContainsAndDefault() throws {
        for (fallback, unknown) in [(PipelineConfig.ValueMap.Fallback.keep, "Fritidshjem"), (.empty, "\\N"), (.value("integreret"), "integreret")] {
            let f = try Self.fixture(Self.clean + [
                "3,101236,Nattergalen,Daginstitution,Børnehave#Daginstitution,Amager Øst,,101",
                "4,101237,Fritten,Daginstitution,Fritidshjem,Amager Øst,,101",
                "5,101238,Fritten 2,Daginstitution,Fritidshjem,Amager Øst,,101",
                "6,101239,Småbørn,Daginstitution,  VUGGESTUE ,Amager Øst,,101",
                "7,101240,Ingen type,Daginstitution,,Amager Øst,,101",
                "8,101241,Exact,Daginstitution,Special#Vuggestue,Amager Øst,,101",
                "9,101242,Tom,Daginstitution,TOM,Amager Øst,,101",
            ])
            var map = f.config.sources.institutions.values["type"]!
            map.exact = [.init(match: "special#vuggestue", value: "boernehave"), .init(match: "Tom", value: nil)]
            map.fallback = fallback
            f.config.sources.institutions.values["type"] = map
            let result = try f.extract()
            #expect(f.rows(StageFile.institutions).map { $0[2] }
                    == ["integreret", "vuggestue", "boernehave", unknown == "\\N" ? "" : unknown, unknown == "\\N" ? "" : unknown,
                        "vuggestue", "", "boernehave", ""])   // `Tom` mapped to null: empty, not unmatched
            #expect(result.manifest.inputs[0].counts["unmapped_value:type"] == 2)
            let warning = try #require(result.warnings.first)
            #expect(warning.hasPrefix("institutioner.csv: 2 values of type matched no rule of its value map and were "))
            #expect(warning.contains("'Fritidshjem' (2)"))
        }
    }

    /// Case events too: another system's event names mapped to the contract's.
    @Test func eventTypesCanBeMapped() throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        f.config.sources.caseEvents.values["haendelse"] = .init(
            exact: [.init(match: "Underretning modtaget", value: "underretning"), .init(match: "Sag oprettet", value: "sag_oprettet")])
        f.write(Sample.caseEvents.replacingOccurrences(of: ";underretning;", with: ";Underretning modtaget;")
            .replacingOccurrences(of: ";sag_oprettet;", with: ";SAG OPRETTET;") + "S-9;0102131234;Telefon;02-04-2015;;;\n", to: "sagshaendelser.csv")
        let result = try f.extract()
        #expect(f.rows(StageFile.caseEvents).map { $0[3] } == ["underretning", "sag_oprettet", "sag_afsluttet"])
        // Kept as written, then rejected by the contract's check, and counted as unmatched;
        // `sag_afsluttet`, a value of the contract, needs no rule and is not counted.
        #expect(f.rejects().map(\.reason) == [.unknownEventType])
        #expect(result.manifest.inputs[3].counts == ["unmapped_value:haendelse": 1])
        #expect(result.warnings.contains("sagshaendelser.csv: 1 value of haendelse matched no rule of its value map and was rejected (unknown_event_type): "
                                         + "an event type is one of the contract's: 'Telefon' (1); add them to values.haendelse in the pipeline file"), "\(result.warnings)")
    }

    /// A default is for the export's own codes: a value of the contract's own keeps itself, in
    /// any case, as rules compare (`Andre` was a category of its own beside `andre`, a new steward's trial).
    @Test func aDefaultLeavesTheContractsOwnValues() throws {
        let f = try Fixture()
        f.config.sources.caseEvents.values["kilde"] = .init(exact: [.init(match: "Telefon", value: "foraeldre")], fallback: .value("andre"))
        f.write(Sample.caseEvents + "S-9;0102131234;underretning;02-04-2015;;Politiet;\nS-9;0102131234;underretning;03-04-2015;;Telefon;\n"
                + "S-9;0102131234;underretning;04-04-2015;;Skole;\n", to: "sagshaendelser.csv")
        let result = try f.extract()
        #expect(f.rows(StageFile.caseEvents).map { $0[6] } == ["daginstitution", "\\N", "\\N", "andre", "foraeldre", "skole"])
        #expect(result.manifest.inputs[3].counts == ["unmapped_value:kilde": 1])
    }

    /// Without a value map, a `kilde` or `aarsag` outside the contract is passed on as
    /// written, so it would be a category of its own in analysts' views (a name, say):
    /// counted and warned about, with the way to map it. The contract's own are not.
    /// With a value map on another field, every record is edited first: the same count.
    @Test(arguments: [false, true])
    func aValueOutsideTheContractWithoutAMapIsWarnedAbout(otherFieldMapped: Bool) throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        if otherFieldMapped {
            f.config.sources.caseEvents.values["haendelse"] = .init(exact: [.init(match: "Underretning modtaget", value: "underretning")])
        }
        f.write(Sample.caseEvents + "S-9;0102131234;underretning;02-04-2015;;Hans Jensen (nabo);\n"
                + "S-9;0102131234;underretning;03-04-2015;;Hans Jensen (nabo);\nS-9;0102131234;underretning;04-04-2015;;politi;\n"
                + "S-9;0102131234;sag_afsluttet;05-04-2015;;;familien_selv\n"
                // Rejected (no date): analysts will not see its value, so it is not counted.
                + "S-9;0102131234;underretning;;;Hans Jensen (nabo);\n", to: "sagshaendelser.csv")
        let result = try f.extract()
        #expect(result.rejected == 1)
        #expect(f.rows(StageFile.caseEvents).map { $0[6] }.contains("Hans Jensen (nabo)"))
        #expect(result.manifest.inputs[3].counts == ["unmapped_value:kilde": 2])
        #expect(result.warnings.contains("sagshaendelser.csv: 2 values of kilde are no value of the contract and were passed on as written, "
                                         + "so analysts see them as their own categories: 'Hans Jensen (nabo)' (2); map them in values.kilde in the pipeline file"),
                "\(result.warnings)")
    }

    @Test func optionalFieldsLeftUnmappedAreEmpty() throws {
        let f = try Self.fixture(Self.clean)
        f.config.sources.institutions.columns["bydel"] = nil
        f.config.sources.institutions.columns["klynge"] = nil
        f.config.sources.caseEvents.columns["paragraf"] = nil
        f.config.sources.assignments.columns["medarbejder_id"] = nil
        f.config.sources.enrolments.columns["udmeldt"] = nil
        f.write("sagsnummer;cpr;haendelse;dato;kilde;aarsag\nS-1;0102131234;underretning;02-04-2015;skole;\n", to: "sagshaendelser.csv")
        let result = try f.extract()
        #expect(result.rejected == 0)
        #expect(f.rows(StageFile.institutions)[0] == ["101234", "Børnehuset Mælkebøtten", "integreret", "", "\\N", "\\N", "\\N", "\\N", "2"])
        #expect(f.rows(StageFile.caseEvents)[0].suffix(4) == ["\\N", "skole", "\\N", "2"])
        #expect(f.rows(StageFile.assignments).map { $0[0] } == ["", ""])
        #expect(f.rows(StageFile.enrolments).map { $0[4] } == ["\\N", "\\N"])
    }

    /// Rows a filter leaves out are counted, not rejected, and not part of the reject share.
    @Test func aRowFilterSkipsRowsAndTheThresholdLeavesThemOut() throws {
        let f = try Self.fixture(Self.clean + [
            "3,101236,Privat,Privat institution,Børnehave,Østerbro,,101",
            "4,101237,Nabokommune,Daginstitution,Børnehave,Østerbro,,147",
            "5,101238,Anden nabo,Daginstitution,Børnehave,Østerbro,,151",
            "6,Navn i nummer,Anden nabo,Daginstitution,Børnehave,Østerbro,,101",
        ])
        f.config.sources.institutions.filter = .init(
            keep: [.init(column: "kommunekode", values: ["101", "147"])], skip: [.init(column: "enhedstype", values: ["privat INSTITUTION"])])
        f.config.sources.institutions.rejectThreshold = 0.25   // 1 of 4 read after the filter
        let result = try f.extract()
        #expect(f.rows(StageFile.institutions).map { $0[0] } == ["101234", "101235", "101237"])
        let register = result.manifest.inputs[0]
        #expect((register.rowsRead, register.accepted, register.rejected) == (6, 3, 1))
        #expect(register.counts["filtered"] == 2)
        f.config.sources.institutions.rejectThreshold = 0.24
        #expect(try thresholdBreaches { try f.extract() } == [ThresholdBreach(file: "institutioner.csv", rejected: 1, read: 4, threshold: 0.24)])
        // A filter column missing from the header is a pipeline-file error naming it.
        f.config.sources.institutions.filter = .init(keep: [.init(column: "kommune", values: ["101"], line: 12)])
        let error = #expect(throws: ExtractError.self) { try f.extract() }
        guard case .missingColumn(let m) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(m.key == "sources.institutioner.filter.keep.kommune" && m.pipelineLine == 12)
    }

    /// XML too, by attribute or child element, mapped or not.
    @Test func aRowFilterOnAnXMLRegister() throws {
        let f = try Fixture()
        f.config.sources.institutions.filter = .init(keep: [.init(column: "Bydel", values: ["Valby", "Nørrebro"]),
                                                             .init(column: "ejer", values: ["kommunal"])],
                                                      skip: [.init(column: "Bydel", values: ["valby"])])
        f.write(Sample.institutionsXML.replacingOccurrences(of: "<Institution nummer=", with: "<Institution ejer=\"Kommunal\" nummer="), to: "institutioner.xml")
        f.config.rejectThreshold = 1
        let result = try f.extract()
        #expect(f.rows(StageFile.institutions).map { $0[0] } == ["101234"])
        #expect(result.manifest.inputs[0].counts == ["filtered": 1])
        #expect(f.rejects().map(\.reason) == [.unknownInstitution, .unknownInstitution])
    }

    /// The register's own threshold: it may be dirtier than the others without stopping the run.
    @Test func aSourcesOwnThresholdOverridesThePipelines() throws {
        let f = try Self.fixture(Self.clean + ["3,Navn,Navn,Daginstitution,Børnehave,Østerbro,,101"])
        f.config.rejectThreshold = 0.05
        #expect(try thresholdBreaches { try f.extract() } == [ThresholdBreach(file: "institutioner.csv", rejected: 1, read: 3, threshold: 0.05)])
        f.config.sources.institutions.rejectThreshold = 0.5
        #expect(try f.extract().rejected == 1)
        // The others keep the pipeline's.
        f.write(Sample.enrolments + "0102131234;999999;01-08-2014;\n", to: "indmeldelser.csv")
        #expect(try thresholdBreaches { try f.extract() } == [ThresholdBreach(file: "indmeldelser.csv", rejected: 1, read: 3, threshold: 0.05)])
    }
}
