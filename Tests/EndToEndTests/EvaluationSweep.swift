import Evaluation
import Foundation
import Pipeline
import SyntheticDrop
import Testing

/// How often the difference-in-differences' 95 % intervals miss the truth by chance on
/// synthetic drops: the measurement behind `EvaluationTests`' sizes and the table in
/// docs/decisions.md ("How trustworthy the intervals are at small scale"). The estimator
/// runs on the generator's own panel (what the warehouse builds, cell for cell), so no
/// database is needed. For each seed, two drops:
///
/// - selection 2 (`EVALUATION_SWEEP_SELECTION`), no effect: the truth is 0;
/// - the evaluation effect, no selection: the truth is the estimate on the panel with the
///   effect minus that on the same panel without it (same children, same random numbers).
///
/// z = (att − truth) / se should be about standard normal: sd about 1, |z| > 1.96 in
/// about 5 % of seeds. To tell a bias from standard errors that are too small, the table
/// also gives the spread of att − truth over the seeds against the standard errors' root
/// mean square (`sd err/se`, about 1 when the standard errors are right) and the mean of
/// att − truth in standard errors of that mean (`bias t`, within ±2 when unbiased). Also
/// counted: pre-treatment event times whose interval misses 0.
///
/// Runs only when asked, e.g. `EVALUATION_SWEEP=10 swift test --filter EvaluationSweep`
/// (10 seeds); `EVALUATION_SWEEP_CHILDREN` (default 20000), `EVALUATION_SWEEP_PERIOD`
/// (`quarter`, `half_year`, `year`; default `quarter`), `EVALUATION_SWEEP_FIRST_SEED`
/// (default 1). About 5 s per drop of 20,000 children in a debug build.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["EVALUATION_SWEEP"] != nil,
                "opt-in measurement, several minutes: run it with EVALUATION_SWEEP=10 swift test --filter EvaluationSweep (10 seeds)"))
struct EvaluationSweep {
    struct Scenario: Sendable, CustomStringConvertible {
        var name: String
        var effect: DropGenerator.Effect
        var selection: Double
        var description: String { name }
    }

    static let scenarios: [Scenario] = {
        let selection = Double(ProcessInfo.processInfo.environment["EVALUATION_SWEEP_SELECTION"] ?? "") ?? 2
        return [Scenario(name: "selection \(selection.formatted()), no effect", effect: .none, selection: selection),
                Scenario(name: "effect, no selection", effect: .evaluation, selection: 1)]
    }()

    static let asOf = Day(year: 2026, month: 11, day: 21)!
    static let windowFrom = Day(year: 2012, month: 1, day: 1)!

    /// One metric × control group's z over the seeds, and its pre-treatment checks.
    struct Cell {
        /// Per seed: att − truth, se, and their ratio z.
        var error: [Double] = [], se: [Double] = [], z: [Double] = []
        var preMisses = 0, preTotal = 0

