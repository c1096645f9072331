import Evaluation
import Testing

@Suite struct EdgeCaseTests {
    static let base = PanelGenerator(institutions: 50, periods: 10, groups: [3, 6], neverShare: 0.5)

    /// A group of one institution: its cells' standard errors come from the comparison alone.
    static func singleInstitutionGroup() -> EvaluationPanel {
        var panel = base.panel(seed: 11)
        let i = panel.institutions.firstIndex { $0.group == 0 }!
        panel.institutions[i].group = 8
        return panel
    }

    @Test func groupOfOneInstitution() throws {
        let result = try estimate(Self.singleInstitutionGroup(), controlGroup: .neverTreated)
        let cells = result.groupTime.filter { $0.group == 8 }
        #expect(cells.count == 9 && cells.allSatisfy { $0.treated == 1 && $0.estimate.se != nil })
        #expect(result.group.byGroup.last?.group == 8 && result.group.byGroup.last?.institutions == 1)
    }

    /// Groups 3 and 6 over ten periods: event times −4…−2 have only group 6, 5…7 only group 3;
    /// such an event time is its one cell, whose weight is not estimated.
    @Test func eventTimesWithOneGroup() throws {
        let result = try estimate(Self.base.panel(seed: 12), controlGroup: .notYetTreated)
        let dynamic = Dictionary(uniqueKeysWithValues: result.dynamic.byEventTime.map { ($0.eventTime, $0) })
        #expect(result.dynamic.byEventTime.map(\.eventTime) == Array(-4...7))
        for e in [-4, -3, -2, 5, 6, 7] {
            let effect = try #require(dynamic[e])
            let cell = try #require(result.groupTime.first { $0.period - $0.group == e })
            #expect(effect.groups == 1)
            #expect(effect.estimate.att == cell.estimate.att)
            #expect(close(effect.estimate.se!, cell.estimate.se!, relative: 1e-10))
        }
        #expect(dynamic[0]?.groups == 2)
    }

    /// No event at all: every effect is 0, with no standard error (R `did`: NA), so no interval.
    static func allZero() -> EvaluationPanel {
        var panel = base.panel(seed: 13)
        for i in panel.institutions.indices {
            panel.institutions[i].events = Array(repeating: 0, count: panel.periods)
        }
        return panel
    }

    @Test func allZeroOutcomes() throws {
        for controlGroup in ControlGroup.allCases {
            let result = try estimate(Self.allZero(), controlGroup: controlGroup)
            let estimates = result.groupTime.map(\.estimate) + [result.simple, result.dynamic.overall, result.group.overall]
                + result.dynamic.byEventTime.map(\.estimate) + result.group.byGroup.map(\.estimate)
            #expect(estimates.allSatisfy { $0.att == 0 && $0.se == nil && $0.ciLow == nil && $0.ciHigh == nil })
            #expect(result.preTreatmentMean == 0)
        }
    }

    /// Each comparison set, counted the slow way from `evaluation.md`'s definition.
    @Test func comparisonInstitutionsPerCell() throws {
        let panel = PanelGenerator(institutions: 90, periods: 12, groups: [2, 4, 5, 9], neverShare: 0.3,
                                   unbalanced: 4, coveredFromStart: 3).panel(seed: 14)
        let kept = panel.institutions.filter { $0.group != 1 && $0.exposureDays.allSatisfy { $0 > 0 } }
        for controlGroup in ControlGroup.allCases {
            let result = try estimate(panel, controlGroup: controlGroup)
            for cell in result.groupTime {
                let comparison = kept.filter {
                    switch controlGroup {
                    case .neverTreated: $0.group == 0
                    case .notYetTreated: $0.group == 0 || ($0.group > cell.period && $0.group != cell.group)
                    }
                }
                #expect(cell.controls == comparison.count, "\(controlGroup) (\(cell.group),\(cell.period))")
                #expect(cell.treated == kept.count { $0.group == cell.group })
                #expect(cell.basePeriod == (cell.period >= cell.group ? cell.group - 1 : cell.period - 1))
            }
            #expect(result.groupTime.count == 4 * 11)
            #expect(result.institutionsEstimated == kept.count)
            #expect(result.institutionsTreated == kept.count { $0.group > 0 })
            let control = switch controlGroup {
            case .neverTreated: kept.count { $0.group == 0 }
            case .notYetTreated: kept.count { $0.group == 0 || $0.group > 2 }
            }
            #expect(result.institutionsControl == control)
        }
    }

