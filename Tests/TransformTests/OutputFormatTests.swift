import Foundation
import Pipeline
import TestSupport
import Testing
@testable import Transform

/// The stage's own fast paths must not drift from Pipeline's formats: its writer against
/// `ReferenceStageWriter`, its decoders against the record decoders.
@Suite struct OutputFormatTests {
    func compareWriters(_ facts: Facts, _ name: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("transform-format-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows = FactRows(facts)
        for file in FactFile.allCases {
            let fast = dir.appendingPathComponent("fast-" + file.rawValue).path
            let reference = dir.appendingPathComponent("reference-" + file.rawValue).path
            let out = try rows.write(file, to: fast)
            let refRows = try ReferenceFactWriter.write(file, facts, to: reference)
            let a = try #require(FileManager.default.contents(atPath: fast))
            let b = try #require(FileManager.default.contents(atPath: reference))
            #expect(a == b, "\(name) \(file.rawValue) differs from ReferenceStageWriter's bytes")
            #expect(out.rows == refRows && out.bytes == Int64(b.count))
            #expect(out.checksum == .xxh128(try XXH128Sum.file(reference)))
        }
    }

    @Test func writerMatchesTheReferenceOnTheHandFixture() throws {
        try compareWriters(try Transform.compute(
            institutions: HandFixture.institutions, assignments: HandFixture.assignments,
            enrolments: HandFixture.enrolments, events: HandFixture.events,
            windowFrom: HandFixture.windowFrom, windowTo: HandFixture.windowTo, asOf: HandFixture.asOf), "fixture")
    }

    @Test func writerMatchesTheReferenceOnAwkwardText() throws {
        // Tabs, backslashes, line breaks and non-ASCII in every text column; far-off dates.
        let institutions = [
            InstitutionRecord(number: "7\t1", name: "Bø\\rne\nhus", type: "vuggestue", district: "Øster\rbro",
                              cluster: "K\\1", places: nil, opened: D("1850-03-04"), closed: D("2300-01-01"), line: 1),
        ]
        let enrolments = [spell("kéy\\1", born: "2019-01-01", "7\t1", "2019-06-01", nil)]
        let events = [
            CaseEventRecord(caseID: "S\t1", childKey: "kéy\\1", birth: D("2019-01-01"), event: .notification,
                            day: D("2020-01-01"), paragraph: "§ 50\n", source: "skole\\", reason: nil, line: 2),
            CaseEventRecord(caseID: "S\t1", childKey: "kéy\\1", birth: D("2019-01-01"), event: .caseOpened,
                            day: D("2020-01-02"), paragraph: nil, source: nil, reason: nil, line: 3),
            CaseEventRecord(caseID: "S\t1", childKey: "kéy\\1", birth: D("2019-01-01"), event: .caseClosed,
                            day: D("2020-03-02"), paragraph: nil, source: nil, reason: "and\tet", line: 4),
        ]
        let facts = Transform.compute(institutions: institutions, assignments: [assignment("7\t1", "2019-01-01", nil)],
                                      enrolments: enrolments, events: events,
                                      window: D("2019-01-01")...D("2021-01-01"), asOf: D("2021-01-01"))
        #expect(facts.exposure.count == 3)  // 2019, 2020 and 2021-01-01
        try compareWriters(facts, "awkward")
    }

    @Test func writerMatchesTheReferenceOnASyntheticExtract() throws {
        let run = SyntheticExtract.temporaryRun("format")
        defer { SyntheticExtract.remove(run) }
        try SyntheticExtract.write(children: 500, seed: 7, into: run)
        let facts = try SyntheticExtract.factsThroughRecordAPI(run)
        try compareWriters(facts, "synthetic")
    }

    /// Every field list either decodes the same way both ways, or is refused both ways.
    @Test func rawDecodersAcceptWhatTheRecordDecodersAccept() {
        func f(_ fields: [String]) -> [ArraySlice<UInt8>] { fields.map { Array($0.utf8)[...] } }
        func line(_ fields: [String]) -> [UInt8] { Array(fields.joined(separator: "\t").utf8) }
        let register = Register(HandFixture.institutions)
        let enrolmentCases: [[String]] = [
            ["k1", "2018-01-01", "101", "2019-01-01", "\\N", "5"],
            ["k\\\\1", "2018-01-01", "101", "2019-01-01", "2019-05-01", "6"],   // escaped backslash in the key
            ["k1", "2018-01-01", "101", "2019-01-01", "31-12-2019", "7"],       // a bad end reads as open, as in Pipeline
            ["k1", "2018-01-01", "999", "2019-01-01", "\\N", "8"],              // unknown institution: skipped
            ["\\N", "2018-01-01", "101", "2019-01-01", "\\N", "9"],
            ["k1", "2018-02-30", "101", "2019-01-01", "\\N", "10"],
            ["k1", "2018-01-01", "\\N", "2019-01-01", "\\N", "11"],
            ["k1", "2018-01-01", "101", "2019-01-01", "\\N", "x"],
            ["k1", "2018-01-01", "101", "2019-01-01", "\\N", "-7"],             // ReferenceField.int's minus sign
            ["k1", "2018-1-01", "101", "2019-01-01", "\\N", "12"],
            ["k1", "2018-01-01", "101", "2019-01-01", "\\N", ""],
            ["k1", "2018-01-01", "101", "2019-01-01", "\\N"],
        ]
        for fields in enrolmentCases {
            var viaRecord = SpellTable(register: register), raw = SpellTable(register: register)
            let record = try? EnrolmentRecord(fields: f(fields), path: "p", line: 1)
            if let record { viaRecord.add(record) }
            let rawOK = StageFileReader.withRecord(line(fields)) { (try? raw.add($0, path: "p", line: 1)) != nil }
            #expect(rawOK == (record != nil), "\(fields)")
            #expect(raw.spells == viaRecord.spells && raw.skippedCount == viaRecord.skippedCount, "\(fields)")
            #expect(raw.children.keys.count == viaRecord.children.keys.count)
            if raw.children.keys.count == 1 { #expect(raw.children.keys.string(0) == viaRecord.children.keys.string(0)) }
        }
        let eventCases: [[String]] = [
            ["S-1", "k1", "2018-01-01", "underretning", "2019-01-01", "\\N", "skole", "\\N", "5"],
            ["S\\t1", "k1", "2018-01-01", "sag_afsluttet", "2019-01-01", "52.3", "\\N", "andet", "6"],
            ["S-1", "k1", "2018-01-01", "sag_lukket", "2019-01-01", "\\N", "\\N", "\\N", "7"],
            ["S-1", "k1", "2018-01-01", "\\N", "2019-01-01", "\\N", "\\N", "\\N", "8"],
            ["\\N", "k1", "2018-01-01", "underretning", "2019-01-01", "\\N", "\\N", "\\N", "9"],
            ["S-1", "k1", "2018-01-01", "underretning", "2019-13-01", "\\N", "\\N", "\\N", "10"],
            ["S-1", "k1", "2018-01-01", "underretning", "2019-01-01", "\\N", "\\N", "\\N"],
            ["S-1", "k1", "2018-01-01", "underretning", "2019-01-01", "\\N", "\\N", "\\N", "1", "extra"],
            ["S-1", "", "2018-01-01", "foranstaltning_startet", "2019-01-01", "", "", "", "3"],   // empty, not NULL
        ]
        for fields in eventCases {
            var viaRecord = EventTable(), raw = EventTable()
            let record = try? CaseEventRecord(fields: f(fields), path: "p", line: 1)
            if let record { viaRecord.add(record) }
            let rawOK = StageFileReader.withRecord(line(fields)) { (try? raw.add($0, path: "p", line: 1)) != nil }
            #expect(rawOK == (record != nil), "\(fields)")
            #expect(raw.events == viaRecord.events, "\(fields)")
            #expect((0..<raw.vocabulary.count).map { raw.vocabulary.string($0) }
                    == (0..<viaRecord.vocabulary.count).map { viaRecord.vocabulary.string($0) })
            if raw.caseIDs.count == 1 { #expect(raw.caseIDs.string(0) == viaRecord.caseIDs.string(0)) }
        }
    }

    /// Files split into the same records and fields by both readers, errors included.
    @Test func scannerSplitsLikeTheReferenceReader() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("transform-scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SplitMix64(seed: 3)
        var big = ""
        for i in 0..<60_000 {  // > 4 MiB: records cross the scanner's buffer boundary
            big += "\(i)\t" + String(repeating: "x", count: Int.random(in: 0...120, using: &rng)) + "\t\\N\n"
        }
        let files: [(String, String)] = [
            ("plain", "a\tb\tc\nd\te\tf\n"),
            ("edges", "\n\t\n\ta\t\nb\t\t\n\\N\n"),
            ("empty", ""),
            ("truncated", "a\tb\nc\td"),
            ("long record", String(repeating: "y", count: 9 << 20) + "\tz\n" + "q\n"),
            ("big", big),
        ]
        for (name, text) in files {
            let path = dir.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            var expected: [(Int, [[UInt8]])] = []
            var expectedError: String?
            do {
                var reader = try ReferenceStageReader(path: path)
                try reader.forEach { f, line in expected.append((line, f.map { Array($0) })) }
            } catch { expectedError = "\(error)" }
            var got: [(Int, [[UInt8]])] = []
            var gotError: String?
            do {
                try StageFileReader.forEach(path: path) { r, line in got.append((line, (0..<r.count).map { Array(r[$0]) })) }
            } catch { gotError = "\(error)" }
            #expect(gotError == expectedError, "\(name)")
            #expect(got.count == expected.count, "\(name)")
            #expect(zip(got, expected).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }, "\(name)")
        }
    }
}
