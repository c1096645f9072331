import TestSupport
import Foundation
import Pipeline
import Postgres

/// A transform output written by hand: two cohorts whose every figure is computed by hand
/// in the tests. `scale` multiplies the treatment cohort's detected children, so two runs
/// can be told apart by their figures.
struct FactFixture {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sqlDirectory = repo.appendingPathComponent("sql").path

    /// Treatment: 10 children, 730 days each (2020: 400, 2021: 330), district Nørrebro.
    /// Control: 20 children, 1000 days each, all in 2020, 10 in Nørrebro and 10 in Valby.
    /// First cases: treatment T1–T6 (2020), control C1–C5 (2020).
    /// First investigations: treatment ages 900, 1000, 1100, 1200, 1300 days; control 1000…1500 (6).
    /// First measures: treatment 3 (a small cell), control 8 (ages 1000 + 100·i).
    /// Notifications: treatment 4 daginstitution + 3 daginstitutionsraadgiver; control 6 skole.
    /// Closed cases: treatment 6 (3 bekymring_ophoert, 2 familien_selv, 1 flyttet); control 5 (2 familien_selv, 3 andet).
    static func write(into run: RunFolder, extraTreatmentCases: Int = 0, panel: [PanelRow] = handPanel) throws {
        try run.emptyStage(.transform)
        try run.emptyStage(.extract)
        var outputs: [StageManifest.OutputFile] = []
        var stats = ReferenceStats()
        func file(_ name: String, _ rows: (ReferenceStageWriter) throws -> Void) throws {
            let w = try ReferenceStageWriter(path: run.file(.transform, name))
            try rows(w)
            try w.close()
            let bytes = try FileManager.default.attributesOfItem(atPath: w.path)[.size] as? Int64 ?? 0
            outputs.append(.init(name: name, rows: w.rows, bytes: bytes, checksum: .xxh128(try XXH128Sum.file(w.path))))
        }
        func file(_ fact: FactFile, _ rows: (ReferenceStageWriter) throws -> Void) throws { try file(fact.rawValue, rows) }
        let d2020 = Day(year: 2020, month: 3, day: 1)!
        let birth = Day(year: 2017, month: 1, day: 1)!
        let t = (1...10).map { "t\($0)" }, c = (1...20).map { "c\($0)" }
        // Children by id in the facts (their pseudonyms only in children); x1, x2 have none there.
        let ids = Dictionary(uniqueKeysWithValues: (t + c + ["x1", "x2"]).enumerated().map { ($1, $0) })

        try file(.institutions) { w in
            for (n, district) in [("100", "Nørrebro"), ("200", "Valby")] {
                w.field(n); w.field("Børnehuset \(n)"); w.field("integreret"); w.field(district); w.field(nil as String?)
                w.field(40); w.field(Day(year: 2005, month: 1, day: 1)); w.field(nil as Day?); try w.endRecord()
            }
        }
        try file(.children) { w in for k in t + c { w.field(k); w.field(birth); w.field(ids[k]); try w.endRecord() } }
        try file(.enrolments) { w in
            for k in t + c {
                w.field(k.hasPrefix("t") || Int(k.dropFirst())! <= 10 ? "100" : "200"); w.field(d2020); w.field(nil as Day?); w.field(ids[k])
                try w.endRecord()
            }
        }
        try file(.coverage) { w in w.field("100"); w.field(d2020); w.field(Day(year: 2021, month: 12, day: 31)); try w.endRecord() }
        try file(.exposure) { w in
            for k in t {
                for (year, days) in [(2020, 400), (2021, 330)] {
                    w.field("treatment"); w.field(year); w.field("100"); w.field("Nørrebro"); w.field(days); w.field(ids[k]); try w.endRecord()
                    stats.exposure.append((k, "treatment", year, "Nørrebro", days))
                }
            }
            for (i, k) in c.enumerated() {
                w.field("control"); w.field(2020); w.field(i < 10 ? "100" : "200"); w.field(i < 10 ? "Nørrebro" : "Valby")
                w.field(1000); w.field(ids[k]); try w.endRecord()
                stats.exposure.append((k, "control", 2020, i < 10 ? "Nørrebro" : "Valby", 1000))
            }
        }
        func first(_ w: ReferenceStageWriter, _ child: String, _ kind: String, _ age: Int, _ cohort: String?, reason: String? = nil) throws {
            w.field(kind); w.field(birth + Int32(age)); w.field(age); w.field(cohort)
            w.field(cohort == nil ? nil : (cohort == "treatment" ? "100" : "200")); w.field(cohort == nil ? nil : (cohort == "treatment" ? "Nørrebro" : "Valby"))
            w.field(reason); w.field(ids[child]); try w.endRecord()
            if let cohort { stats.firsts.append((kind, birth + Int32(age), age, cohort, cohort == "treatment" ? "Nørrebro" : "Valby")) }
        }
        try file(.firstEvents) { w in
            for k in t.prefix(6 + extraTreatmentCases) { try first(w, k, "case", 1200, "treatment") }
            for k in c.suffix(5) { try first(w, k, "case", 1200, "control") }
            for (i, k) in t.prefix(5).enumerated() { try first(w, k, "investigation", 900 + 100 * i, "treatment") }
            for (i, k) in c.suffix(6).enumerated() { try first(w, k, "investigation", 1000 + 100 * i, "control") }
            for k in t.prefix(3) { try first(w, k, "measure", 1300, "treatment") }
            for (i, k) in c.suffix(8).enumerated() { try first(w, k, "measure", 1000 + 100 * i, "control") }
            try first(w, "x1", "case", 3000, nil, reason: "out_of_age")
            try first(w, "x2", "case", 500, nil, reason: "not_enrolled")
        }
        try file(.caseEvents) { w in
            let notes = Array(repeating: ("treatment", "daginstitution"), count: 4) + Array(repeating: ("treatment", "daginstitutionsraadgiver"), count: 3)
                + Array(repeating: ("control", "skole"), count: 6)
            for (i, (cohort, source)) in notes.enumerated() {
                w.field("S-\(i)"); w.field("underretning"); w.field(birth + 1100)
                w.field(nil as String?); w.field(source); w.field(nil as String?); w.field(1100); w.field(cohort)
                w.field(cohort == "treatment" ? "100" : "200"); w.field(cohort == "treatment" ? "Nørrebro" : "Valby"); w.field(nil as String?)
                w.field(ids[cohort == "treatment" ? "t1" : "c20"])
                try w.endRecord()
                stats.notes.append((cohort, source, cohort == "treatment" ? "Nørrebro" : "Valby", birth + 1100))
            }
        }
        try file(.cases) { w in
            let closed = [("treatment", "bekymring_ophoert"), ("treatment", "bekymring_ophoert"), ("treatment", "bekymring_ophoert"),
                          ("treatment", "familien_selv"), ("treatment", "familien_selv"), ("treatment", "flyttet"),
                          ("control", "familien_selv"), ("control", "familien_selv"), ("control", "andet"), ("control", "andet"), ("control", "andet")]
            for (i, (cohort, reason)) in closed.enumerated() {
                w.field("S-\(i)"); w.field(d2020); w.field(1200); w.field(cohort)
                w.field(cohort == "treatment" ? "100" : "200"); w.field(cohort == "treatment" ? "Nørrebro" : "Valby"); w.field(nil as String?)
                w.field(d2020 + 30); w.field(reason); w.field(ids[cohort == "treatment" ? t[i] : c[19 - i]]); try w.endRecord()
                stats.closed.append((cohort, reason, cohort == "treatment" ? "Nørrebro" : "Valby", d2020))
            }
        }
        try file(.evaluationPanel) { w in
            for r in panel {
                for (k, days) in r.days.enumerated() {
                    let quarter = Self.quarters[k]
                    w.field(r.institution); w.field(k + 1); w.field(quarter.lowerBound); w.field(quarter.upperBound)
                    w.field(r.group); w.field(days); w.field(r.children[k])
                    for metric in r.events { w.field(metric[k]) }
                    try w.endRecord()
                }
            }
        }
        try file(StatsFile.cohortStats.rawValue, stats.writeCohortStats)
        try file(StatsFile.notificationStats.rawValue, stats.writeNotificationStats)
        try file(StatsFile.closureStats.rawValue, stats.writeClosureStats)
        try StageManifest(stage: .transform, run: run.id, startedAt: Date(), seconds: 0, outputs: outputs,
                          counts: ["unattributed.case.out_of_age": 1, "unattributed.case.not_enrolled": 1])
            .write(to: run.manifest(.transform))
        let rejects = try ReferenceStageWriter(path: run.file(.extract, StageFile.rejects))
        for i in 0..<3 {
            try RejectRecord(file: "indmeldelser.csv", line: 10 + i, field: "cpr", reason: .invalidCPR, message: "010213-**** is not a CPR number")
                .write(to: rejects)
        }
        try rejects.close()
    }