    @Test func leftOutWithReasons() throws {
        var panel = Self.base.panel(seed: 15)
        panel.institutions[0].exposureDays[4] = 0  // unbalanced
        panel.institutions[1].group = 1  // covered from period 1
        panel.institutions[2].group = 1  // both: reported as unbalanced
        panel.institutions[2].exposureDays[0] = 0
        let result = try estimate(panel, controlGroup: .neverTreated)
        #expect(result.leftOut.map(\.id) == [panel.institutions[0].id, panel.institutions[1].id, panel.institutions[2].id])
        #expect(result.leftOut.map(\.reason) == [.unbalanced, .treatedFromFirstPeriod, .unbalanced])
        #expect(result.leftOutCount(.unbalanced) == 2 && result.leftOutCount(.treatedFromFirstPeriod) == 1)
        #expect(result.institutionsEstimated == panel.institutions.count - 3)
        #expect(LeftOutReason.allCases.map(\.rawValue) == ["unbalanced", "treated_from_first_period"])
    }

    /// No institution never covered: the group covered last only compares, and periods from its
    /// first on are not estimated (R `did` 2.5); with `never_treated` it is the control group.
    @Test func noNeverCoveredInstitution() throws {
        let panel = PanelGenerator(institutions: 60, periods: 10, groups: [3, 5, 8], neverShare: 0).panel(seed: 16)
        let lastGroup = panel.institutions.count { $0.group == 8 }
        for controlGroup in ControlGroup.allCases {
            let result = try estimate(panel, controlGroup: controlGroup)
            #expect(result.comparisonOnlyGroup == 8 && result.lastEstimatedPeriod == 7 && result.periods == 10)
            #expect(Set(result.groupTime.map(\.group)) == [3, 5] && result.groupTime.allSatisfy { $0.period <= 7 })
            #expect(result.institutionsTreated == panel.institutions.count - lastGroup)
            #expect(result.institutionsControl == (controlGroup == .neverTreated ? lastGroup : panel.institutions.count
                - panel.institutions.count { $0.group == 3 }))
        }
    }

    @Test func outcomeIsPerThousandChildYears() {
        #expect(EvaluationPanel.outcome(events: 3, exposureDays: 730) == 1000 * 3 / (730 / 365.25))
        #expect(EvaluationPanel.outcome(events: 0, exposureDays: 91) == 0)
        let institution = EvaluationPanel.Institution(id: "x", group: 0, exposureDays: [0, 365], events: [0, 2])
        #expect(institution.outcome(inPeriod: 1) == nil)
        #expect(institution.outcome(inPeriod: 2)! == 1000 * 2 / (365 / 365.25))
        #expect(ControlGroup.allCases.map(\.rawValue) == ["never_treated", "not_yet_treated"])
    }
}

@Suite struct ImpossiblePanelTests {
    static func institution(_ id: String, _ group: Int, periods: Int = 4, days: Int = 900) -> EvaluationPanel.Institution {
        .init(id: id, group: group, exposureDays: Array(repeating: days, count: periods),
              events: Array(repeating: 1, count: periods))
    }

    static let never = (1...6).map { institution("N\($0)", 0) }

