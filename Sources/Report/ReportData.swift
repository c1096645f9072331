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
    /// Runs begun since the publish that did not publish, newest first
    /// (`warehouse.runs_not_published`, read as the owner: `NotPublishedRun`); empty for a
    /// kept run shown with `--run`.
    package var notPublished: [NotPublishedRun] = []

    /// A run since the publish that failed, was stopped or ran through without a publish:
    /// ledger facts, no figures.
    package struct NotPublishedRun: Sendable, Equatable {
        package var run: RunID
        package var asOf: String
        package var startedAt: String
        /// `failed`, `dead` (stopped) or `succeeded` (run through without a publish).
        package var status: String

        package init(run: RunID, asOf: String, startedAt: String, status: String) {
            self.run = run; self.asOf = asOf; self.startedAt = startedAt; self.status = status
        }

        /// How a page names it (`NightlyReport.notPublishedMeta`): its id and how it ended, so that
        /// one said stopped and since run through is written again (a review).
        package var named: String { "\(run) \(status)" }

        /// Read as the warehouse owner, before the report takes the reader role: the ledger is not
        /// the analysts' (their views stay exactly as they were when a run fails).
        package static func read(_ connection: Connection) throws -> [NotPublishedRun] {
            guard try connection.query("SELECT to_regclass('warehouse.runs_not_published') IS NOT NULL").first?.bool(0) == true else { return [] }
            return try connection.query("SELECT run_id::text, as_of::text, started_at::text, status FROM warehouse.runs_not_published",
                                        name: "runs not published").compactMap { row in
                row.string(0).flatMap(RunID.init).map {
                    NotPublishedRun(run: $0, asOf: row.string(1) ?? "", startedAt: row.string(2) ?? "", status: row.string(3) ?? "")
                }
            }
        }
    }

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
        "detection_share", "investigation_share", "measure_share", "notifications", "notifications_per_1000", "cases_closed",
        "closed_concern_resolved_share",
    ]

    /// The views in one snapshot: a report made while a run publishes reads one run, not some
    /// views of each (and retention keeps that run's load until the snapshot ends).
    package static func read(_ reader: MetricsReader, requested run: RunID?, notPublished: [NotPublishedRun] = []) throws -> ReportData {
        try reader.connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", name: "report snapshot")
        do {
            var data = try readViews(reader, requested: run)
            // The page of the published run says a newer run did not publish (it kept its figures without a word, a review).
            // Read before this snapshot: a run published since is not said to have failed after itself.
            if data.run.values["published_at"] ?? nil != nil, let shown = data.run.values["run_id"].flatMap({ $0 }).flatMap(RunID.init) {
                data.notPublished = notPublished.filter { $0.run > shown }
            }
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
