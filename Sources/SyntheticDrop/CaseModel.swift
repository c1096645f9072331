import Foundation

/// The case process: the daily chance that a child's first case opens, by kind of day and
/// age, and the chances that it goes on to an investigation and a measure — with the
/// social worker's effect on covered days, and as those days would be without it.
///
/// The first case is drawn with an unconditional daily probability (not a hazard among
/// children still without a case), so expected first cases on a cohort's exposure days
/// are exactly rate × exposure days, the quantity `metrics.md` divides: the measured rate
/// ratio is the requested one.
///
/// The selection is a fixed difference between institutions: every day at an institution
/// that is ever covered gets (selection − 1) × the control exposure's mean daily
/// probability added, so those children carry `selection` times the baseline risk on
/// average, with the same age and seasonal shape as everyone else. (Multiplying the day's
/// probability instead gave ever-covered institutions a larger seasonal swing, from the
/// age tilt and seasonal enrolment, which quarterly differences-in-differences in levels
/// mistake for an effect: `docs/decisions.md`.) The effect multiplies a covered day's whole
/// probability, the selection's part included.
///
/// Ages are steered by exponential tilts over age months, solved against the actual
/// exposure of each cohort (the selection's constant included), so the mean age at the
/// first investigation (and, via who gets a measure, the first measure) differs by the
/// requested months; with no shift asked for, covered days keep the control profile.
struct CaseModel {
    /// First cases per child-year on control days without selection.
    static let baseRate = 0.018
    static let investigated = 0.7
    static let measured = 0.55
    /// Older children get somewhat more cases (per month of age).
    static let controlTilt = 0.008
    static let notEnrolledFactor = 0.6
    static let overAgeFactor = 0.4

    /// [Piece.Kind.rawValue 0...2][month]: probability that the first case opens that day,
    /// before the selection's constant and, on covered days (kind 0), before the effect's
    /// ratio: the age profile with the effect.
    let daily: [[Double]]
    /// Covered days without the effect, before the selection: the same day had the worker
    /// not been there.
    let dailyWithoutEffect: [Double]
    let dailyOverAge: Double
    /// Added to the daily probability on every day at an institution ever covered.
    let selectionDaily: Double
    /// What the effect multiplies a covered day's probability by (age profile aside).
    let effectRatio: Double
    /// [kind 0...2][month of the case's day]: probability of a measure given an investigation.
    let measure: [[Double]]
    let measureWithoutEffect: [Double]
    /// The ratio of first cases on covered days, with the effect against without, averaged
    /// over the covered exposure: solved for a naive target, else as asked.
    let caseRatio: Double

