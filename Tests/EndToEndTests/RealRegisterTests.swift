import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import Operations
import Pipeline
import SyntheticDrop

/// Issue 16: Copenhagen's daycare register as its WFS service publishes it (CSV, comma,
/// one row per address, no places or dates, `#`-joined types, names in the number field),
/// read end to end with `pipelines/copenhagen-wfs.yaml`, gives the same figures as the same
/// drop with the contract's clean register.
@Suite struct RealRegisterTests {
    static let wfsPipeline = Harness.repo.appendingPathComponent("pipelines/copenhagen-wfs.yaml").path

    /// The register's real header (issue 16); the columns the issue elides ("…") are
    /// filled with ones a WFS layer of addresses has (address, contact, geometry).
    static let header = ["FID", "id", "forvaltning", "kkorgnr", "institutions_id", "institutions_orgid", "enhedsnavn",
                         "enhedstype", "ejerforhold", "distrikt", "adresse", "postnr", "postdistrikt", "kommunenavn",
                         "kommunekode", "telefon", "email", "bydel", "wkb_geometry", "type"]

    struct Institution {
        var number = "", name = "", type = "", district = "", cluster = ""
    }

    /// What the fixture holds beyond one row per institution, with the lines to expect.
    struct Quirks {
        var rows = 0
        var merged = 0
        var unknownTypes = 0
        var conflicts: [(line: Int, first: Int, name: String)] = []
        var swapped: [(line: Int, name: String)] = []
        var otherMunicipality = 0, emptyDistrict = 0
    }