        static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(max(1, x.count)) }
        static func sd(_ x: [Double]) -> Double {
            guard x.count > 1 else { return .nan }
            let m = mean(x)
            return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
        }
        var misses: Int { z.count { abs($0) > 1.96 } }
        /// The spread of the errors over seeds against the typical standard error: above 1,
        /// the standard errors are too small; a mean z away from 0 with this near 1 is a bias.
        var spreadOverSE: Double { Self.sd(error) / Self.mean(se.map { $0 * $0 }).squareRoot() }
        /// The mean error in standard errors of that mean (|t| > 2: a bias over these seeds).
        var biasT: Double { Self.mean(error) / (Self.sd(error) / Double(error.count).squareRoot()) }
    }

    static func panel(_ rows: [String: EffectPanel.Row], periods: Int, metric: Int, withEffect: Bool) -> EvaluationPanel {
        EvaluationPanel(periods: periods, institutions: rows.keys.sorted().map { number in
            let r = rows[number]!
            return .init(id: number, group: r.group, exposureDays: r.exposureDays,
                         events: withEffect ? r.events[metric] : r.eventsWithoutEffect[metric])
        })
    }

    @Test(arguments: scenarios)
    func sweep(_ scenario: Scenario) throws {
        let env = ProcessInfo.processInfo.environment
        let seeds = UInt64(env["EVALUATION_SWEEP"] ?? "") ?? 10
        let first = UInt64(env["EVALUATION_SWEEP_FIRST_SEED"] ?? "") ?? 1
        let children = Int(env["EVALUATION_SWEEP_CHILDREN"] ?? "") ?? 20_000
        let length = try #require(EvaluationPeriodLength(rawValue: env["EVALUATION_SWEEP_PERIOD"] ?? "quarter"),
                                  "EVALUATION_SWEEP_PERIOD is quarter, half_year or year")
        let periods = EvaluationPeriods(window: Self.windowFrom...Self.asOf, length: length)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("evaluation-sweep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let tag = "\(scenario), \(children) children, \(length.rawValue)s"

        var cells: [String: Cell] = [:]
        for seed in first..<(first + seeds) {
            let summary = try DropGenerator(.init(children: children, seed: seed, asOf: Self.asOf, windowFrom: Self.windowFrom,
                                                  effect: scenario.effect, selection: scenario.selection))
                .write(to: root.appendingPathComponent("\(seed)"))
            try? FileManager.default.removeItem(at: root.appendingPathComponent("\(seed)"))
            let rows = summary.panel.rows(periods)
            var line = "sweep \(tag), seed \(seed):"
            for (m, metric) in DropSummary.Metric.allCases.enumerated() {
                for group in ControlGroup.allCases {
                    let with = try estimate(Self.panel(rows, periods: periods.count, metric: m, withEffect: true), controlGroup: group)
                    let without = try estimate(Self.panel(rows, periods: periods.count, metric: m, withEffect: false), controlGroup: group)
                    let truth = with.simple.att - without.simple.att
                    let se = with.simple.se ?? .nan
                    let z = (with.simple.att - truth) / se
                    let key = "\(metric.rawValue) \(group.rawValue)"
                    cells[key, default: Cell()].z.append(z)
                    cells[key]!.error.append(with.simple.att - truth)
                    cells[key]!.se.append(se)
                    for e in with.dynamic.byEventTime where e.eventTime < 0 {
                        guard let low = e.estimate.ciLow, let high = e.estimate.ciHigh else { continue }
                        cells[key]!.preTotal += 1
                        if !(low <= 0 && 0 <= high) { cells[key]!.preMisses += 1 }
                    }
                    line += " \(key) z " + String(format: "%+.2f;", z)
                }
            }
            print(line)
        }
        print("sweep \(tag), seeds \(first)–\(first + seeds - 1): z = (att − truth) / se, simple aggregation")
        print("sweep   metric        control           mean z   sd z   |z|>1.96   max |z|   sd err/se   bias t   pre-treatment misses")
        for metric in DropSummary.Metric.allCases {
            for group in ControlGroup.allCases {
                let c = cells["\(metric.rawValue) \(group.rawValue)"]!
                func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
                print("sweep   " + pad(metric.rawValue, 14) + pad(group.rawValue, 17)
                      + String(format: "%+6.2f  %5.2f   %2d of %-3d  %6.2f    %6.2f   %+6.2f    %d of %d", Cell.mean(c.z), Cell.sd(c.z),
                               c.misses, c.z.count, c.z.map(abs).max() ?? .nan, c.spreadOverSE, c.biasT, c.preMisses, c.preTotal))
            }
        }
        // A bias the standard errors cannot see shows as a spread well above 1 (before the
        // selection became a fixed difference: 1.4 on detection at 20,000 children).
        let detection = cells["detection never_treated"]!
        if detection.z.count >= 8 { #expect(Cell.sd(detection.z) < 1.3, "sd of z on detection, never_treated: \(Cell.sd(detection.z))") }
    }
}
