/// The per-load statistics transform writes beside the fact files (COPY text; columns in
/// this order), which load copies into the warehouse table of the same name (`sql/`): what
/// the metrics views read, aggregated where the data already is instead of by rescanning
/// the facts in the warehouse. Load checks them against the facts it copied.
package enum StatsFile: String, Sendable, CaseIterable {
    /// grain (total | year | district), cohort, year, district, children_exposed,
    /// exposure_days, detected, investigated, investigation_age_mean,
    /// investigation_age_median, investigation_age_var, measured, measure_age_mean,
    /// measure_age_median, measure_age_var, notifications, cases_closed,
    /// cases_closed_resolved — ages in months of 30.4375 days, variances sample variances
    case cohortStats = "cohort_stats.tsv"
    /// cohort, source, notifications — notifications on exposure days per notifying source
    case notificationStats = "notification_stats.tsv"
    /// cohort, closing_reason, cases_closed — cases opened on an exposure day and closed
    case closureStats = "closure_stats.tsv"

    /// The warehouse table it is copied into.
    package var table: String { String(rawValue.dropLast(4)) }
}