    @Test func refusals() {
        let cases: [(EvaluationPanel, ControlGroup, EvaluationError)] = [
            (EvaluationPanel(periods: 1, institutions: [Self.institution("A", 0, periods: 1)]), .neverTreated,
             .tooFewPeriods(periods: 1)),
            (EvaluationPanel(periods: 4, institutions: Self.never), .notYetTreated, .noTreatedGroup(periods: 4, coveredLeftOut: 0)),
            (EvaluationPanel(periods: 4, institutions: Self.never + [Self.institution("T", 1)]), .neverTreated,
             .noTreatedGroup(periods: 4, coveredLeftOut: 0)),
            // Covered later but unbalanced: left out, and said so (not "check the assignments").
            (EvaluationPanel(periods: 4, institutions: Self.never + [Self.institution("T", 3, days: 0)]), .notYetTreated,
             .noTreatedGroup(periods: 4, coveredLeftOut: 1)),
            (EvaluationPanel(periods: 4, institutions: [Self.institution("A", 1), Self.institution("B", 2, days: 0)]),
             .neverTreated, .noInstitutionsEstimated(unbalanced: 1, treatedFromFirstPeriod: 1)),
            (EvaluationPanel(periods: 4, institutions: [Self.institution("A", 3), Self.institution("B", 3)]),
             .notYetTreated, .noComparisonInstitutions(group: 3, neverLeftOut: 0)),
            // Never-covered institutions there were, all unbalanced: said so (not "none is without one").
            (EvaluationPanel(periods: 4, institutions: [Self.institution("A", 3), Self.institution("B", 3), Self.institution("N", 0, days: 0)]),
             .neverTreated, .noComparisonInstitutions(group: 3, neverLeftOut: 1)),
            (EvaluationPanel(periods: 4, institutions: Array(Self.never.prefix(4)) + [Self.institution("T", 2)]),
             .neverTreated, .tooFewNeverTreated(count: 4)),
            (EvaluationPanel(periods: 4, institutions: Self.never + [Self.institution("N1", 2)]), .neverTreated,
             .duplicateInstitution(id: "N1")),
            (EvaluationPanel(periods: 4, institutions: [Self.institution("A", 5)]), .neverTreated,
             .malformedInstitution(id: "A", problem: "group 5 is not a period of the panel (1–4) nor 0 (never covered)")),
            (EvaluationPanel(periods: 4, institutions: [Self.institution("A", 2, periods: 3)]), .neverTreated,
             .malformedInstitution(id: "A", problem: "3 exposure and 3 event counts for a panel of 4 periods")),
            (EvaluationPanel(periods: 4, institutions: [Self.institution("A", 2, days: -1)]), .neverTreated,
             .malformedInstitution(id: "A", problem: "negative exposure days in period 1")),
        ]
        for (panel, controlGroup, expected) in cases {
            #expect(throws: expected) { try estimate(panel, controlGroup: controlGroup) }
            #expect(!expected.description.isEmpty)
        }
        // With not-yet-covered institutions as comparison, four never covered are enough.
        #expect(throws: Never.self) {
            try estimate(EvaluationPanel(periods: 4, institutions: Array(Self.never.prefix(4)) + [Self.institution("T", 3)]),
                         controlGroup: .notYetTreated)
        }
        // Ids are exact text: a number in another Unicode form (`Å`, `A` + ring) is another institution.
        #expect(throws: Never.self) {
            try estimate(EvaluationPanel(periods: 4, institutions: Self.never + [Self.institution("Å1", 2), Self.institution("A\u{30A}1", 3)]),
                         controlGroup: .neverTreated)
        }
    }

    @Test func messagesSayWhatToDo() {
        #expect(EvaluationError.tooFewNeverTreated(count: 3).description.contains("not_yet_treated"))
        #expect(EvaluationError.tooFewPeriods(periods: 1).description.contains("at least two"))
        #expect(EvaluationError.noInstitutionsEstimated(unbalanced: 2, treatedFromFirstPeriod: 3).description
            .contains("2 have a period without children enrolled"))
        #expect(EvaluationError.noTreatedGroup(periods: 4, coveredLeftOut: 2).description.contains("evaluation_left_out"))
        #expect(EvaluationError.noTreatedGroup(periods: 4, coveredLeftOut: 2).code == "covered_left_out")
        #expect(EvaluationError.noTreatedGroup(periods: 4, coveredLeftOut: 0).code == "no_treated_group")
        #expect(EvaluationError.noComparisonInstitutions(group: 3, neverLeftOut: 2).code == "never_covered_left_out")
        #expect(EvaluationError.noComparisonInstitutions(group: 3, neverLeftOut: 2).description.contains("the 2 never covered were all left out"))
        #expect(EvaluationError.noComparisonInstitutions(group: 3, neverLeftOut: 0).description.contains("none is without one"))
    }
}