    /// One institution of an evaluation panel: per quarter of `quarters`, exposure days,
    /// children and the first cases, investigations and measures.
    struct PanelRow {
        var institution: String
        var group: Int
        var days: [Int]
        var children: [Int]
        var events: [[Int]]
    }

    /// The quarters of the run's window (2020-01-01 … 2021-12-31).
    static let quarters = EvaluationPeriods(window: Day(year: 2020, month: 1, day: 1)!...Day(year: 2021, month: 12, day: 31)!,
                                            length: .quarter).periods

    /// The two institutions over the window's eight quarters: 100 covered from 2020-03-01
    /// (period 1, so not estimated), 200 never. No institution got its worker after period 1:
    /// nothing to estimate, and the load records why. 200's cells hold small counts.
    static let handPanel = [
        PanelRow(institution: "100", group: 1, days: [910, 910, 920, 920, 900, 910, 920, 920],
                 children: [10, 10, 10, 10, 10, 10, 10, 10],
                 events: [[6, 0, 0, 0, 0, 0, 0, 0], [5, 0, 0, 0, 0, 0, 0, 0], [3, 0, 0, 0, 0, 0, 0, 0]]),
        PanelRow(institution: "200", group: 0, days: [1820, 1820, 1840, 1840, 0, 0, 0, 0],
                 children: [20, 20, 20, 20, 0, 0, 0, 0],
                 events: [[5, 0, 0, 0, 0, 0, 0, 0], [6, 0, 0, 0, 0, 0, 0, 0], [8, 0, 0, 0, 0, 0, 0, 0]]),
    ]

    /// Registers a run in the ledger, as the runner does before its stages.
    static func register(_ run: RunID, on db: Connection, smallCellMinimum: Int = 5) throws {
        _ = try db.execute("""
            INSERT INTO etl.runs (run_id, pipeline, municipality, drop_path, drop_checksum, as_of, window_from, window_to,
                                  small_cell_minimum, program_version)
            VALUES ($1, 'test.yaml', 'Test', '/drop', 'x', '2022-01-01', '2020-01-01', '2021-12-31', $2, 'test')
            """, [run.description, String(smallCellMinimum)])
    }
}
