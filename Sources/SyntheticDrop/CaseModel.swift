import Foundation

/// The case process: the daily chance that a child's first case opens, by kind of day and
/// age, and the chances that it goes on to an investigation and a measure — with the
/// social worker's effect on covered days, and as those days would be without it.
///
/// The first case is drawn with an unconditional daily probability (not a hazard among
/// children still without a case), so expected first cases on a cohort's exposure days
/// are exactly rate × exposure days, the quantity `metrics.md` divides: the measured rate
/// ratio is the requested one. Days at institutions that are ever covered carry the
/// selection (× `selection`). Ages are steered by exponential tilts over age months,
/// solved against the actual exposure of each cohort, so the mean age at the first
/// investigation (and, via who gets a measure, the first measure) differs by the
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
    /// before the selection. Covered days (kind 0) with the effect.
    let daily: [[Double]]
    /// Covered days without the effect: the same day had the worker not been there.
    let dailyWithoutEffect: [Double]
    let dailyOverAge: Double
    /// [kind 0...2][month of the case's day]: probability of a measure given an investigation.
    let measure: [[Double]]
    let measureWithoutEffect: [Double]
    let selection: Double
    /// The ratio of first cases on covered days, with the effect against without, averaged
    /// over the covered exposure: solved for a naive target, else as asked.
    let caseRatio: Double

    init(histogram h: ExposureHistogram, effect: DropGenerator.Effect, selection: Double) {
        let perDay = Self.baseRate / 365.25
        let mid = (0..<AgeMonths.count).map { Double($0) + 0.5 }
        func tilt(_ beta: Double) -> [Double] { mid.map { exp(beta * $0) } }
        // Control days, weighted by their risk: the selected carry `selection`.
        let controlDays = (0..<AgeMonths.count).map { selection * h.days[1][$0] + h.days[2][$0] }
        let controlAges = (0..<AgeMonths.count).map { selection * h.ageDaySums[1][$0] + h.ageDaySums[2][$0] }
        let plainControlDays = (0..<AgeMonths.count).map { h.days[1][$0] + h.days[2][$0] }
        func meanAge(_ days: [Double], _ ages: [Double], _ w: [Double]) -> Double {
            var num = 0.0, den = 0.0
            for m in 0..<AgeMonths.count { num += w[m] * ages[m]; den += w[m] * days[m] }
            return den > 0 ? num / den / AgeMonths.daysPerMonth : 0
        }
        /// `w` scaled so that its mean over `days` (weighted by `base`) is 1.
        func normalised(_ days: [Double], _ w: [Double], by base: [Double]) -> [Double] {
            var num = 0.0, den = 0.0
            for m in 0..<AgeMonths.count { num += w[m] * base[m] * days[m]; den += base[m] * days[m] }
            return num > 0 ? w.map { $0 * den / num } : w
        }
        /// The tilt whose mean age over the covered days is `target`, by bisection.
        func solve(base: [Double], target: Double) -> Double {
            var lo = -0.5, hi = 0.5
            for _ in 0..<100 {
                let b = (lo + hi) / 2
                if meanAge(h.days[0], h.ageDaySums[0], zip(base, tilt(b)).map { $0 * $1 }) < target { lo = b } else { hi = b }
            }
            return (lo + hi) / 2
        }
        let ones = [Double](repeating: 1, count: AgeMonths.count)
        let hasTreatment = h.days[0].contains { $0 > 0 } && plainControlDays.contains { $0 > 0 }

        let wC = normalised(plainControlDays, tilt(Self.controlTilt), by: ones)
        let controlMean = meanAge(controlDays, controlAges, wC)
        var wT = wC, vT = ones
        if hasTreatment, effect.investigationShiftMonths != 0 || effect.measureShiftMonths != 0 {
            wT = normalised(h.days[0], tilt(solve(base: ones, target: controlMean + effect.investigationShiftMonths)), by: ones)
            // Measures: control children get them at any age alike; treatment children more
            // often when young, enough to move the mean by the measure shift.
            vT = normalised(h.days[0], tilt(solve(base: wT, target: controlMean + effect.measureShiftMonths)), by: wT)
        }
        // Expected rates per covered and per control day (before perDay): selection × ratio ×
        // wT's mean over covered days, and the mean of wC × risk over control days.
        func mean(_ w: [Double], _ weighted: [Double], over days: [Double]) -> Double {
            let total = days.reduce(0, +)
            return total > 0 ? zip(w, weighted).reduce(0) { $0 + $1.0 * $1.1 } / total : 1
        }
        let ratio: Double
        switch effect.caseRate {
        case .ratio(let r): ratio = r
        case .naiveRatio(let target):
            let control = mean(wC, controlDays, over: plainControlDays), covered = mean(wT, h.days[0], over: h.days[0])
            ratio = hasTreatment ? target * control / (selection * covered) : target
        }
        daily = [wT.map { perDay * ratio * $0 }, wC.map { perDay * $0 }, wC.map { perDay * Self.notEnrolledFactor * $0 }]
        dailyWithoutEffect = wC.map { perDay * $0 }
        dailyOverAge = perDay * Self.overAgeFactor
        measure = [vT.map { min(1, Self.measured * $0) }, ones.map { Self.measured * $0 }, ones.map { Self.measured * $0 }]
        measureWithoutEffect = ones.map { Self.measured * $0 }
        self.selection = selection
        // The realised ratio over the covered exposure (wT and wC differ in shape there).
        var with = 0.0, without = 0.0
        for m in 0..<AgeMonths.count { with += daily[0][m] * h.days[0][m]; without += dailyWithoutEffect[m] * h.days[0][m] }
        caseRatio = without > 0 ? with / without : ratio
    }

    /// The daily probability of a first case on the piece's days in age month `m`, with
    /// the effect (`effect`) or without.
    func daily(_ p: Piece, month m: Int, effect: Bool) -> Double {
        let base = p.kind == .covered && !effect ? dailyWithoutEffect[m] : daily[p.kind.rawValue][m]
        return p.selected ? base * selection : base
    }

    /// The chance of a measure, given an investigation, of a first case on a day of the piece.
    func measure(_ p: Piece, month m: Int, effect: Bool) -> Double {
        guard p.kind.rawValue < 3 else { return Self.measured }
        return p.kind == .covered && !effect ? measureWithoutEffect[m] : measure[p.kind.rawValue][m]
    }
}
