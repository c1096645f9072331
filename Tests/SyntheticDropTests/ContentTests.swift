import Foundation
import Testing
import Pipeline
@testable import SyntheticDrop

/// The drop looks like the real thing: the irregularities a pipeline must cope with are there.
@Suite struct ContentTests {
    @Test func registerAndRoster() throws {
        let d = try Fixtures.clean.read()
        let xml = try readXML(Data(Fixtures.clean.bytes("institutioner.xml")))
        #expect(xml.rootAttributes["udtraeksdato"] == "2026-11-21")
        #expect(xml.records.allSatisfy { $0.attributes["nummer"]!.count == 6 })
        #expect(Set(xml.records.map { $0.children["Type"]! }) == ["vuggestue", "boernehave", "integreret"])
        #expect(Set(d.institutions.map(\.district)) == Set(Names.districts.map(\.name)))
        #expect(xml.records.contains { $0.children["Klynge"] == "" } && xml.records.contains { $0.children["Klynge"]!.contains("-") })
        #expect(xml.records.contains { $0.children["Nedlagt"] != "" }, "some closed")
        #expect(d.assignments.contains { $0.to == nil } && d.assignments.contains { $0.to != nil })

        // The scheme rolls out by cluster, in waves (`evaluation.md`): a small pilot is covered
        // at the window's start, about 45 % of the institutions at some time.
        func covered(on day: Day) -> Int {
            Set(d.assignments.filter { $0.from <= day && day <= ($0.to ?? Fixtures.asOf) }.map(\.institution)).count
        }
        let start = covered(on: Fixtures.windowFrom), end = covered(on: Fixtures.asOf)
        let ever = Set(d.assignments.map(\.institution))
        #expect((3...20).contains(start) && (100...140).contains(end), "covered \(start) → \(end) of 320")
        #expect((125...160).contains(ever.count), "\(ever.count) of 320 ever covered")
        // Whole clusters: the institutions of a covered cluster are covered, but for those
        // closed before their wave came.
        let cluster = Dictionary(xml.records.map { ($0.attributes["nummer"]!, $0.children["Klynge"]!) }) { a, _ in a }
        let members = Dictionary(grouping: cluster.keys.filter { cluster[$0] != "" }) { cluster[$0]! }.values
        let inCoveredClusters = members.filter { $0.contains(where: ever.contains) }
        let coveredMembers = inCoveredClusters.reduce(0) { $0 + $1.filter(ever.contains).count }
        let allMembers = inCoveredClusters.reduce(0) { $0 + $1.count }
        #expect(inCoveredClusters.count > 15 && Double(coveredMembers) >= 0.85 * Double(allMembers),
                "\(coveredMembers) of \(allMembers) in \(inCoveredClusters.count) covered clusters")
        // In four waves of half a year each (which may straddle two calendar half-years): but
        // for institutions opened later, the first days fall in at most eight half-years.
        let firstDays = Dictionary(grouping: d.assignments, by: \.institution).mapValues { $0.map(\.from).min()! }
        let byHalfYear = Dictionary(grouping: firstDays.values) { $0.year * 2 + ($0.civil.month > 6 ? 1 : 0) }
        let busiest = byHalfYear.values.map(\.count).sorted(by: >).prefix(8).reduce(0, +)
        #expect(Double(busiest) >= 0.85 * Double(firstDays.count), "\(busiest) of \(firstDays.count) in the busiest 8 half-years")

        // Workers who moved on to another institution.
        let (_, roster) = readCSV(try Fixtures.clean.bytes("socialraadgivere.csv"), delimiter: 59, windows1252: false)
        let places = Dictionary(grouping: roster, by: { $0.fields[0] }).mapValues { Set($0.map { $0.fields[2] }).count }
        #expect(places.values.contains { $0 > 1 })
    }

    @Test func spellsAndCases() throws {
        let d = try Fixtures.clean.read()
        let byChild = Dictionary(grouping: d.spells, by: \.cpr)
        var overlaps = 0, gaps = 0, moves = 0
        for (_, ss) in byChild {
            let sorted = ss.sorted { $0.from < $1.from }
            for (a, b) in zip(sorted, sorted.dropFirst()) {
                let end = a.to ?? Fixtures.asOf
                if b.from <= end { overlaps += 1 } else if b.from > end + 1 { gaps += 1 }
                if a.institution != b.institution { moves += 1 }
            }
        }
        #expect(overlaps > 0 && gaps > 0 && moves > 0)
        #expect(d.spells.contains { $0.to == nil }, "children still enrolled")
        let enrolled = Set(byChild.keys)
        let withCases = Set(d.events.map(\.cpr))
        #expect(!withCases.subtracting(enrolled).isEmpty, "never-enrolled children with cases")
        #expect(Double(enrolled.count) / Double(Fixtures.clean.summary.children) > 0.9)
        #expect(d.events.contains { $0.day < Fixtures.windowFrom })
        let cases = Dictionary(grouping: d.events, by: \.caseNumber)
        #expect(cases.count == Fixtures.clean.summary.cases)
        #expect(Dictionary(grouping: cases.values, by: { $0[0].cpr }).values.contains { $0.count > 1 }, "children with several cases")
        #expect(cases.keys.allSatisfy { $0.wholeMatch(of: /S-20\d\d-\d{6}/) != nil })
        #expect(Set(d.events.map(\.kilde)) == Set(["", "daginstitution", "daginstitutionsraadgiver", "skole", "sundhedspleje", "politi", "foraeldre", "andre"]))
        #expect(Set(d.events.map(\.aarsag)) == Set(["", "bekymring_ophoert", "familien_selv", "flyttet", "anden_sag", "andet"]))
    }

    /// Each case runs in order: notified, opened, investigated, measures, closed.
    @Test(arguments: [Fixtures.clean, Fixtures.cleanOther])
    func casesRunInOrder(drop: Generated) throws {
        let d = try drop.read()
        for (number, es) in Dictionary(grouping: d.events, by: \.caseNumber) {
            func days(_ t: String) -> [Day] { es.filter { $0.type == t }.map(\.day) }
            let opened = days("sag_oprettet")
            try #require(opened.count == 1, "\(number)")
            #expect(es.first?.type == "underretning" && es[0].day <= opened[0], "\(number) starts with its notification")
            #expect(es.map(\.day) == es.map(\.day).sorted(), "\(number) in day order")
            #expect(String(number.dropFirst(2).prefix(4)) == String(opened[0].year))
            for e in es {
                #expect((e.type == "underretning") == !e.kilde.isEmpty)
                #expect((e.type == "sag_afsluttet") == !e.aarsag.isEmpty)
            }
            if let s = days("undersoegelse_startet").first { #expect(s >= opened[0]) }
            if let m = days("foranstaltning_startet").first { #expect(days("undersoegelse_startet").first.map { $0 <= m } ?? false) }
            if let closed = days("sag_afsluttet").first { #expect(es.last?.type == "sag_afsluttet" && es.allSatisfy { $0.day <= closed }) }
            #expect(es.allSatisfy { $0.day <= Fixtures.asOf })
        }
    }
}
