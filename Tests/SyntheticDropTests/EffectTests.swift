import Foundation
import Testing
import Pipeline
@testable import SyntheticDrop

/// The injected effect, measured per `metrics.md` by the day-by-day oracle.
@Suite struct EffectTests {
    static let asOf = Day(year: 2026, month: 11, day: 21)!
    static let windowFrom = Day(year: 2012, month: 1, day: 1)!

    static func measure(_ effect: DropGenerator.Effect, children: Int = 20_000, seed: UInt64 = 7) throws -> MetricsOracle {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("effect-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let clock = ContinuousClock()
        var t = clock.now
        _ = try DropGenerator(.init(children: children, seed: seed, asOf: asOf, windowFrom: windowFrom, effect: effect)).write(to: dir)
        
        let drop = try ReadDrop(directory: dir, variant: .copenhagen)
        
        
        return MetricsOracle(drop, windowFrom: windowFrom, asOf: asOf)
    }

    @Test func explore() throws {
        for effect in [DropGenerator.Effect.evaluation, .none] {
            var rows: [String] = []
            for seed in UInt64(1)...8 {
                let m = try Self.measure(effect, seed: seed)
                let rr = m.rateRatio(m.detected), wi = MetricsOracle.welch(m.investigation.ageMonths), wm = MetricsOracle.welch(m.measure.ageMonths)
                let f = { (x: Double) in String(format: "%.2f", x) }
                rows.append("seed \(seed) rr \(f(rr.rr)) [\(f(rr.lo)),\(f(rr.hi))] inv \(f(wi.diff)) [\(f(wi.lo)),\(f(wi.hi))] mea \(f(wm.diff)) [\(f(wm.lo)),\(f(wm.hi))] n \(m.detected) \(m.investigation.ageMonths.map(\.count)) \(m.measure.ageMonths.map(\.count)) res \(f(Double(m.resolvedCases[0]) / Double(m.closedCases[0]))) \(f(Double(m.resolvedCases[1]) / Double(m.closedCases[1])))")
            }
            print(effect)
            for r in rows { print("ROW", r) }
        }
    }
}
