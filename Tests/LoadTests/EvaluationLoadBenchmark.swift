import Evaluation
import Foundation
import Pipeline
import Testing
import TestSupport
@testable import Load

/// What the evaluation adds to a load at national scale: 5,000 institutions × 24 quarters.
/// Off unless asked for (release build):
///
///     EVALUATION_LOAD_BENCH=5 swift test -c release --filter LoadTests.EvaluationLoadBenchmark
///
/// Times, per run, the panel file read and the six estimates alone, and the whole load of
/// the same fixture with this panel against the load with the two-institution hand panel
/// (the difference: the panel's COPY, the estimates and their COPY and ANALYZE).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["EVALUATION_LOAD_BENCH"] != nil,
                "set EVALUATION_LOAD_BENCH=<runs> to time the evaluation in a load at national scale"))
struct EvaluationLoadBenchmark {
    /// 5,000 institutions × 24 quarters: a quarter of them covered in waves from quarter 3 to
    /// 20, 3 % unbalanced, 1 % covered from quarter 1; about 0.5 first cases per cell.
    static func nationalPanel() -> [FactFixture.PanelRow] {
        var rng = SplitMix64(seed: 5000)
        return (0..<5000).map { i in
            let u = Int.random(in: 0..<100, using: &rng)
            let group = u < 1 ? 1 : (u < 26 ? 3 + u % 18 : 0)
            let days = (0..<24).map { k in u >= 97 && k == 5 ? 0 : Int.random(in: 3000...6000, using: &rng) }
            let events = (0..<3).map { m in days.map { $0 == 0 ? 0 : Int.random(in: 0...(3 - m), using: &rng) } }
            return FactFixture.PanelRow(institution: String(100_000 + i), group: group, days: days,
                                        children: days.map { $0 / 90 }, events: events)
        }
    }

    @Test func panelAndEstimatesAtNationalScale() throws {
        let runs = Int(ProcessInfo.processInfo.environment["EVALUATION_LOAD_BENCH"] ?? "") ?? 5
        let h = try LoadHarness()
        let panel = Self.nationalPanel()
        let quarters = 24
        var pure: [Double] = [], withPanel: [Double] = [], without: [Double] = []
        for k in 0..<runs {
            let run = h.state.run(RunID(rawValue: 20250101000000 + Int64(k)))
            try FactFixture.write(into: run, panel: FactFixture.handPanel)
            try FactFixture.register(run.id, on: h.connection)
            var t = ContinuousClock.now
            _ = try LoadStage(connection: h.connection).load(run)
            without.append((ContinuousClock.now - t).seconds)

            try Self.writeNationalPanel(panel, quarters: quarters, into: run)
            t = ContinuousClock.now
            let file = try EvaluationPanelFile(path: run.file(.transform, FactFile.evaluationPanel.rawValue))
            let estimations = LoadStage.estimate(file)
            pure.append((ContinuousClock.now - t).seconds)
            #expect(estimations.allSatisfy { (try? $0.outcome.get()) != nil })

            t = ContinuousClock.now
            let result = try LoadStage(connection: h.connection).load(run)
            withPanel.append((ContinuousClock.now - t).seconds)
            #expect(result.rowsByTable["evaluation_panel"] == 5000 * quarters)
            _ = try Publisher(connection: h.connection).dropOldLoads(keepRuns: 1)
        }
        func stats(_ xs: [Double]) -> String {
            let s = xs.sorted()
            return String(format: "median %.3f s (min %.3f, max %.3f)", s[s.count / 2], s.first!, s.last!)
        }
        let added = zip(withPanel, without).map { $0 - $1 }
        print("bench: read panel + 6 estimates: \(stats(pure)); load with the national panel \(stats(withPanel)), "
              + "with the hand panel \(stats(without)); added \(stats(added)) over \(runs) runs")
    }

    /// Overwrites the run's panel file (and its manifest row count) with `panel` over 24 quarters.
    static func writeNationalPanel(_ panel: [FactFixture.PanelRow], quarters: Int, into run: RunFolder) throws {
        let periods = EvaluationPeriods(window: Day(year: 2015, month: 1, day: 1)!...Day(year: 2020, month: 12, day: 31)!,
                                        length: .quarter)
        precondition(periods.count == quarters)
        let w = try CopyTextWriter(path: run.file(.transform, FactFile.evaluationPanel.rawValue))
        for r in panel {
            for k in 0..<quarters {
                w.field(r.institution); w.field(k + 1); w.field(periods[k + 1].lowerBound); w.field(periods[k + 1].upperBound)
                w.field(r.group); w.field(r.days[k]); w.field(r.children[k])
                for m in r.events { w.field(m[k]) }
                try w.endRecord()
            }
        }
        try w.close()
        var manifest = try StageManifest.read(from: run.manifest(.transform))
        let i = manifest.outputs.firstIndex { $0.name == FactFile.evaluationPanel.rawValue }!
        manifest.outputs[i].rows = w.rows
        try manifest.write(to: run.manifest(.transform))
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
