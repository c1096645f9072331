/// The Callaway & Sant'Anna staggered difference-in-differences of `evaluation.md`: what R
/// `did` returns for `att_gt(..., est_method = "reg", base_period = "varying",
/// bstrap = FALSE)` and `aggte(type = "simple" | "dynamic" | "group", bstrap = FALSE)`.
///
/// Standard errors come from the influence functions as `did` builds them, here divided by
/// n, so that a standard error is the root of the sum of squares of an influence function
/// over institutions (`did`: `sqrt(mean(IF²) / n)`). A cell's influence function is
/// nonzero only on its group and its comparison institutions and follows from the cell's
/// two means, so aggregations recompute it where they need it instead of keeping an
/// n × cells matrix.
package func estimate(_ panel: EvaluationPanel, controlGroup: ControlGroup) throws(EvaluationError)
    -> EvaluationResult
{
    let prepared = try PreparedPanel(panel, controlGroup: controlGroup)
    return Estimator(prepared, controlGroup: controlGroup).result()
}

/// Institutions as up to three ranges of the sorted panel (a group's comparison is the
/// never covered, and for `not_yet_treated` the later groups less the group itself).
struct UnitRanges {
    var first: Range<Int>
    var second: Range<Int>
    var third: Range<Int>

    init(_ first: Range<Int>, _ second: Range<Int> = 0..<0, _ third: Range<Int> = 0..<0) {
        self.first = first
        self.second = second
        self.third = third
    }

    var count: Int { first.count + second.count + third.count }

    @inline(__always) func forEach(_ body: (Int) -> Void) {
        for i in first { body(i) }
        for i in second { body(i) }
        for i in third { body(i) }
    }
}

/// One `ATT(g,t)` and what its influence function needs.
struct Cell {
    let groupIndex: Int
    let group: Int
    let period: Int
    let base: Int
    let att: Double
    let meanTreated: Double
    let meanControl: Double
    let treated: Range<Int>
    let controls: UnitRanges
    let controlCount: Int
    /// Of its influence function.
    let sumOfSquares: Double

    var eventTime: Int { period - group }
    var isPostTreatment: Bool { period >= group }
}

struct Estimator {
    let panel: PreparedPanel
    let controlGroup: ControlGroup
    /// By group, then period (as `did` orders them).
    let cells: [Cell]

    init(_ panel: PreparedPanel, controlGroup: ControlGroup) {
        self.panel = panel
        self.controlGroup = controlGroup
        var cells: [Cell] = []
        cells.reserveCapacity(panel.groups.count * (panel.periods - 1))
        panel.y.withUnsafeBufferPointer { y in
            for (groupIndex, group) in panel.groups.enumerated() {
                for t in 2...panel.periods {
                    cells.append(Self.cell(groupIndex: groupIndex, group: group.value, treated: group.units,
                                           period: t, panel: panel, controlGroup: controlGroup, y: y))
                }
            }
        }
        self.cells = cells
    }

    /// `ATT(g,t) = mean over G = g of ΔY − mean over the comparison of ΔY`, `ΔY = Y(t) − Y(b)`.
    /// Its influence function (over n) is `(ΔY − mean)/n_g` on the group and
    /// `−(ΔY − mean)/n_c` on the comparison: `DRDID::reg_did_panel` without covariates,
    /// rescaled by n/(n_g + n_c) as `did` does.
    private static func cell(groupIndex: Int, group g: Int, treated: Range<Int>, period t: Int,
                             panel: PreparedPanel, controlGroup: ControlGroup,
                             y: UnsafeBufferPointer<Double>) -> Cell {
        let base = t >= g ? g - 1 : t - 1
        var controls = UnitRanges(0..<panel.neverCount)
        if controlGroup == .notYetTreated {
            // Not covered in period t (so neither in its base period), other than g itself.
            let later = panel.firstAfter[t]
            if g > t {
                controls.second = later..<treated.lowerBound
                controls.third = treated.upperBound..<panel.n
            } else {
                controls.second = later..<panel.n
            }
        }
        let post = (t - 1) * panel.n, pre = (base - 1) * panel.n
        func moments(_ units: UnitRanges) -> (mean: Double, sumOfSquares: Double) {
            var sum = 0.0
            units.forEach { sum += y[post + $0] - y[pre + $0] }
            let mean = sum / Double(units.count)
            var squares = 0.0
            units.forEach {
                let d = y[post + $0] - y[pre + $0] - mean
                squares += d * d
            }
            return (mean, squares)
        }
        let tr = moments(UnitRanges(treated))
        let co = moments(controls)
        let nt = Double(treated.count), nc = Double(controls.count)
        return Cell(groupIndex: groupIndex, group: g, period: t, base: base, att: tr.mean - co.mean,
                    meanTreated: tr.mean, meanControl: co.mean, treated: treated, controls: controls,
                    controlCount: controls.count,
                    sumOfSquares: tr.sumOfSquares / (nt * nt) + co.sumOfSquares / (nc * nc))
    }

    func result() -> EvaluationResult {
        let groupTime = cells.map {
            GroupTimeEffect(group: $0.group, period: $0.period, basePeriod: $0.base,
                            estimate: Estimate(att: $0.att, sumOfSquares: $0.sumOfSquares),
                            treated: $0.treated.count, controls: $0.controlCount)
        }
        var influence = Influence(n: panel.n)
        let simple = simpleAggregation(&influence)
        let dynamic = dynamicAggregation(&influence)
        let group = groupAggregation(&influence)

        let treated = panel.groups.reduce(0) { $0 + $1.units.count }
        var baseSum = 0.0
        for group in panel.groups {
            let row = (group.value - 2) * panel.n
            for i in group.units { baseSum += panel.y[row + i] }
        }
        let control = switch controlGroup {
        case .neverTreated: panel.neverCount
        case .notYetTreated: panel.neverCount + panel.n - panel.firstAfter[panel.groups[0].value]
        }
        return EvaluationResult(
            controlGroup: controlGroup, periods: panel.panelPeriods, lastEstimatedPeriod: panel.periods,
            comparisonOnlyGroup: panel.comparisonOnlyGroup, groupTime: groupTime, simple: simple,
            dynamic: dynamic, group: group, institutionsEstimated: panel.n, institutionsTreated: treated,
            institutionsControl: control, leftOut: panel.leftOut, preTreatmentMean: baseSum / Double(treated))
    }
}

extension Estimate {
    /// R `did` reports a standard error at or below `sqrt(.Machine$double.eps) * 10` as NA.
    package static let smallestStandardError = Double.ulpOfOne.squareRoot() * 10

    init(att: Double, sumOfSquares: Double) {
        let se = sumOfSquares.squareRoot()
        self.init(att: att, se: se > Self.smallestStandardError ? se : nil)
    }
}
