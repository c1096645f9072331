import Foundation

/// Maps a data interval onto a pixel interval, linearly. `range` may run backwards (a y axis
/// grows upwards on the page).
package struct LinearScale: Sendable, Equatable {
    package var domain: ClosedRange<Double>
    package var range: (Double, Double)

    package init(domain: ClosedRange<Double>, range: (Double, Double)) {
        // A domain of one point has no width: widen it so every value still has a place.
        self.domain = domain.lowerBound < domain.upperBound ? domain : (domain.lowerBound - 1)...(domain.upperBound + 1)
        self.range = range
    }

    package func callAsFunction(_ value: Double) -> Double {
        let t = (value - domain.lowerBound) / (domain.upperBound - domain.lowerBound)
        return range.0 + t * (range.1 - range.0)
    }

    package static func == (a: Self, b: Self) -> Bool { a.domain == b.domain && a.range == b.range }
}

/// Maps positive values on a logarithmic axis (rate ratios: 0.5 and 2 equally far from 1).
package struct LogScale: Sendable {
    package var domain: ClosedRange<Double>
    package var range: (Double, Double)

    package init(domain: ClosedRange<Double>, range: (Double, Double)) {
        precondition(domain.lowerBound > 0, "a log scale needs a positive domain")
        self.domain = domain.lowerBound < domain.upperBound ? domain : (domain.lowerBound / 2)...(domain.upperBound * 2)
        self.range = range
    }

    package func callAsFunction(_ value: Double) -> Double {
        let lo = log(domain.lowerBound), hi = log(domain.upperBound)
        let t = (log(max(value, .leastNormalMagnitude)) - lo) / (hi - lo)
        return range.0 + t * (range.1 - range.0)
    }
}

/// Round tick values for an axis: steps of 1, 2 or 5 times a power of ten.
package enum Ticks {
    /// The nice step for about `count` intervals over `lo…hi`.
    package static func step(_ lo: Double, _ hi: Double, count: Int) -> Double {
        let span = hi - lo
        guard span > 0, span.isFinite, count > 0 else { return 1 }
        let raw = span / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let residual = raw / magnitude
        let nice: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10
        return nice * magnitude
    }

    /// `lo…hi` widened outwards to whole steps: the axis begins and ends on a tick.
    package static func niceDomain(_ lo: Double, _ hi: Double, count: Int) -> ClosedRange<Double> {
        let (lo, hi) = lo < hi ? (lo, hi) : lo == hi ? (lo - 1, hi + 1) : (hi, lo)
        let s = step(lo, hi, count: count)
        return (floor(lo / s + 1e-9) * s)...(ceil(hi / s - 1e-9) * s)
    }

    /// The ticks of a domain made by `niceDomain`, from its start to its end.
    package static func linear(_ domain: ClosedRange<Double>, count: Int) -> [Double] {
        let s = step(domain.lowerBound, domain.upperBound, count: count)
        let first = ceil(domain.lowerBound / s - 1e-9)
        let last = floor(domain.upperBound / s + 1e-9)
        guard first <= last else { return [] }
        // Multiply and round to the step's decimals: 3 × 0.1 is 0.30000000000000004, the tick is 0.3.
        let p = pow(10, Double(decimals(for: s)))
        return stride(from: first, through: last, by: 1).map { i in
            let v = (i * s * p).rounded() / p
            return v == 0 ? 0 : v
        }
    }

    /// Decimals needed to tell ticks of step `step` apart (0 for 5, 1 for 0.5, 2 for 0.25 → 0.05 steps).
    package static func decimals(for step: Double) -> Int {
        guard step > 0, step.isFinite else { return 0 }
        var d = 0
        while d < 6, abs(step * pow(10, Double(d)) - (step * pow(10, Double(d))).rounded()) > 1e-6 { d += 1 }
        return d
    }

    /// Ticks of a log axis: round multiples of powers of ten inside the domain (1, 2, 5 …,
    /// or finer — 1, 1.5, 2, 3 … — when the domain is narrow), at most about `count + 1`.
    package static func log(_ domain: ClosedRange<Double>, count: Int) -> [Double] {
        let lo = domain.lowerBound, hi = domain.upperBound
        guard lo > 0, hi > lo else { return [] }
        let levels: [[Double]] = [[1], [1, 2, 5], [1, 1.5, 2, 3, 5], [1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8]]
        var best: [Double] = []
        for multipliers in levels {
            var ticks: [Double] = []
            for e in Int(Foundation.floor(log10(lo))) - 1...Int(Foundation.ceil(log10(hi))) + 1 {
                for m in multipliers {
                    let v = (m * pow(10, Double(e)) * 1e9).rounded() / 1e9
                    if v >= lo * (1 - 1e-9), v <= hi * (1 + 1e-9) { ticks.append(v) }
                }
            }
            if ticks.count > count + 1, best.count >= 2 { break }
            best = ticks
        }
        return best
    }

    /// A domain for log-scaled values: a little room around `lo…hi`, always holding `reference`.
    package static func logDomain(_ lo: Double, _ hi: Double, including reference: Double) -> ClosedRange<Double> {
        let a = min(lo, reference), b = max(hi, reference)
        return (a / 1.15)...(b * 1.15)
    }
}