    init(histogram h: ExposureHistogram, effect: DropGenerator.Effect, selection: Double) {
        let months = 0..<AgeMonths.count
        let perDay = Self.baseRate / 365.25
        let mid = months.map { Double($0) + 0.5 }
        let ones = [Double](repeating: 1, count: AgeMonths.count)
        func tilt(_ beta: Double) -> [Double] { mid.map { exp(beta * $0) } }
        func plus(_ w: [Double], _ c: Double) -> [Double] { w.map { $0 + c } }
        /// The mean of `w` over `days`.
        func mean(_ w: [Double], over days: [Double]) -> Double {
            let total = days.reduce(0, +)
            return total > 0 ? months.reduce(0) { $0 + w[$1] * days[$1] } / total : 1
        }
        /// The mean age in months of first cases on `days` (with their age sums `ages`) when
        /// a day of month m has weight `w[m]`.
        func meanAge(_ days: [Double], _ ages: [Double], _ w: [Double]) -> Double {
            var num = 0.0, den = 0.0
            for m in months { num += w[m] * ages[m]; den += w[m] * days[m] }
            return den > 0 ? num / den / AgeMonths.daysPerMonth : 0
        }
        /// `w` scaled so that its mean over `days` (weighted by `base`) is 1.
        func normalised(_ days: [Double], _ w: [Double], by base: [Double]) -> [Double] {
            var num = 0.0, den = 0.0
            for m in months { num += w[m] * base[m] * days[m]; den += base[m] * days[m] }
            return num > 0 ? w.map { $0 * den / num } : w
        }
        /// The tilt β whose weights `weights(β)` give the covered days' first cases the mean
        /// age `target`, by bisection (the mean age rises with β).
        func solve(target: Double, _ weights: (Double) -> [Double]) -> Double {
            var lo = -0.5, hi = 0.5
            for _ in 0..<100 {
                let b = (lo + hi) / 2
                if meanAge(h.days[0], h.ageDaySums[0], weights(b)) < target { lo = b } else { hi = b }
            }
            return (lo + hi) / 2
        }
        let controlDays = months.map { h.days[1][$0] + h.days[2][$0] }
        let hasTreatment = h.days[0].contains { $0 > 0 } && controlDays.contains { $0 > 0 }

        // The baseline's age profile, mean 1 over the control exposure; the selection's
        // constant in the same units (so (selection − 1) × the baseline's mean there).
        let wC = normalised(controlDays, tilt(Self.controlTilt), by: ones)
        let added = (selection - 1) * mean(wC, over: controlDays)
        // Control first cases per month of age: the profile on all control days, and the
        // constant on the not-yet-covered days of institutions covered later.
        let controlCases = months.map { wC[$0] * controlDays[$0] + added * h.days[1][$0] }
        let controlAges = months.map { wC[$0] * (h.ageDaySums[1][$0] + h.ageDaySums[2][$0]) + added * h.ageDaySums[1][$0] }
        let controlMean = meanAge(controlCases, controlAges, ones)
        var wT = wC, vT = ones
        if hasTreatment, effect.investigationShiftMonths != 0 || effect.measureShiftMonths != 0 {
            // The profile with the effect, mean 1 over the covered days, so that with the
            // constant its mean there is `selection` (before the effect's ratio).
            func profile(_ b: Double) -> [Double] { normalised(h.days[0], tilt(b), by: ones) }
            wT = profile(solve(target: controlMean + effect.investigationShiftMonths) { plus(profile($0), added) })
            // Measures: control children get them at any age alike; treatment children more
            // often when young, enough to move the mean by the measure shift.
            let cases = plus(wT, added)
            vT = normalised(h.days[0], tilt(solve(target: controlMean + effect.measureShiftMonths) { zip(cases, tilt($0)).map { $0 * $1 } }),
                            by: cases)
        }
        let ratio: Double
        switch effect.caseRate {
        case .ratio(let r): ratio = r
        case .naiveRatio(let target):
            // Covered against control first cases per exposure day, the selection in both.
            let control = months.reduce(0) { $0 + controlCases[$1] } / controlDays.reduce(0, +)
            ratio = hasTreatment ? target * control / mean(plus(wT, added), over: h.days[0]) : target
        }
        daily = [wT.map { perDay * $0 }, wC.map { perDay * $0 }, wC.map { perDay * Self.notEnrolledFactor * $0 }]
        dailyWithoutEffect = wC.map { perDay * $0 }
        dailyOverAge = perDay * Self.overAgeFactor
        selectionDaily = perDay * added
        effectRatio = ratio
        measure = [vT.map { min(1, Self.measured * $0) }, ones.map { Self.measured * $0 }, ones.map { Self.measured * $0 }]
        measureWithoutEffect = ones.map { Self.measured * $0 }
        // The realised ratio over the covered exposure (wT and wC differ in shape there).
        var with = 0.0, without = 0.0
        for m in months {
            with += ratio * (daily[0][m] + selectionDaily) * h.days[0][m]
            without += (dailyWithoutEffect[m] + selectionDaily) * h.days[0][m]
        }
        caseRatio = without > 0 ? with / without : ratio
    }

    /// The daily probability of a first case on the piece's days in age month `m`, with
    /// the effect (`effect`) or without. A selection below 1 subtracts; below about 0.3 the
    /// youngest months would go negative, and stop at 0.
    func daily(_ p: Piece, month m: Int, effect: Bool) -> Double {
        let added = p.selected ? selectionDaily : 0
        guard p.kind == .covered else { return max(0, daily[p.kind.rawValue][m] + added) }
        return effect ? effectRatio * max(0, daily[0][m] + added) : max(0, dailyWithoutEffect[m] + added)
    }

    /// The chance of a measure, given an investigation, of a first case on a day of the piece.
    func measure(_ p: Piece, month m: Int, effect: Bool) -> Double {
        guard p.kind.rawValue < 3 else { return Self.measured }
        return p.kind == .covered && !effect ? measureWithoutEffect[m] : measure[p.kind.rawValue][m]
    }
}
