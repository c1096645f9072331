import Evaluation
import Testing

/// Four institutions over four quarters, every figure worked out by hand.
///
/// Every quarter has 1,461 exposure days (four child-years), so `Y = 1000 × events / 4 =
/// 250 × events`; below, differences are in events and multiplied by 250 at the end.
///
///     institution  group  events by quarter   ΔY(2,1) ΔY(3,1) ΔY(4,1) ΔY(3,2) ΔY(4,2)
///     A            2      2  6  7  8              4       5       6
///     B            3      4  5  9  9              1       5       5       4       4
///     C            0      3  4  4  6              1       1       3       0       2
///     D            0      1  1  3  2              0       2       1       2       1
///
/// `not_yet_treated` compares with the never covered and those covered after period t
/// (other than g itself); the base period is g − 1 from g on, t − 1 before:
///
///     (g,t)  base  comparison  treated ΔY  comparison mean ΔY      ATT (events)  × 250
///     (2,2)  1     B C D       4           (1 + 1 + 0)/3 = 2/3     10/3          833.33…
///     (2,3)  1     C D         5           (1 + 2)/2 = 3/2         7/2           875
///     (2,4)  1     C D         6           (3 + 1)/2 = 2           4             1000
///     (3,2)  1     C D         1           (1 + 0)/2 = 1/2         1/2           125
///     (3,3)  2     C D         4           (0 + 2)/2 = 1           3             750
///     (3,4)  2     C D         4           (2 + 1)/2 = 3/2         5/2           625
///
/// A cell's standard error is `sqrt(Σ_group (ΔY − mean)²/n_g² + Σ_comparison (ΔY − mean)²/n_c²)`;
/// each group has one institution, so only the comparison contributes:
///
///     (2,2): deviations 1/3, 1/3, −2/3: (1/9 + 1/9 + 4/9)/9 = 2/27  → se = 250 √(2/27)
///     (2,3): deviations −1/2, 1/2:      (1/4 + 1/4)/4 = 1/8         → se = 250 √(1/8)
///     (3,3): deviations −1, 1:          (1 + 1)/4 = 1/2             → se = 250 √(1/2)
@Suite struct HandPanelTests {
    static let panel = EvaluationPanel(periods: 4, institutions: [
        .init(id: "A", group: 2, exposureDays: [1461, 1461, 1461, 1461], events: [2, 6, 7, 8]),
        .init(id: "B", group: 3, exposureDays: [1461, 1461, 1461, 1461], events: [4, 5, 9, 9]),
        .init(id: "C", group: 0, exposureDays: [1461, 1461, 1461, 1461], events: [3, 4, 4, 6]),
        .init(id: "D", group: 0, exposureDays: [1461, 1461, 1461, 1461], events: [1, 1, 3, 2]),
    ])

    @Test func groupTimeEffects() throws {
        let result = try estimate(Self.panel, controlGroup: .notYetTreated)
        let expected: [(g: Int, t: Int, base: Int, att: Double, controls: Int)] = [
            (2, 2, 1, 250 * 10 / 3, 3), (2, 3, 1, 250 * 7 / 2, 2), (2, 4, 1, 250 * 4, 2),
            (3, 2, 1, 250 * 1 / 2, 2), (3, 3, 2, 250 * 3, 2), (3, 4, 2, 250 * 5 / 2, 2),
        ]
        #expect(result.groupTime.count == expected.count)
        for (cell, want) in zip(result.groupTime, expected) {
            #expect(cell.group == want.g && cell.period == want.t && cell.basePeriod == want.base)
            #expect(close(cell.estimate.att, want.att), "ATT(\(want.g),\(want.t))")
            #expect(cell.treated == 1 && cell.controls == want.controls)
        }
        let se = Dictionary(uniqueKeysWithValues: result.groupTime.map { ("\($0.group),\($0.period)", $0.estimate.se) })
        #expect(close(se["2,2"]!!, 250 * (2.0 / 27).squareRoot()))
        #expect(close(se["2,3"]!!, 250 * (1.0 / 8).squareRoot()))
        #expect(close(se["3,3"]!!, 250 * (1.0 / 2).squareRoot()))
    }