    @Test func theCitysRegisterAsPublishedGivesTheSameFigures() throws {
        // The same drop twice: as the contract has it, and with the register as published.
        let clean = try Harness("real_register_clean")
        let cleanDrop = try Self.drop(in: clean)
        let real = try Harness("real_register_wfs")
        let drop = try Self.drop(in: real)
        let institutions = try Self.readRegister(drop.appendingPathComponent("institutioner.xml"))
        #expect(institutions.count > 50)
        let quirks = try Self.writeWFSRegister(institutions, to: drop.appendingPathComponent("dagtilbud.csv"))
        try FileManager.default.removeItem(at: drop.appendingPathComponent("institutioner.xml"))
        try Self.rewriteManifest(drop, replacing: "institutioner.xml", with: "dagtilbud.csv", rows: quirks.rows)

        let a = try clean.run(["run", "--pipeline", Harness.copenhagen, "--drop", cleanDrop.path, "--database", clean.db.url])
        #expect(a.status == 0, "\(a.stderr)")
        let b = try real.run(["run", "--pipeline", Self.wfsPipeline, "--drop", drop.path, "--database", real.db.url])
        #expect(b.status == 0, "\(b.stderr)")
        let line = b.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(line.contains("published=yes") && line.contains("rejected=\(quirks.conflicts.count + quirks.swapped.count)"), "\(line)")

        // The register: merged addresses counted, true conflicts and swapped fields rejected with their lines.
        let run = RunID(rawValue: Int64(line.split(separator: " ")[1])!)
        let extract = try StageManifest.read(from: real.state.run(run).manifest(.extract))
        let register = try #require(extract.inputs.first { $0.name == "dagtilbud.csv" })
        #expect((register.rowsRead, register.accepted) == (quirks.rows, institutions.count))
        #expect(register.counts["merged_address"] == quirks.merged)
        #expect(register.counts["unmapped_value:type"] == quirks.unknownTypes)
        #expect(register.rejectedByReason == ["duplicate_institution": quirks.conflicts.count,
                                              "invalid_institution_number": quirks.swapped.count])
        #expect(extract.inputs.filter { $0.name != "dagtilbud.csv" }.allSatisfy { $0.rejected == 0 })
        let rejects = try real.rows("SELECT line, reason, message FROM etl.rejects WHERE file = 'dagtilbud.csv' ORDER BY line")
        let expected = (quirks.conflicts.map { ($0.line, "duplicate_institution") } + quirks.swapped.map { ($0.line, "invalid_institution_number") })
            .sorted { $0.0 < $1.0 }
        #expect(rejects.map { $0[0] } == expected.map { String($0.0) })
        #expect(rejects.map { $0[1] } == expected.map { $0.1 })
        for c in quirks.conflicts {
            let message = rejects.first { $0[0] == String(c.line) }?[2] ?? ""
            #expect(message.contains("is named '\(c.name)' here") && message.contains("on line \(c.first)"), "\(message)")
        }
        for s in quirks.swapped {
            let message = rejects.first { $0[0] == String(s.line) }?[2] ?? ""
            #expect(message == "nummer '\(s.name.prefix(40))\(s.name.count > 40 ? "…" : "")' does not match nummer_pattern '^[0-9]+$': a name in the number field: are two columns swapped?")
        }
        // The steward hears of the unknown types; counts reach metrics.data_quality.
        #expect(b.stderr.contains("dagtilbud.csv: \(quirks.unknownTypes) values of type matched no rule"), "\(b.stderr)")
        #expect(try real.rows("SELECT reason, records FROM warehouse.data_quality WHERE category = 'extract' AND subject = 'dagtilbud.csv' ORDER BY 1")
                == [["merged_address", String(quirks.merged)], ["unmapped_value:type", String(quirks.unknownTypes)]])
        #expect(try real.rows("SELECT records FROM metrics.data_quality WHERE category = 'extract' AND reason = 'merged_address'") == [[String(quirks.merged)]])

        // The same figures in every analyst's view, and the same institutions.
        for view in try clean.rows("SELECT table_name FROM information_schema.views WHERE table_schema = 'metrics' ORDER BY 1").compactMap({ $0[0] })
            where !["published_run", "data_quality"].contains(view) {
            let query = "SELECT to_jsonb(v) - 'run_id' FROM metrics.\(view) v ORDER BY 1::text"
            let figures = try clean.rows(query)
            #expect(!figures.isEmpty, "metrics.\(view) is empty")
            #expect(try real.rows(query) == figures, "metrics.\(view)")
        }
        let dimension = """
            SELECT number, name, type, district, cluster FROM warehouse.institutions i JOIN etl.published p ON p.load_id = i.load_id ORDER BY number
            """
        #expect(try real.rows(dimension) == (try clean.rows(dimension)))
        #expect(quirks.otherMunicipality > 0 && quirks.emptyDistrict > 0 && quirks.merged > 0 && !quirks.conflicts.isEmpty && !quirks.swapped.isEmpty)
    }

    // MARK: The fixture

    /// A synthetic drop with a register of a city's size relative to its children.
    static func drop(in h: Harness) throws -> URL {
        let url = h.inbox.appendingPathComponent("2026-11-21")
        _ = try DropGenerator(.init(children: 2_500, institutions: 90, seed: 16, asOf: Day(year: 2026, month: 11, day: 21)!)).write(to: url)
        return url
    }

    /// The institutions of a contract register, in its order.
    static func readRegister(_ url: URL) throws -> [Institution] {
        final class Reader: NSObject, XMLParserDelegate {
            var institutions: [Institution] = []
            var text = ""
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) {
                if name == "Institution" { institutions.append(Institution(number: attributes["nummer"] ?? "")) }
                text = ""
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                switch name {
                case "Navn": institutions[institutions.count - 1].name = text
                case "Type": institutions[institutions.count - 1].type = text
                case "Bydel": institutions[institutions.count - 1].district = text
                case "Klynge": institutions[institutions.count - 1].cluster = text
                default: break
                }
            }
        }
        let parser = try #require(XMLParser(contentsOf: url))
        let reader = Reader()
        parser.delegate = reader
        parser.shouldProcessNamespaces = true
        #expect(parser.parse(), "\(String(describing: parser.parserError))")
        return reader.institutions
    }

    /// The register as the WFS service writes it, with its quirks: every 4th institution
    /// at a second address (same number and name, another street, often no `bydel`, some
    /// outside the city); every 9th followed by a row of another institution under its
    /// number; every 7th followed by a row with its name in the number field.
    static func writeWFSRegister(_ institutions: [Institution], to url: URL) throws -> Quirks {
        var q = Quirks()
        var lines = [header.joined(separator: ",")]
        func row(_ i: Institution, number: String, name: String, street: Int, municipality: String = "101",
                 district: String? = nil, type: String? = nil) {
            let types: [String: String] = [
                "integreret": "Aldersintegreret institution#Børnehave#Daginstitution#Vuggestue",
                "vuggestue": "Daginstitution#Vuggestue", "boernehave": "Børnehave#Daginstitution",
            ]
            let fields = [String(lines.count), "\(lines.count + 1000)", "Børne- og Ungdomsforvaltningen", i.cluster, number,
                          "ORG\(number)", name, i.cluster.isEmpty ? "Daginstitution" : "Daginstitution ved klynge", "Kommunal",
                          "Distrikt \(i.district)", "Vej \(street)", municipality == "101" ? "2200" : "3460",
                          municipality == "101" ? "København N" : "Birkerød", municipality == "101" ? "København" : "Rudersdal",
                          municipality, "+45 33 66 00 00", "inst\(number)@kk.dk", district ?? i.district,
                          "POINT (12.\(street) 55.6\(street))", type ?? types[i.type] ?? i.type]
            lines.append(fields.map(csv).joined(separator: ","))
            q.rows += 1
            if municipality != "101" { q.otherMunicipality += 1 }
            if (district ?? i.district).isEmpty { q.emptyDistrict += 1 }
        }
        for (k, i) in institutions.enumerated() {
            row(i, number: i.number, name: i.name, street: k, municipality: k % 10 == 3 ? "230" : "101")
            let first = lines.count
            if k % 4 == 0 {
                // Another address: the first row's values are the ones kept.
                let unknown = k % 8 == 0
                row(i, number: i.number, name: k % 3 == 0 ? i.name.uppercased() : i.name, street: k + 1, municipality: k % 12 == 0 ? "230" : "101",
                    district: k % 3 == 0 ? "" : "Indre By", type: unknown ? "Daginstitution" : nil)
                q.merged += 1
                if unknown { q.unknownTypes += 1 }
            }
            if k % 9 == 5 {
                let other = "Anden institution \(k)"
                row(i, number: i.number, name: other, street: k + 2)
                q.conflicts.append((lines.count, first, other))
            }
            if k % 7 == 2 {
                row(i, number: i.name, name: i.name, street: k + 3)
                q.swapped.append((lines.count, i.name))
            }
        }
        try (lines.joined(separator: "\r\n") + "\r\n").write(to: url, atomically: true, encoding: .utf8)
        return q
    }

    static func csv(_ field: String) -> String {
        field.contains { $0 == "," || $0 == "\"" || $0 == "\n" } ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }

    /// The drop's MANIFEST with one file exchanged for another.
    static func rewriteManifest(_ drop: URL, replacing old: String, with new: String, rows: Int) throws {
        let url = drop.appendingPathComponent("MANIFEST")
        let kept = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.hasSuffix(" " + old) }
        let sha = try SHA256Sum.file(drop.appendingPathComponent(new).path)
        try ((kept.map(String.init) + ["\(sha)  \(rows)  \(new)"]).joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }
}
