import TestSupport
import Foundation
import Pipeline
import Testing
@testable import Transform

@Suite struct StageTests {
    func bytes(_ run: RunFolder, _ file: FactFile) -> Data {
        FileManager.default.contents(atPath: run.file(.transform, file.rawValue)) ?? Data()
    }

    @Test func sameExtractGivesByteIdenticalFiles() throws {
        let run = SyntheticExtract.temporaryRun("determinism")
        defer { SyntheticExtract.remove(run) }
        try SyntheticExtract.write(children: 3000, seed: 42, into: run)
        let stage = TransformStage()

        let first = try stage.run(run: run, windowFrom: SyntheticExtract.windowFrom, windowTo: nil, asOf: SyntheticExtract.asOf)
        let firstBytes = FactFile.allCases.map { bytes(run, $0) }
        let second = try stage.run(run: run, windowFrom: SyntheticExtract.windowFrom, windowTo: nil, asOf: SyntheticExtract.asOf)

        for (file, before) in zip(FactFile.allCases, firstBytes) {
            #expect(!before.isEmpty, "\(file.rawValue) is empty")
            #expect(bytes(run, file) == before, "\(file.rawValue) differs between runs")
        }
        #expect(first.manifest.outputs == second.manifest.outputs)
        #expect(first.manifest.counts == second.manifest.counts)
        #expect(first.manifest.inputs == second.manifest.inputs)
        #expect(first.manifest.outputs.map(\.name) == FactFile.allCases.map(\.rawValue) + StatsFile.allCases.map(\.rawValue))

        // The manifest describes the files as written.
        for out in first.manifest.outputs {
            let path = run.file(.transform, out.name)
            let data = try #require(FileManager.default.contents(atPath: path))
            #expect(out.bytes == Int64(data.count))
            #expect(out.rows == data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) })
            #expect(out.checksum == .xxh128(try XXH128Sum.file(path)))
        }
        let onDisk = try StageManifest.read(from: run.manifest(.transform))
        #expect(onDisk.counts == first.manifest.counts)
        #expect(onDisk.stage == .transform)
        #expect(onDisk.asOf == SyntheticExtract.asOf)
    }

