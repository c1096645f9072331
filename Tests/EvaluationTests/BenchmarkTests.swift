import Evaluation
import Foundation
import Testing

/// The estimator at national scale: 5,000 institutions, 24 quarters, three metrics, both
/// control groups. Off unless asked for, and meant for a release build:
///
///     EVALUATION_BENCH=1 swift test -c release --filter EvaluationTests.BenchmarkTests
///
/// `EVALUATION_BENCH_RUNS` sets the number of timed runs (default 11).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["EVALUATION_BENCH"] != nil,
                "a benchmark: set EVALUATION_BENCH=1 (in a release build) to run it"))
struct BenchmarkTests {
    @Test func nationalScale() throws {
        let runs = ProcessInfo.processInfo.environment["EVALUATION_BENCH_RUNS"].flatMap { Int($0) } ?? 11
        // Detection, investigation and measure: rates per 1,000 child-years; a quarter of the
        // institutions covered in twenty waves, as in the scheme's rollout.
        let panels = [(1, 60.0), (2, 25.0), (3, 12.0)].map { seed, rate in
            PanelGenerator(institutions: 5000, periods: 24, groups: Array(3...22), neverShare: 0.74,
                           unbalanced: 150, coveredFromStart: 30, baseRate: rate).panel(seed: UInt64(seed))
        }
        var times: [Duration] = []
        var cells = 0
        for _ in 0..<runs {
            let start = ContinuousClock.now
            cells = 0
            for panel in panels {
                for controlGroup in ControlGroup.allCases {
                    cells += try estimate(panel, controlGroup: controlGroup).groupTime.count
                }
            }
            times.append(ContinuousClock.now - start)
        }
        times.sort()
        let ms = { (d: Duration) in String(format: "%.1f ms", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1e3) }
        print("bench: 5,000 institutions × 24 quarters, 3 metrics × 2 control groups (\(cells) ATT(g,t)): "
            + "median \(ms(times[times.count / 2])), min \(ms(times.first!)), max \(ms(times.last!)) over \(runs) runs")
        #if !DEBUG
        #expect(times[times.count / 2] < .seconds(1))
        #endif
    }
}
