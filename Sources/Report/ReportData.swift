import Pipeline
import Postgres

/// Everything the report shows, read from the `metrics` views in one go.
package struct ReportData: Sendable {
    package var run: ViewRow
    package var summary: [ViewRow]
    package var byYear: [ViewRow]
    package var byDistrict: [ViewRow]
    package var comparison: [ViewRow]
    package var dataQuality: [ViewRow]
    /// nil in a warehouse without the difference-in-differences views.
    package var did: DiD?
    /// Runs begun after the published one that did not publish, newest first
    /// (`metrics.runs_not_published`); empty for a kept run shown with `--run`.
    package var notPublished: [ViewRow] = []

    package struct DiD: Sendable {
        package var summary: [ViewRow]
        package var eventStudy: [ViewRow]
        /// Whether each metric × control group could be estimated.
        package var status: [ViewRow]
        /// Institutions left out of the estimate, one row each, with the reason.
        package var leftOut: [ViewRow]
    }

    static let cohortFigures = [
        "children_exposed", "child_years", "detected", "detection_rate_per_1000", "investigated", "investigation_rate_per_1000",
        "mean_age_first_investigation_months", "median_age_first_investigation_months", "measured", "measure_rate_per_1000",
        "mean_age_first_measure_months", "median_age_first_measure_months",
    ]

    /// The views in one snapshot: a report made while a run publishes reads one run, not some
    /// views of each (and retention keeps that run's load until the snapshot ends).
    package static func read(_ reader: MetricsReader, requested run: RunID?) throws -> ReportData {
        try reader.connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", name: "report snapshot")
        do {
            var data = try readViews(reader, requested: run)
            data.maskPseudonyms()
            try reader.connection.execute("COMMIT", name: "report snapshot")
            return data
        } catch {
            _ = try? reader.connection.execute("ROLLBACK", name: "report snapshot")
            throw error
        }
    }

    private static func readViews(_ reader: MetricsReader, requested run: RunID?) throws -> ReportData {
        let runs: [ViewRow]
        do {
            runs = try reader.rows("metrics.published_run", key: [], columns: [
                "run_id", "published_at", "municipality", "as_of", "window_from", "window_to", "small_cell_minimum"])
        } catch let error as PostgresError where error.sqlState == "P0002" && run != nil {
            throw ReportError.runNotKept(run!)   // the views refuse a run without a kept load (warehouse.chosen_run)
        }
        guard let runRow = runs.first else {
            if let run { throw ReportError.runNotKept(run) }
            throw ReportError.nothingPublished
        }
        var data = ReportData(
            run: runRow,
            // Treatment first: the order the committee reads every table in.
            summary: try reader.rows("metrics.cohort_summary", key: ["cohort"], columns: cohortFigures, orderBy: ["cohort DESC"]),
            byYear: try reader.rows("metrics.cohort_summary_by_year", key: ["year", "cohort"], columns: cohortFigures,
                                    orderBy: ["year", "cohort DESC"]),
            byDistrict: try reader.rows("metrics.cohort_summary_by_district", key: ["district", "cohort"], columns: cohortFigures,
                                        orderBy: ["district", "cohort DESC"]),
            comparison: try reader.rows("metrics.cohort_comparison", key: ["comparison"], columns: [
                "statistic", "treatment", "control", "estimate", "ci_low", "ci_high", "treatment_count", "control_count"], orderBy: []),
            dataQuality: try reader.rows("metrics.data_quality", key: ["category", "subject", "reason"], columns: ["records"]),
            did: nil)
        // The page of the published run says a newer night failed (it kept its figures without a word, a review).
        if runRow.values["published_at"] ?? nil != nil, try reader.exists("metrics.runs_not_published") {
            data.notPublished = try reader.rows("metrics.runs_not_published", key: ["run_id"], columns: ["as_of", "started_at", "status"],
                                                orderBy: ["run_id DESC"])
        }
        if try reader.exists("metrics.did_summary") {
            data.did = DiD(
                summary: try reader.rows("metrics.did_summary", key: ["metric", "control_group", "aggregation"], columns: [
                    "att", "se", "ci_low", "ci_high", "institutions_treated", "institutions_control", "institutions_left_out",
                    "pre_treatment_mean", "periods", "period_length"], orderBy: []),
                eventStudy: try reader.rows("metrics.did_event_study", key: ["metric", "control_group", "event_time"],
                                            columns: ["att", "se", "ci_low", "ci_high", "groups"], orderBy: []),
                status: try reader.rows("metrics.did_status", key: ["metric", "control_group"], columns: ["estimated", "reason_code", "comparison_only_group", "last_estimated_period"],
                                        orderBy: []),
                leftOut: try reader.rows("metrics.evaluation_left_out", key: ["institution"], columns: ["reason"]))
        }
        return data
    }

    /// The run's small-cell minimum (what "fewer than 5" says).
    package var smallCellMinimum: Int { Int(run.values["small_cell_minimum"].flatMap { $0 } ?? "") ?? 5 }
}
