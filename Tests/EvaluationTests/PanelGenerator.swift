import Evaluation
import Foundation
import TestSupport

/// Seeded panels shaped like the scheme's: institutions of 10–80 children, staggered
/// groups, some never covered, event counts drawn from a Poisson law around an
/// institution's own rate (higher where the worker will come: selection) with a trend and
/// an effect after coverage.
struct PanelGenerator {
    var institutions: Int
    var periods: Int
    /// The groups covered institutions are drawn from (uniformly).
    var groups: [Int]
    /// Share of institutions never covered.
    var neverShare: Double
    /// Institutions with a period without exposure (closed for a quarter, opened late).
    var unbalanced = 0
    /// Institutions covered from period 1.
    var coveredFromStart = 0
    /// Effect on the rate once covered, as a factor.
    var effect = 1.3
    /// Events per 1,000 child-years at an average institution.
    var baseRate = 60.0

    func panel(seed: UInt64) -> EvaluationPanel {
        var rng = SplitMix64(seed: seed)
        var list: [EvaluationPanel.Institution] = []
        for k in 0..<institutions {
            var group: Int
            if k < coveredFromStart {
                group = 1
            } else if Double.random(in: 0..<1, using: &rng) < neverShare {
                group = 0
            } else {
                group = groups.randomElement(using: &rng)!
            }
            let children = Int.random(in: 10...80, using: &rng)
            let level = baseRate * Double.random(in: 0.5...1.5, using: &rng) * (group == 0 ? 1 : 1.4)
            var exposure: [Int] = [], events: [Int] = []
            for t in 1...periods {
                let days = Int(Double(children * 91) * Double.random(in: 0.85...1.0, using: &rng))
                let trend = 1 + 0.02 * Double(t)
                let covered = group > 0 && t >= group
                let expected = level * trend * (covered ? effect : 1) * Double(days) / 365.25 / 1000
                exposure.append(days)
                events.append(Self.poisson(expected, using: &rng))
            }
            list.append(.init(id: "I\(1000 + k)", group: group, exposureDays: exposure, events: events))
        }
        // Unbalanced institutions: one period without children, anywhere in the panel.
        for k in 0..<unbalanced {
            let i = institutions - 1 - k
            let t = Int.random(in: 0..<periods, using: &rng)
            list[i].exposureDays[t] = 0
            list[i].events[t] = 0
        }
        return EvaluationPanel(periods: periods, institutions: list)
    }

    static func poisson(_ lambda: Double, using rng: inout SplitMix64) -> Int {
        // Knuth's method; the means here are small.
        let limit = exp(-lambda)
        var k = 0, p = Double.random(in: 0..<1, using: &rng)
        while p > limit {
            k += 1
            p *= Double.random(in: 0..<1, using: &rng)
        }
        return k
    }
}
