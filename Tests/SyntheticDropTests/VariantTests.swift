import Foundation
import Testing
import Pipeline
@testable import SyntheticDrop

@Suite struct VariantTests {
    /// The same seed writes the same records in both variants; only the form differs.
    @Test func otherVariantHoldsTheSameRecords() throws {
        let a = try Fixtures.clean.read(), b = try Fixtures.cleanOther.read()
        #expect(a.institutions == b.institutions)
        #expect(a.assignments == b.assignments)
        #expect(a.spells == b.spells)
        #expect(a.events == b.events)
        #expect(Fixtures.clean.summary.truth == Fixtures.cleanOther.summary.truth)
    }

    @Test func otherVariantIsWindows1252WithCommas() throws {
        let layout = DropGenerator.Variant.other.layout
        for f in layout.files {
            let bytes = try Fixtures.cleanOther.bytes(f.name)
            switch f.format {
            case .csv:
                #expect(f.encoding == .windows1252)
                if bytes.contains(where: { $0 >= 0x80 }) {
                    #expect(String(validating: bytes, as: UTF8.self) == nil, "\(f.name) is not UTF-8")
                }
                let firstLine = String(decoding: bytes.prefix { $0 != 13 }, as: UTF8.self)
                #expect(firstLine == f.columns.map(\.name).joined(separator: ","))
                #expect(bytes.contains(13), "CRLF")
            case .xml(let ns):
                let doc = try readXML(Data(bytes))
                #expect(doc.namespace == ns && doc.rootName == "Sagshaendelser")
                #expect(doc.records.allSatisfy { $0.attributes["sagsnummer"] != nil && $0.children["Dato"] != nil })
            }
        }
        // æøå as single bytes: ø is 0xF8, and names with commas and quotes are quoted.
        let institutions = try Fixtures.cleanOther.bytes("institutioner.csv")
        let singleBytes = institutions.contains(0xF8) && institutions.contains(0xE6) && institutions.contains(0xE5)
        let utf8Lead = institutions.contains(0xC3)
        #expect(singleBytes && !utf8Lead)
        let (_, records) = readCSV(institutions, delimiter: 44, windows1252: true)
        #expect(records.contains { $0.fields[1].contains(",") } && records.contains { $0.fields[1].contains("\"") })
        #expect(records.allSatisfy { $0.fields.count == 8 && !$0.malformed })
    }

    @Test func copenhagenFormsAndEscaping() throws {
        let drop = Fixtures.clean
        let bom = try drop.bytes("indmeldelser.csv").starts(with: [0xEF, 0xBB, 0xBF])
        #expect(bom, "a BOM")
        let events = try drop.bytes("sagshaendelser.csv")
        let header = String(decoding: events.prefix(80), as: UTF8.self)
        #expect(header.hasPrefix("sagsnummer;cpr;haendelse;dato;paragraf;kilde;aarsag;bemaerkning\r\n"))
        let (_, records) = readCSV(events, delimiter: 59, windows1252: false)
        let notes = records.map { $0.fields[7] }
        #expect(notes.contains { $0.contains("\n") } && notes.contains { $0.contains(";") } && notes.contains { $0.contains("\"") })
        #expect(records.allSatisfy { $0.fields.count == 8 && !$0.malformed })
        #expect(records.contains { $0.line > records.firstIndex(where: { _ in true })! + 2 }, "line numbers count embedded breaks")

        // Names read back through an XML parser exactly as the register holds them.
        var rng = SeededRandom(seed: drop.options.seed, stream: 1)
        let daycare = Daycare(count: 320, asOf: Fixtures.asOf, windowFrom: Fixtures.windowFrom, rng: &rng)
        let read = try drop.read()
        #expect(read.institutions.map(\.name) == daycare.institutions.map(\.name))
        #expect(read.institutions.map(\.number) == daycare.institutions.map { String($0.number) })
        let names = read.institutions.map(\.name).joined()
        for c in ["&", "<", ">", "\"", "æ", "ø", "å", "Æ", "Ø", "Å", "é"] { #expect(names.contains(c), "a name with \(c)") }
    }

    @Test func layoutNamesEveryContractColumn() {
        for v in DropGenerator.Variant.allCases {
            let l = v.layout
            #expect(Set(l.spells.columns.compactMap(\.contract)) == ["cpr", "institutionsnummer", "indmeldt", "udmeldt"])
            #expect(Set(l.assignments.columns.compactMap(\.contract)) == ["medarbejder_id", "institutionsnummer", "fra", "til"])
            #expect(Set(l.events.columns.compactMap(\.contract)) == ["sagsnummer", "cpr", "haendelse", "dato", "paragraf", "kilde", "aarsag"])
            #expect(l.institutions.columns.compactMap(\.contract).count == 8)
        }
    }
}