    @Test func manifestCountsAndRowsOfTheHandFixture() throws {
        let run = SyntheticExtract.temporaryRun("fixture")
        defer { SyntheticExtract.remove(run) }
        try SyntheticExtract.write(institutions: HandFixture.institutions, assignments: HandFixture.assignments,
                                   enrolments: HandFixture.enrolments, events: HandFixture.events, into: run)
        let result = try TransformStage().run(run: run, windowFrom: HandFixture.windowFrom, windowTo: HandFixture.windowTo,
                                              asOf: HandFixture.asOf)
        let m = result.manifest
        let rows = Dictionary(uniqueKeysWithValues: m.outputs.map { ($0.name, $0.rows) })
        #expect(rows == [
            FactFile.institutions.rawValue: 4, FactFile.children.rawValue: 11, FactFile.enrolments.rawValue: 11,
            FactFile.coverage.rawValue: 3, FactFile.exposure.rawValue: 14, FactFile.caseEvents.rawValue: 29,
            FactFile.firstEvents.rawValue: 18, FactFile.cases.rawValue: 11,
            FactFile.evaluationPanel.rawValue: 4 * 6,
            StatsFile.cohortStats.rawValue: 11, StatsFile.notificationStats.rawValue: 1, StatsFile.closureStats.rawValue: 2,
        ])
        #expect(m.counts[TransformCounts.skippedEnrolments] == 1)
        #expect(m.counts[TransformCounts.childrenWithoutSpell] == 2)
        #expect(m.counts[TransformCounts.eventsOfChildrenWithoutSpell] == 3)
        #expect(m.counts["unattributed.case.not_enrolled"] == 1)
        #expect(m.counts["unattributed.case.outside_window"] == 2)
        #expect(m.counts["unattributed.investigation.out_of_age"] == 1)
        #expect(m.counts["case_events.treatment"] == 8)
        #expect(m.counts["case_events.unattributed.not_enrolled"] == 5)
        // Two closures of one case on one day with other reasons are no repeat.
        #expect(m.counts[TransformCounts.repeatedEvents] == 0 && result.warnings.isEmpty)
        let enrolmentsIn = try #require(m.inputs.first { $0.name == StageFile.enrolments })
        #expect(enrolmentsIn.rowsRead == 12 && enrolmentsIn.accepted == 11 && enrolmentsIn.rejectedByReason == ["unknown_institution": 1])
        #expect(result.skipped.map(\.line) == [13])
        // No extract manifest here: the inputs were checksummed by the stage itself.
        #expect(enrolmentsIn.checksum == .xxh128(try XXH128Sum.file(run.file(.extract, StageFile.enrolments))))

        // Rows as COPY text, columns in FactFile's order.
        let text = { (f: FactFile) in String(decoding: bytes(run, f), as: UTF8.self).split(separator: "\n").map(String.init) }
        // A child is its id (rank by key, from 0) but in children: c01 is 0, c07 is 6.
        #expect(text(.firstEvents).first == "case\t2020-01-01\t966\ttreatment\t101\tNørrebro\t\\N\t0")
        #expect(text(.firstEvents).contains("case\t2020-06-01\t1885\t\\N\t\\N\t\\N\tnot_enrolled\t6"))
        #expect(text(.exposure).first == "treatment\t2020\t101\tNørrebro\t366\t0")
        #expect(text(.cases).first == "S-01\t2020-01-01\t966\ttreatment\t101\tNørrebro\t\\N\t2020-06-01\tfamilien_selv\t0")
        #expect(text(.cases).contains("S-07\t2020-06-01\t1885\t\\N\t\\N\t\\N\tnot_enrolled\t\\N\t\\N\t6"))
        #expect(text(.caseEvents).first == "S-01\tsag_oprettet\t2020-01-01\t\\N\t\\N\t\\N\t966\ttreatment\t101\tNørrebro\t\\N\t0")
        #expect(text(.enrolments).first == "101\t2019-08-01\t\\N\t0")
        #expect(text(.coverage) == ["101\t2019-01-01\t2021-12-31", "102\t2018-01-01\t2018-12-31", "103\t2020-03-01\t2020-08-31"])
        #expect(text(.children).first == "c01\t2017-05-10\t0")
        #expect(text(.institutions).first == "101\tInstitution 101\tintegreret\tNørrebro\t\\N\t40\t2000-01-01\t\\N")
        #expect(text(.evaluationPanel).first == "101\t1\t2020-01-01\t2020-03-31\t1\t170\t3\t1\t0\t1")
    }

    /// An export that wrote some records twice: each copy is counted, as every event is,
    /// and the steward is told how many and where (an adversarial review found the
    /// notifications doubled without a word). The figures are those of the events as given.
    @Test func eventsRepeatedExactlyAreCountedAndToldOf() throws {
        let run = SyntheticExtract.temporaryRun("repeated")
        defer { SyntheticExtract.remove(run) }
        let copies = [HandFixture.events[3], HandFixture.events[0]].enumerated().map { k, e in
            var copy = e
            copy.line = 90 + k
            return copy
        }
        try SyntheticExtract.write(institutions: HandFixture.institutions, assignments: HandFixture.assignments,
                                   enrolments: HandFixture.enrolments, events: HandFixture.events + copies, into: run)
        let result = try TransformStage().run(run: run, windowFrom: HandFixture.windowFrom, windowTo: HandFixture.windowTo,
                                              asOf: HandFixture.asOf)
        #expect(result.manifest.counts[TransformCounts.repeatedEvents] == 2)
        #expect(result.manifest.outputs.first { $0.name == FactFile.caseEvents.rawValue }?.rows == 29 + 2)
        #expect(result.warnings == ["2 case events repeat an earlier one exactly (the same child, case, type, day, paragraph, source and reason; "
                                    + "the export's lines 90, 91, or in an XML export the record elements of that number): all are counted, as every event is; "
                                    + "if the export job wrote them twice, have it fixed and run the corrected drop"], "\(result.warnings)")
    }

    @Test func aStaleExtractIsRefused() throws {
        let run = SyntheticExtract.temporaryRun("stale")
        defer { SyntheticExtract.remove(run) }
        try SyntheticExtract.write(institutions: HandFixture.institutions, assignments: HandFixture.assignments,
                                   enrolments: HandFixture.enrolments, events: HandFixture.events, into: run)
        // Extract's manifest claims one more event than the file holds.
        let path = run.file(.extract, StageFile.caseEvents)
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber).int64Value
        try StageManifest(stage: .extract, run: run.id, startedAt: Date(), seconds: 0,
                          outputs: [.init(name: StageFile.caseEvents, rows: 30, bytes: size, checksum: .xxh128("x"))])
            .write(to: run.manifest(.extract))
        #expect(throws: TransformError.self) {
            try TransformStage().run(run: run, windowFrom: HandFixture.windowFrom, windowTo: nil, asOf: HandFixture.asOf)
        }
        #expect(!FileManager.default.fileExists(atPath: run.manifest(.transform)), "no manifest: the stage did not complete")
    }

    @Test func aWindowEndingBeforeItStartsIsAnError() {
        #expect(throws: TransformError.windowEndsBeforeStart(from: D("2021-01-01"), to: D("2020-12-31"))) {
            try Transform.resolveWindow(from: D("2021-01-01"), to: nil, asOf: D("2020-12-31"))
        }
    }

    /// The stage's byte-level reading and writing give exactly what the record API and
    /// `ReferenceStageWriter` give on the same extract.
    @Test func stageAgreesWithThePureAPI() throws {
        let run = SyntheticExtract.temporaryRun("routes")
        defer { SyntheticExtract.remove(run) }
        try SyntheticExtract.write(children: 800, seed: 11, into: run)
        let result = try TransformStage().run(run: run, windowFrom: SyntheticExtract.windowFrom, windowTo: nil,
                                              asOf: SyntheticExtract.asOf)
        let facts = try SyntheticExtract.factsThroughRecordAPI(run)
        #expect(result.manifest.counts == facts.counts)
        let dir = run.root.appendingPathComponent("reference")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for file in FactFile.allCases {
            let path = dir.appendingPathComponent(file.rawValue).path
            _ = try ReferenceFactWriter.write(file, facts, to: path)
            #expect(FileManager.default.contents(atPath: path) == bytes(run, file), "\(file.rawValue)")
        }
        // Extract's manifest was there: its checksums were taken, not recomputed.
        let extract = try StageManifest.read(from: run.manifest(.extract))
        for input in result.manifest.inputs {
            #expect(input.checksum == extract.output(input.name)?.checksum)
        }
    }

    @Test func anUnreadableExtractManifestIsAnError() throws {
        let run = SyntheticExtract.temporaryRun("badmanifest")
        defer { SyntheticExtract.remove(run) }
        try SyntheticExtract.write(institutions: HandFixture.institutions, assignments: HandFixture.assignments,
                                   enrolments: HandFixture.enrolments, events: HandFixture.events, into: run)
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: run.manifest(.extract)))
        #expect(throws: TransformError.self) {
            try TransformStage().run(run: run, windowFrom: HandFixture.windowFrom, windowTo: nil, asOf: HandFixture.asOf)
        }
    }
}
