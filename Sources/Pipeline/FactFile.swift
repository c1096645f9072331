/// The fact files transform writes (COPY text; columns in this order), which load copies
/// into the warehouse tables of the same name (`sql/`).
package enum FactFile: String, Sendable, CaseIterable {
    /// number, name, type, district, cluster, places, opened, closed
    case institutions = "institutions.tsv"
    /// child_key, birth_date, child — every child of an enrolment or a case event; `child`
    /// is its id in the other files (its rank by child_key, from 0)
    case children = "children.tsv"
    /// institution, from_day, to_day (NULL while open), child
    case enrolments = "enrolments.tsv"
    /// institution, from_day, to_day — days covered by a social worker, merged, ends clipped to as-of
    case coverage = "coverage.tsv"
    /// cohort, year, institution, district, days, child
    case exposure = "exposure.tsv"
    /// case_id, event_type, day, paragraph, source, reason, age_days,
    /// cohort, institution, district, unattributed_reason, child — every event, with the status of its day
    case caseEvents = "case_events.tsv"
    /// kind (case | investigation | measure), day, age_days,
    /// cohort, institution, district, unattributed_reason, child
    case firstEvents = "first_events.tsv"
    /// case_id, opened_day, age_days, cohort, institution, district, unattributed_reason,
    /// closed_day, closing_reason, child — one row per case with a sag_oprettet
    case cases = "cases.tsv"
    /// institution, period, period_start, period_end, grp, exposure_days, children, detected,
    /// investigated, measured — the evaluation panel: every institution of the register × every
    /// period 1…T (`evaluation.md`); grp is the institution's first covered period, 0 never
    case evaluationPanel = "evaluation_panel.tsv"

    /// The warehouse table it is copied into.
    package var table: String { String(rawValue.dropLast(4)) }
}
