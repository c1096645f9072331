/// The keys of the transform manifest's `counts`. Stewards and the load stage read them:
/// keep them stable. Every key is always present (zero when nothing happened), so a
/// missing key means an older program, not "none".
public enum TransformCounts {
    /// How many skipped records `Facts.skipped` lists; the counts are always complete.
    public static let skippedListLimit = 1000

    public static let institutions = "institutions"
    public static let duplicateInstitutions = "institutions.duplicate_number"
    public static let children = "children"
    public static let birthConflicts = "children.birth_conflict"
    /// Children with case events but no enrolment spell at all.
    public static let childrenWithoutSpell = "children.without_spell"
    /// The case events of those children (all unattributed).
    public static let eventsOfChildrenWithoutSpell = "case_events.child_without_spell"
    public static let skippedEnrolments = "skipped.enrolment.unknown_institution"
    public static let skippedAssignments = "skipped.assignment.unknown_institution"
    /// Case ids with events but no `sag_oprettet`: no row in `cases`.
    public static let casesWithoutOpening = "cases.without_sag_oprettet"

    /// The counts of records transform could not resolve, which `metrics.data_quality` shows
    /// (category `transform`). `sql/views/60_data_quality.sql` lists the same keys; a test
    /// holds the two lists equal.
    public static let unresolved = [childrenWithoutSpell, eventsOfChildrenWithoutSpell, casesWithoutOpening, birthConflicts,
                                    duplicateInstitutions, skippedEnrolments, skippedAssignments]

    /// First events of `kind` attributed to `cohort`, e.g. `attributed.case.treatment`.
    public static func attributed(_ kind: FirstEventKind, _ cohort: Cohort) -> String {
        "attributed.\(kind.rawValue).\(cohort.rawValue)"
    }

    /// First events of `kind` not attributed, e.g. `unattributed.case.not_enrolled`.
    public static func unattributed(_ kind: FirstEventKind, _ reason: UnattributedReason) -> String {
        "unattributed.\(kind.rawValue).\(reason.rawValue)"
    }

    /// All case events by the status of their day, e.g. `case_events.treatment`,
    /// `case_events.unattributed.out_of_age`.
    public static func caseEvents(_ a: Attribution) -> String {
        switch a {
        case let .attributed(cohort, _): "case_events.\(cohort.rawValue)"
        case let .unattributed(reason): "case_events.unattributed.\(reason.rawValue)"
        }
    }

    /// Exposure days summed over children, e.g. `exposure_days.control`.
    public static func exposureDays(_ cohort: Cohort) -> String { "exposure_days.\(cohort.rawValue)" }
}