    /// `simple` averages the five post-treatment cells, each group of one institution so each
    /// cell weighs 1/5: (10/3 + 7/2 + 4 + 3 + 5/2)/5 = 49/15 events.
    ///
    /// Its influence function (in events, over n) is Σ_k (1/5) φ_k plus `wif`. The cells' φ:
    ///
    ///     (2,2): B −1/9, C −1/9, D +2/9       (−(ΔY − 2/3)/3 on the comparison)
    ///     (2,3): C +1/4, D −1/4     (2,4): C −1/2, D +1/2
    ///     (3,3): C +1/2, D −1/2     (3,4): C −1/4, D +1/4    (A and B: ΔY − mean = 0)
    ///
    /// so Σ_k φ_k/5 = A 0, B −1/45, C −1/45, D 2/45. `wif` adds, on each group's institutions,
    /// Σ over its cells of (ATT − 49/15), over Σ n_g = 5: A (10/3 + 7/2 + 4 − 3·49/15)/5 = 31/150,
    /// B (3 + 5/2 − 2·49/15)/5 = −31/150. The standard error is the root of the sum of squares.
    @Test func simpleAggregationWithTheWeightsInfluence() throws {
        let result = try estimate(Self.panel, controlGroup: .notYetTreated)
        #expect(close(result.simple.att, 250 * 49 / 15))
        let a = 31.0 / 150, b = -1.0 / 45 - 31.0 / 150, c = -1.0 / 45, d = 2.0 / 45
        #expect(close(result.simple.se!, 250 * (a * a + b * b + c * c + d * d).squareRoot()))
    }

    /// `group`: A's three post cells average (10/3 + 7/2 + 4)/3 = 65/18, B's two (3 + 5/2)/2 = 11/4;
    /// overall, by group size (one each): (65/18 + 11/4)/2 = 229/72.
    /// `dynamic`: e = 0 averages (2,2) and (3,3) by group size: (10/3 + 3)/2 = 19/6; e = 1:
    /// (7/2 + 5/2)/2 = 3; e = 2: (2,4) alone, 4; e = −1: (3,2) alone, 1/2. Overall over e ≥ 0:
    /// (19/6 + 3 + 4)/3 = 61/18.
    @Test func groupAndDynamicAggregations() throws {
        let result = try estimate(Self.panel, controlGroup: .notYetTreated)
        #expect(result.group.byGroup.map(\.group) == [2, 3])
        #expect(result.group.byGroup.map(\.institutions) == [1, 1])
        #expect(close(result.group.byGroup[0].estimate.att, 250 * 65 / 18))
        #expect(close(result.group.byGroup[1].estimate.att, 250 * 11 / 4))
        #expect(close(result.group.overall.att, 250 * 229 / 72))
        #expect(result.dynamic.byEventTime.map(\.eventTime) == [-1, 0, 1, 2])
        #expect(result.dynamic.byEventTime.map(\.groups) == [1, 2, 2, 1])
        let atts = result.dynamic.byEventTime.map(\.estimate.att)
        let wanted: [Double] = [250.0 / 2, 250.0 * 19 / 6, 250.0 * 3, 250.0 * 4]
        for (att, want) in zip(atts, wanted) { #expect(close(att, want)) }
        #expect(close(result.dynamic.overall.att, 250 * 61 / 18))
        // An event time with one group is that cell, with its standard error (its weight is not estimated).
        #expect(result.dynamic.byEventTime[3].estimate.att == result.groupTime[2].estimate.att)
        #expect(close(result.dynamic.byEventTime[3].estimate.se!, result.groupTime[2].estimate.se!))
    }

    /// Two groups of one institution, two never covered and one covered later (B, a
    /// comparison for A until period 3). The treated groups' base periods: A's Y(1) = 500,
    /// B's Y(2) = 1250, mean 875.
    @Test func counts() throws {
        let result = try estimate(Self.panel, controlGroup: .notYetTreated)
        #expect(result.institutionsEstimated == 4)
        #expect(result.institutionsTreated == 2)
        #expect(result.institutionsControl == 3)
        #expect(result.leftOut.isEmpty)
        #expect(close(result.preTreatmentMean, 875))
        #expect(result.periods == 4 && result.lastEstimatedPeriod == 4 && result.comparisonOnlyGroup == nil)
    }

    /// Two never-covered institutions are too few for `never_treated`, as in R `did`.
    @Test func neverTreatedNeedsFiveNeverCovered() {
        #expect(throws: EvaluationError.tooFewNeverTreated(count: 2)) {
            try estimate(Self.panel, controlGroup: .neverTreated)
        }
    }
}

func close(_ a: Double, _ b: Double, relative: Double = 1e-12) -> Bool {
    abs(a - b) <= relative * max(abs(a), abs(b)) || a == b
}
