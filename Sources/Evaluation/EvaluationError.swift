/// A panel the estimator cannot estimate, in words a data steward understands.
package enum EvaluationError: Error, Equatable, CustomStringConvertible {
    /// Fewer than two periods: nothing before and after to compare.
    case tooFewPeriods(periods: Int)
    /// An institution whose data does not fit the panel (the caller's bug, not the data's).
    case malformedInstitution(id: String, problem: String)
    case duplicateInstitution(id: String)
    /// Every institution was left out.
    case noInstitutionsEstimated(unbalanced: Int, treatedFromFirstPeriod: Int)
    /// No estimated institution got its worker after period 1; `coveredLeftOut` did, but
    /// were left out (unbalanced).
    case noTreatedGroup(periods: Int, coveredLeftOut: Int)
    /// No institution is never covered and all covered ones started in the same period:
    /// there is nobody to compare them with. `neverLeftOut` were never covered, but left out (unbalanced).
    case noComparisonInstitutions(group: Int, neverLeftOut: Int)
    /// R `did` refuses `never_treated` with fewer than five never-covered institutions.
    case tooFewNeverTreated(count: Int)

    package static let minimumNeverTreated = 5

    /// The reason as a code (`did_estimations.reason_code`), for a reader in another language.
    package var code: String {
        switch self {
        case .tooFewPeriods: "too_few_periods"
        case .malformedInstitution, .duplicateInstitution: "malformed_panel"
        case .noInstitutionsEstimated: "no_institutions_estimated"
        case .noTreatedGroup(_, let coveredLeftOut): coveredLeftOut > 0 ? "covered_left_out" : "no_treated_group"
        case .noComparisonInstitutions(_, let neverLeftOut): neverLeftOut > 0 ? "never_covered_left_out" : "no_comparison_institutions"
        case .tooFewNeverTreated: "too_few_never_treated"
        }
    }

    package var description: String {
        switch self {
        case .tooFewPeriods(let periods):
            return "The evaluation panel has \(periods) period(s); a difference-in-differences needs at least two. "
                + "Widen the evaluation window or choose a shorter evaluation.period."
        case .malformedInstitution(let id, let problem):
            return "Institution \(id) in the evaluation panel: \(problem)."
        case .duplicateInstitution(let id):
            return "Institution \(id) appears twice in the evaluation panel."
        case .noInstitutionsEstimated(let unbalanced, let first):
            return "No institution can be estimated: \(unbalanced) have a period without children enrolled "
                + "(unbalanced) and \(first) were covered from the first period on, so they have no period before "
                + "their social worker came."
        case .noTreatedGroup(let periods, let coveredLeftOut) where coveredLeftOut > 0:
            // Not "check the assignments": they were right (an independent check of the figures).
            return "The \(coveredLeftOut) institution(s) that got their social worker during periods 2–\(periods) of the "
                + "evaluation window were all left out, each having a period without children enrolled (unbalanced; "
                + "metrics.evaluation_left_out lists them), so no covered institution has a before and after to compare. "
                + "Check their enrolments, or choose a longer evaluation.period."
        case .noTreatedGroup(let periods, _):
            return "No institution got its social worker during periods 2–\(periods) of the evaluation window, so "
                + "there is no before and after to compare. Check the window and the assignments."
        case .noComparisonInstitutions(let group, let neverLeftOut) where neverLeftOut > 0:
            // Not "none is without one": they were there, and left out (an independent check of the estimates).
            return "Every institution estimated got its social worker in period \(group), and "
                + (neverLeftOut == 1 ? "the one never covered was left out, having" : "the \(neverLeftOut) never covered were all left out, each having")
                + " a period without children enrolled (unbalanced; metrics.evaluation_left_out "
                + "lists them), so there are no institutions to compare them with. Check their enrolments, or choose a longer "
                + "evaluation.period."
        case .noComparisonInstitutions(let group, _):
            return "Every institution in the panel got its social worker in period \(group) and none is without one, "
                + "so there are no institutions to compare them with."
        case .tooFewNeverTreated(let count):
            // Counted in the balanced panel, and the last group when every institution was covered (as `did` takes
            // it): "never had one" counted neither (an independent check of the estimates).
            return "Only \(count) institution(s) with children in every period can serve as never covered (none in the "
                + "evaluation's periods, or, when every institution got a social worker, those that got theirs last); "
                + "comparing with never-covered institutions needs at least \(Self.minimumNeverTreated). Use the control group "
                + "not_yet_treated, which also compares with institutions not yet covered."
        }
    }
}
