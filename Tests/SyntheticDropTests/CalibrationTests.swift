import Foundation
import Testing
@testable import SyntheticDrop

/// The case model's calibration in expectation, without drawing a case: over a hand-made
/// exposure, the expected naive figures are the asked ones, and the selection is a fixed
/// difference between institutions. (`EffectTests` and `EffectSweep` check the drawn drops.)
@Suite struct CalibrationTests {
    /// Exposure shaped like a municipality's: vuggestue and børnehave ages, the covered
    /// days somewhat younger than the control days (the workers came later in the window).
    static let histogram: ExposureHistogram = {
        var h = ExposureHistogram()
        for m in 9..<80 {
            let x = Double(m)
            let days = [2000 * exp(-0.01 * x), 3000 * (1 + 0.004 * x), 5000 * (1 + 0.002 * x)]
            for c in 0..<ExposureHistogram.classes {
                h.days[c][m] = days[c].rounded()
                h.ageDaySums[c][m] = h.days[c][m] * (x + 0.5) * AgeMonths.daysPerMonth
            }
        }
        return h
    }()

    static func piece(_ kind: Piece.Kind, selected: Bool) -> Piece {
        Piece(start: 0, end: 0, kind: kind, institution: 0, exposed: true, selected: selected)
    }

    /// Per age month: expected first cases per day on each class of exposure day, with the
    /// effect or without.
    static func rates(_ model: CaseModel, effect: Bool) -> [[Double]] {
        let kinds = [piece(.covered, selected: true), piece(.uncovered, selected: true), piece(.uncovered, selected: false)]
        return kinds.map { p in (0..<AgeMonths.count).map { model.daily(p, month: $0, effect: effect) } }
    }

    /// Expected first cases (× `weight` per month) over the classes, and their mean age in months.
    static func expected(_ rates: [[Double]], classes: [Int], weight: (Int, Int) -> Double = { _, _ in 1 })
        -> (cases: Double, days: Double, meanAge: Double) {
        let h = histogram
        var cases = 0.0, days = 0.0, ages = 0.0
        for c in classes {
            for m in 0..<AgeMonths.count {
                cases += rates[c][m] * weight(c, m) * h.days[c][m]
                ages += rates[c][m] * weight(c, m) * h.ageDaySums[c][m]
                days += h.days[c][m]
            }
        }
        return (cases, days, ages / cases / AgeMonths.daysPerMonth)
    }

    @Test(arguments: [1.0, 1.5, 2, 3])
    func theNaiveComparisonShowsTheAskedFigures(selection: Double) {
        let model = CaseModel(histogram: Self.histogram, effect: .evaluation, selection: selection)
        let r = Self.rates(model, effect: true)
        let covered = Self.expected(r, classes: [0]), control = Self.expected(r, classes: [1, 2])
        #expect(abs(covered.cases / covered.days / (control.cases / control.days) - 2) < 1e-9, "detection rate ratio")
        #expect(abs(covered.meanAge - control.meanAge + 4) < 1e-6, "investigation: \(covered.meanAge) against \(control.meanAge)")
        // Measures: the control's chance is the same at every age; the covered days' is tilted.
        let measured = { (c: Int, m: Int) in c == 0 ? model.measure[0][m] : CaseModel.measured }
        let coveredMeasures = Self.expected(r, classes: [0], weight: measured)
        let controlMeasures = Self.expected(r, classes: [1, 2], weight: measured)
        #expect(abs(coveredMeasures.meanAge - controlMeasures.meanAge + 7.5) < 1e-6)
        // Given an investigation, a measure is as likely on covered days as on the others.
        #expect(abs(coveredMeasures.cases / covered.cases - CaseModel.measured) < 1e-9)
        #expect(model.caseRatio > 1)
    }

    @Test(arguments: [0.5, 1.5, 2, 3])
    func theSelectionIsAFixedDifference(selection: Double) {
        let model = CaseModel(histogram: Self.histogram, effect: .evaluation, selection: selection)
        let r = Self.rates(model, effect: false)
        // Every age month: the same constant between ever-covered and never-covered days, on
        // covered days (without the effect) and before coverage alike.
        let difference = r[1][40] - r[2][40]
        #expect(abs(difference - (selection - 1) * CaseModel.baseRate / 365.25) < 1e-15)
        for m in 0..<AgeMonths.count {
            #expect(abs(r[1][m] - r[2][m] - difference) < 1e-15)
            #expect(abs(r[0][m] - r[1][m]) < 1e-15, "without the effect a covered day is a day before coverage")
        }
        // Over the control exposure the ever-covered institutions carry `selection` × the risk.
        let plain = CaseModel(histogram: Self.histogram, effect: .evaluation, selection: 1)
        let baseline = Self.rates(plain, effect: false)
        let withSelection = Self.expected([r[1], r[1], r[1]], classes: [1, 2]).cases
        let without = Self.expected([baseline[2], baseline[2], baseline[2]], classes: [1, 2]).cases
        #expect(abs(withSelection / without - selection) < 1e-9)
    }

    @Test func aRatioAskedForIsTheRatioOnEveryCoveredDay() {
        let effect = DropGenerator.Effect(caseRate: .ratio(1.7), investigationShiftMonths: 0, measureShiftMonths: 0, resolvedShare: 0.5)
        let model = CaseModel(histogram: Self.histogram, effect: effect, selection: 2)
        let with = Self.rates(model, effect: true), without = Self.rates(model, effect: false)
        for m in 9..<80 { #expect(abs(with[0][m] / without[0][m] - 1.7) < 1e-12) }
        #expect(with[1] == without[1] && with[2] == without[2], "the effect acts on covered days only")
        #expect(abs(model.caseRatio - 1.7) < 1e-12)
    }

    @Test func noEffectLeavesCoveredDaysAlone() {
        let model = CaseModel(histogram: Self.histogram, effect: .none, selection: 2)
        #expect(Self.rates(model, effect: true) == Self.rates(model, effect: false))
        #expect(model.caseRatio == 1)
    }
}
