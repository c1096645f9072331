import Foundation

/// Ages in whole months (`age in days / 30.4375`, `metrics.md`), below 7 years.
enum AgeMonths {
    static let count = 84
    static let daysPerMonth = 30.4375
    /// The month of each age in days 0..<2557.
    static let ofDay: [UInt8] = (0..<Int(ageLimitDays)).map { UInt8(Double($0) / daysPerMonth) }
    /// The first age in days of each month, and 2557 at the end.
    static let firstDay: [Int32] = {
        var first = [Int32](repeating: ageLimitDays, count: count + 1)
        for a in stride(from: Int(ageLimitDays) - 1, through: 0, by: -1) { first[Int(ofDay[a])] = Int32(a) }
        return first
    }()
}

/// Exposure days in the window by cohort and age month, with the sum of their ages:
/// what the metrics will divide by, gathered before any case is drawn.
struct ExposureHistogram {
    /// [cohort: 0 treatment, 1 control][month]
    var days = [[Double]](repeating: [Double](repeating: 0, count: AgeMonths.count), count: 2)
    var ageDaySums = [[Double]](repeating: [Double](repeating: 0, count: AgeMonths.count), count: 2)

    mutating func add(_ p: Piece, birth: Int32) {
        guard p.exposed else { return }
        let c = p.kind == .covered ? 0 : 1
        var a = p.start - birth
        let last = p.end - birth
        while a <= last {
            let m = Int(AgeMonths.ofDay[Int(a)])
            let hi = min(last, AgeMonths.firstDay[m + 1] - 1)
            let n = Double(hi - a + 1)
            days[c][m] += n
            ageDaySums[c][m] += n * Double(a + hi) / 2
            a = hi + 1
        }
    }
}

/// The case process: the daily chance that a child's first case opens, by kind of day and
/// age, and the chances that it goes on to an investigation and a measure.
///
/// The first case is drawn with an unconditional daily probability (not a hazard among
/// children still without a case), so expected first cases on a cohort's exposure days
/// are exactly rate × exposure days, the quantity `metrics.md` divides: the measured rate
/// ratio is the requested one. Ages are steered by exponential tilts over age months,
/// solved against the actual exposure of each cohort, so the mean age at the first
/// investigation (and, via who gets a measure, the first measure) differs by the
/// requested months — and by nothing when there is no effect, even where the cohorts'
/// age mix differs.
struct CaseModel {
    /// First cases per child-year on control days.
    static let baseRate = 0.018
    static let investigated = 0.7
    static let measured = 0.55
    /// Older children get somewhat more cases (per month of age).
    static let controlTilt = 0.008
    static let notEnrolledFactor = 0.6
    static let overAgeFactor = 0.4

    /// [Piece.Kind.rawValue 0...2][month]: probability that the first case opens that day.
    let daily: [[Double]]
    let dailyOverAge: Double
    /// [kind 0...2][month of the case's day]: probability of a measure given an investigation.
    let measure: [[Double]]

    init(histogram h: ExposureHistogram, effect: DropGenerator.Effect) {
        let perDay = Self.baseRate / 365.25
        let mid = (0..<AgeMonths.count).map { Double($0) + 0.5 }
        func tilt(_ beta: Double) -> [Double] { mid.map { exp(beta * $0) } }
        func meanAge(_ c: Int, _ w: [Double]) -> Double {
            var num = 0.0, den = 0.0
            for m in 0..<AgeMonths.count { num += w[m] * h.ageDaySums[c][m]; den += w[m] * h.days[c][m] }
            return den > 0 ? num / den / AgeMonths.daysPerMonth : 0
        }
        func normalised(_ c: Int, _ w: [Double], by base: [Double]) -> [Double] {
            var num = 0.0, den = 0.0
            for m in 0..<AgeMonths.count { num += w[m] * base[m] * h.days[c][m]; den += base[m] * h.days[c][m] }
            return num > 0 ? w.map { $0 * den / num } : w
        }
        /// The tilt whose mean age is `target`, by bisection (mean age rises with the tilt).
        func solve(_ c: Int, base: [Double], target: Double) -> Double {
            var lo = -0.5, hi = 0.5
            for _ in 0..<100 {
                let b = (lo + hi) / 2
                let w = zip(base, tilt(b)).map { $0 * $1 }
                if meanAge(c, w) < target { lo = b } else { hi = b }
            }
            return (lo + hi) / 2
        }
        let ones = [Double](repeating: 1, count: AgeMonths.count)
        let hasTreatment = h.days[0].contains { $0 > 0 } && h.days[1].contains { $0 > 0 }

        let wC = normalised(1, tilt(Self.controlTilt), by: ones)
        let controlMean = meanAge(1, wC)
        let betaT = hasTreatment ? solve(0, base: ones, target: controlMean + effect.investigationShiftMonths) : Self.controlTilt
        let wT = normalised(0, tilt(betaT), by: ones)
        // Measures: control children get them at any age alike; treatment children more
        // often when young, enough to move the mean by the measure shift.
        let gammaT = hasTreatment ? solve(0, base: wT, target: controlMean + effect.measureShiftMonths) : 0
        let vT = normalised(0, tilt(gammaT), by: wT)

        let ratio = effect.caseHazardRatio
        daily = [wT.map { perDay * ratio * $0 }, wC.map { perDay * $0 }, wC.map { perDay * Self.notEnrolledFactor * $0 }]
        dailyOverAge = perDay * Self.overAgeFactor
        measure = [vT.map { min(1, Self.measured * $0) }, ones.map { Self.measured * $0 }, ones.map { Self.measured * $0 }]
    }
}
