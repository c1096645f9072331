import Foundation
import Pipeline
import TestSupport
@testable import Transform

/// Writes a synthetic extract (the four stage files) straight to disk, child by child, so
/// even a million children never sit in memory. Deterministic for a seed.
enum SyntheticExtract {
    static let asOf = D("2025-11-21")
    static let windowFrom = D("2018-01-01")

    /// The facts of a run's extract, read through Pipeline's record API (the reference the
    /// stage's own byte-level reading is compared with).
    static func factsThroughRecordAPI(_ run: RunFolder) throws -> Facts {
        let read = { (name: String) in run.file(.extract, name) }
        return try Transform.compute(
            institutions: ReferenceStageReader.readAll(read(StageFile.institutions), InstitutionRecord.init(fields:path:line:)),
            assignments: ReferenceStageReader.readAll(read(StageFile.assignments), AssignmentRecord.init(fields:path:line:)),
            enrolments: ReferenceStageReader.readAll(read(StageFile.enrolments), EnrolmentRecord.init(fields:path:line:)),
            events: ReferenceStageReader.readAll(read(StageFile.caseEvents), CaseEventRecord.init(fields:path:line:)),
            windowFrom: windowFrom, windowTo: nil, asOf: asOf)
    }

    static func write(children: Int, seed: UInt64, into run: RunFolder) throws {
        try run.emptyStage(.extract)
        var rng = SplitMix64(seed: seed)
        func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }

        let numbers = (0..<max(4, children / 1000)).map { String(100_000 + $0 * 7) }
        let w = try ReferenceStageWriter(path: run.file(.extract, StageFile.institutions))
        for (i, n) in numbers.enumerated() {
            try institution(n, district: "Bydel \(i % 10) æøå", line: i + 2).write(to: w)
        }
        try w.close()

        let a = try ReferenceStageWriter(path: run.file(.extract, StageFile.assignments))
        var line = 1
        for n in numbers where int(0...9) < 4 {
            var from = D("2016-01-01") + Int32(int(0...2000))
            for _ in 0..<int(1...2) {
                line += 1
                let to: Day? = int(0...3) == 0 ? nil : from + Int32(int(30...1200))
                try AssignmentRecord(staffID: "m\(line)", institution: n, from: from, to: to, line: line).write(to: a)
                from = (to ?? asOf) + Int32(int(-30...300))
            }
        }
        try a.close()

        let e = try ReferenceStageWriter(path: run.file(.extract, StageFile.enrolments))
        let c = try ReferenceStageWriter(path: run.file(.extract, StageFile.caseEvents))
        var spellLine = 1, eventLine = 1, caseNumber = 0
        let sources = ["daginstitution", "daginstitutionsraadgiver", "skole", "sundhedspleje", "politi", "foraeldre", "andre"]
        let reasons = ["bekymring_ophoert", "familien_selv", "flyttet", "anden_sag", "andet"]
        for _ in 0..<children {
            let key = (0..<4).map { _ in String(format: "%016llx", rng.next()) }.joined()
            let birth = D("2012-01-01") + Int32(int(0...4700))
            // 1–5 spells, mostly one after another, sometimes overlapping the previous one.
            var from = birth + Int32(int(180...500))
            for _ in 0..<int(1...5) where from <= asOf {
                spellLine += 1
                let length = Int32(int(60...1200))
                let to: Day? = from + length > asOf && int(0...1) == 0 ? nil : from + length
                try EnrolmentRecord(childKey: key, birth: birth, institution: numbers[int(0...(numbers.count - 1))],
                                    from: from, to: to, line: spellLine).write(to: e)
                from = from + length + Int32(int(-90...120))
            }
            // About five events: notifications, and now and then a whole case.
            var day = birth + Int32(int(0...2500))
            for _ in 0..<int(3...7) {
                let type = EventType.allCases[int(0...6)]
                if type == .caseOpened { caseNumber += 1 }
                eventLine += 1
                try CaseEventRecord(caseID: "S-\(day.year)-\(String(format: "%06d", caseNumber))", childKey: key,
                                    birth: birth, event: type, day: day,
                                    paragraph: type == .measureStarted ? "52.3.3" : (type == .investigationStarted ? "50" : nil),
                                    source: type == .notification ? sources[int(0...6)] : nil,
                                    reason: type == .caseClosed ? reasons[int(0...4)] : nil, line: eventLine).write(to: c)
                day = day + Int32(int(0...400))
            }
        }
        try e.close()
        try c.close()
        try writeManifest(run)
    }

    /// Extract's manifest for the files written, as extract leaves one.
    static func writeManifest(_ run: RunFolder) throws {
        let names = [StageFile.institutions, StageFile.assignments, StageFile.enrolments, StageFile.caseEvents]
        let outputs = try names.map { name in
            let path = run.file(.extract, name)
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return StageManifest.OutputFile(name: name, rows: data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) },
                                            bytes: Int64(data.count), checksum: .xxh128(try XXH128Sum.file(path)))
        }
        try StageManifest(stage: .extract, run: run.id, startedAt: Date(), seconds: 0, outputs: outputs)
            .write(to: run.manifest(.extract))
    }

    /// Writes given records as an extract.
    static func write(institutions: [InstitutionRecord], assignments: [AssignmentRecord],
                      enrolments: [EnrolmentRecord], events: [CaseEventRecord], into run: RunFolder) throws {
        try run.emptyStage(.extract)
        func file(_ name: String, _ body: (ReferenceStageWriter) throws -> Void) throws {
            let w = try ReferenceStageWriter(path: run.file(.extract, name))
            try body(w)
            try w.close()
        }
        try file(StageFile.institutions) { w in for r in institutions { try r.write(to: w) } }
        try file(StageFile.assignments) { w in for r in assignments { try r.write(to: w) } }
        try file(StageFile.enrolments) { w in for r in enrolments { try r.write(to: w) } }
        try file(StageFile.caseEvents) { w in for r in events { try r.write(to: w) } }
    }

    /// Removes a `temporaryRun`'s whole state directory.
    static func remove(_ run: RunFolder) {
        try? FileManager.default.removeItem(at: run.root.deletingLastPathComponent().deletingLastPathComponent())
    }

    static func temporaryRun(_ name: String) -> RunFolder {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("transform-tests-\(name)-\(UUID().uuidString)")
        return StateLayout(root: root).run(RunID(rawValue: 20_251_121_020_000))
    }
}
