/// Influence functions (over n) being summed, reused across aggregations so the loops
/// allocate nothing per cell.
struct Influence {
    var current: [Double]
    var overall: [Double]

    init(n: Int) {
        current = [Double](repeating: 0, count: n)
        overall = [Double](repeating: 0, count: n)
    }
}

/// `aggte(type = "simple" | "dynamic" | "group", bstrap = FALSE)`, as `compute.aggte`
/// computes them. Weights are group shares `pg = n_g / n`; where they are estimated
/// (simple, per event time, and the group overall), `wif` adds their influence, which for
/// weights without sampling weights reduces to `(att_k − A) / Σ n_g` summed over the
/// aggregated cells `k` of the institution's own group (`A` the aggregate).
extension Estimator {
    func simpleAggregation(_ influence: inout Influence) -> Estimate {
        weightedByGroupSize(cells.filter(\.isPostTreatment), into: &influence.current)
    }

    func dynamicAggregation(_ influence: inout Influence) -> DynamicAggregation {
        let eventTimes = Set(cells.lazy.map(\.eventTime)).sorted()
        let positive = eventTimes.count { $0 >= 0 }
        zero(&influence.overall)
        var byEventTime: [EventTimeEffect] = []
        byEventTime.reserveCapacity(eventTimes.count)
        var sum = 0.0
        for e in eventTimes {
            let keep = cells.filter { $0.eventTime == e }
            let estimate = weightedByGroupSize(keep, into: &influence.current)
            byEventTime.append(EventTimeEffect(eventTime: e, estimate: estimate, groups: keep.count))
            if e >= 0 {
                sum += estimate.att
                add(influence.current, times: 1 / Double(positive), to: &influence.overall)
            }
        }
        return DynamicAggregation(
            overall: Estimate(att: sum / Double(positive), sumOfSquares: sumOfSquares(influence.overall)),
            byEventTime: byEventTime)
    }

    func groupAggregation(_ influence: inout Influence) -> GroupAggregation {
        let treated = Double(panel.groups.reduce(0) { $0 + $1.units.count })
        zero(&influence.overall)
        var byGroup: [GroupEffect] = []
        byGroup.reserveCapacity(panel.groups.count)
        var weighted = 0.0
        for (index, group) in panel.groups.enumerated() {
            // Every post-treatment period of the group, equally weighted.
            let keep = cells.filter { $0.groupIndex == index && $0.isPostTreatment }
            let att = keep.reduce(0.0) { $0 + $1.att } / Double(keep.count)
            zero(&influence.current)
            for cell in keep { add(cell, weight: 1 / Double(keep.count), to: &influence.current) }
            byGroup.append(GroupEffect(group: group.value,
                                       estimate: Estimate(att: att, sumOfSquares: sumOfSquares(influence.current)),
                                       institutions: group.units.count))
            let share = Double(group.units.count) / treated
            weighted += share * att
            add(influence.current, times: share, to: &influence.overall)
        }
        let overall = weighted
        addWeightInfluence(byGroup.map { $0.estimate.att - overall }, over: treated, to: &influence.overall)
        return GroupAggregation(overall: Estimate(att: overall, sumOfSquares: sumOfSquares(influence.overall)),
                                byGroup: byGroup)
    }

    /// The cells weighted by their groups' sizes, with the weights' influence; leaves the
    /// influence function in `buffer`.
    private func weightedByGroupSize(_ keep: [Cell], into buffer: inout [Double]) -> Estimate {
        let total = Double(keep.reduce(0) { $0 + $1.treated.count })
        let att = keep.reduce(0.0) { $0 + Double($1.treated.count) * $1.att } / total
        zero(&buffer)
        var deviations = [Double](repeating: 0, count: panel.groups.count)
        for cell in keep {
            add(cell, weight: Double(cell.treated.count) / total, to: &buffer)
            deviations[cell.groupIndex] += cell.att - att
        }
        addWeightInfluence(deviations, over: total, to: &buffer)
        return Estimate(att: att, sumOfSquares: sumOfSquares(buffer))
    }

    /// Adds `weight` × the cell's influence function.
    private func add(_ cell: Cell, weight: Double, to buffer: inout [Double]) {
        let post = (cell.period - 1) * panel.n, pre = (cell.base - 1) * panel.n
        let treatedWeight = weight / Double(cell.treated.count), meanTreated = cell.meanTreated
        let controlWeight = weight / Double(cell.controlCount), meanControl = cell.meanControl
        panel.y.withUnsafeBufferPointer { y in
            buffer.withUnsafeMutableBufferPointer { b in
                for i in cell.treated { b[i] += treatedWeight * (y[post + i] - y[pre + i] - meanTreated) }
                cell.controls.forEach { i in b[i] -= controlWeight * (y[post + i] - y[pre + i] - meanControl) }
            }
        }
    }

    /// `wif %*% att`: `deviations[j] / total` on every institution of group `j`.
    private func addWeightInfluence(_ deviations: [Double], over total: Double, to buffer: inout [Double]) {
        buffer.withUnsafeMutableBufferPointer { b in
            for (index, group) in panel.groups.enumerated() where deviations[index] != 0 {
                let value = deviations[index] / total
                for i in group.units { b[i] += value }
            }
        }
    }

    private func add(_ source: [Double], times factor: Double, to buffer: inout [Double]) {
        source.withUnsafeBufferPointer { s in
            buffer.withUnsafeMutableBufferPointer { b in
                for i in b.indices { b[i] += factor * s[i] }
            }
        }
    }

    private func zero(_ buffer: inout [Double]) {
        buffer.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    private func sumOfSquares(_ buffer: [Double]) -> Double {
        buffer.withUnsafeBufferPointer { b in b.reduce(0.0) { $0 + $1 * $1 } }
    }
}
