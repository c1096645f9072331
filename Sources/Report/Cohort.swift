/// The two cohorts the report compares: children at institutions with a social worker, and
/// the rest.
enum Cohort: String, CaseIterable {
    case treatment, control

    var name: Phrase { self == .treatment ? .treatmentCohort : .controlCohort }
}
