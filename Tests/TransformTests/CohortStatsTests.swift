import Foundation
import Pipeline
import TestSupport
import Testing
@testable import Transform

/// Transform's statistics (`CohortStats`, the files load copies for the metrics views) are
/// what the plain aggregation of its own fact files gives (`ReferenceStats`): counts and
/// sums exactly, ages to the last bits of a double.
@Suite struct CohortStatsTests {
    @Test(arguments: [(800, UInt64(11)), (3000, 12)])
    func statsAreThePlainAggregationOfTheFacts(children: Int, seed: UInt64) throws {
        let run = SyntheticExtract.temporaryRun("stats")
        defer { SyntheticExtract.remove(run) }
        try SyntheticExtract.write(children: children, seed: seed, into: run)
        _ = try TransformStage().run(run: run, windowFrom: SyntheticExtract.windowFrom, windowTo: nil, asOf: SyntheticExtract.asOf)

        func rows(_ name: String) throws -> [[String?]] {
            var reader = try ReferenceStageReader(path: run.file(.transform, name))
            var out: [[String?]] = []
            try reader.forEach { f, _ in out.append(f.map(ReferenceField.string)) }
            return out
        }
        var reference = ReferenceStats()
        for r in try rows(FactFile.exposure.rawValue) {
            reference.exposure.append((r[5]!, r[0]!, Int(r[1]!)!, r[3]!, Int(r[4]!)!))
        }
        for r in try rows(FactFile.firstEvents.rawValue) where r[3] != nil {
            reference.firsts.append((r[0]!, Day(iso: r[1]!)!, Int(r[2]!)!, r[3]!, r[5]!))
        }
        for r in try rows(FactFile.caseEvents.rawValue) where r[1] == EventType.notification.rawValue && r[7] != nil {
            reference.notes.append((r[7]!, r[4], r[9]!, Day(iso: r[2]!)!))
        }
        for r in try rows(FactFile.cases.rawValue) where r[3] != nil && r[7] != nil {
            reference.closed.append((r[3]!, r[8] ?? "", r[5]!, Day(iso: r[1]!)!))
        }
        #expect(reference.firsts.count > 50 && reference.notes.count > 10 && reference.closed.count > 10)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (file, write) in [(StatsFile.cohortStats, reference.writeCohortStats), (.notificationStats, reference.writeNotificationStats),
                              (.closureStats, reference.writeClosureStats)] {
            let path = dir.appendingPathComponent(file.rawValue).path
            let w = try ReferenceStageWriter(path: path)
            try write(w)
            try w.close()
            var reader = try ReferenceStageReader(path: path)
            var expected: [[String?]] = []
            try reader.forEach { f, _ in expected.append(f.map(ReferenceField.string)) }
            let got = try rows(file.rawValue)
            #expect(got.count == expected.count, "\(file.rawValue)")
            let key = { (r: [String?]) in r.prefix(file == .cohortStats ? 4 : 2).map { $0 ?? "NULL" }.joined(separator: "|") }
            let byKey = Dictionary(uniqueKeysWithValues: expected.map { (key($0), $0) })
            for row in got {
                let want = try #require(byKey[key(row)], "\(file.rawValue): \(key(row)) is not in the reference")
                #expect(row.count == want.count)
                for (a, b) in zip(row, want) where a != b {
                    let (x, y) = (Double(a ?? "") ?? .nan, Double(b ?? "") ?? .nan)
                    #expect(abs(x - y) <= 1e-12 * max(abs(y), 1), "\(file.rawValue) \(key(row)): \(a ?? "NULL") ≠ \(b ?? "NULL")")
                }
            }
        }
    }

    /// Districts are grouped by their exact text, as the facts and the views group them: one
    /// written in another Unicode form (`Å` as `A` + ring) is another district.
    @Test func aDistrictInAnotherUnicodeFormIsAnotherDistrict() throws {
        var institutions = HandFixture.institutions
        institutions[0].district = "Åby"
        institutions[3].district = "A\u{30A}by"
        let facts = try Transform.compute(
            institutions: institutions, assignments: HandFixture.assignments, enrolments: HandFixture.enrolments,
            events: HandFixture.events, windowFrom: HandFixture.windowFrom, windowTo: HandFixture.windowTo, asOf: HandFixture.asOf)
        #expect(CohortStats(facts).districts.map { Array($0.utf8) } == ["Amager", "A\u{30A}by", "Nørrebro", "Åby"].map { Array($0.utf8) })
    }
}
