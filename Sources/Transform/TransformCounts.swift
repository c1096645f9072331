/// The keys of the transform manifest's `counts`. Stewards and the load stage read them:
/// keep them stable. Every key is always present (zero when nothing happened), so a
/// missing key means an older program, not "none".
package enum TransformCounts {
    /// How many skipped records `Facts.skipped` lists; the counts are always complete.
    package static let skippedListLimit = 1000

    package static let institutions = "institutions"
    package static let duplicateInstitutions = "institutions.duplicate_number"
    package static let children = "children"
    package static let birthConflicts = "children.birth_conflict"
    /// Children with case events but no enrolment spell at all.
    package static let childrenWithoutSpell = "children.without_spell"
    /// The case events of those children (all unattributed).
    package static let eventsOfChildrenWithoutSpell = "case_events.child_without_spell"
    package static let skippedEnrolments = "skipped.enrolment.unknown_institution"
    package static let skippedAssignments = "skipped.assignment.unknown_institution"
    /// Case ids with events but no `sag_oprettet`: no row in `cases`.
    package static let casesWithoutOpening = "cases.without_sag_oprettet"
    /// Case events equal to an earlier one of the same child in all but their line: counted
    /// as they are, and warned of (an export written twice).
    package static let repeatedEvents = "case_events.repeated"

    /// The counts `metrics.data_quality` shows (category `transform`): records transform
    /// could not resolve, and repeated events, which analysts' counts include (an adversarial
    /// review found notifications doubled by an export written twice, said only in the log).
    /// `sql/views/60_data_quality.sql` lists the same keys; a test holds the two lists equal.
    package static let shownToAnalysts = [childrenWithoutSpell, eventsOfChildrenWithoutSpell, casesWithoutOpening, birthConflicts,
                                          duplicateInstitutions, skippedEnrolments, skippedAssignments, repeatedEvents]

    /// First events of `kind` attributed to `cohort`, e.g. `attributed.case.treatment`.
    package static func attributed(_ kind: FirstEventKind, _ cohort: Cohort) -> String {
        "attributed.\(kind.rawValue).\(cohort.rawValue)"
    }

    /// First events of `kind` not attributed, e.g. `unattributed.case.not_enrolled`.
    package static func unattributed(_ kind: FirstEventKind, _ reason: UnattributedReason) -> String {
        "unattributed.\(kind.rawValue).\(reason.rawValue)"
    }

    /// All case events by the status of their day, e.g. `case_events.treatment`,
    /// `case_events.unattributed.out_of_age`.
    package static func caseEvents(_ a: Attribution) -> String {
        switch a {
        case let .attributed(cohort, _): "case_events.\(cohort.rawValue)"
        case let .unattributed(reason): "case_events.unattributed.\(reason.rawValue)"
        }
    }

    /// Exposure days summed over children, e.g. `exposure_days.control`.
    package static func exposureDays(_ cohort: Cohort) -> String { "exposure_days.\(cohort.rawValue)" }
}
