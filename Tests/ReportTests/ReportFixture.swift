@testable import Report

/// A report's data made by hand, without a database: every kind of cell the views can hold
/// (values, suppressed counts and the figures computed from them, NULL for nothing to
/// compute, rows a view does not have).
enum ReportFixture {
    static func row(_ view: String, _ key: [(String, String?)], _ values: [String: String?]) -> ViewRow {
        ViewRow(view: view, key: key.map { FigureSource.KeyValue(column: $0.0, value: $0.1) }, values: values)
    }

    /// `resolved`: the share of the closed cases closed with the concern gone; nil, hidden by its count.
    static func cohort(_ view: String, _ key: [(String, String?)], children: Int, years: Double, detected: Int?, investigated: Int?, measured: Int?,
                       resolved: String? = "0.7466") -> ViewRow {
        func rate(_ n: Int?) -> String? { n.map { String(1000 * Double($0) / years) } }
        func share(_ n: Int?) -> String? { n.map { String(Double($0) / Double(children)) } }
        return row(view, key, [
            "detection_share": share(detected), "investigation_share": share(investigated), "measure_share": share(measured),
            "notifications": String(children / 10), "notifications_per_1000": rate(children / 10), "cases_closed": "40",
            "closed_concern_resolved_share": resolved,
            "children_exposed": String(children), "child_years": String(years),
            "detected": detected.map(String.init), "detection_rate_per_1000": rate(detected),
            "investigated": investigated.map(String.init), "investigation_rate_per_1000": rate(investigated),
            "mean_age_first_investigation_months": investigated.map { _ in "41.21" }, "median_age_first_investigation_months": investigated.map { _ in "40.5" },
            "measured": measured.map(String.init), "measure_rate_per_1000": rate(measured),
            "mean_age_first_measure_months": measured.map { $0 == 0 ? nil : "39.23" } ?? nil,
            "median_age_first_measure_months": measured.map { $0 == 0 ? nil : "38" } ?? nil,
        ])
    }

    static var data: ReportData {
        let run = row("metrics.published_run", [], [
            "run_id": "20261122023000", "published_at": "2026-11-22 02:31:07.5+00", "municipality": "København",
            "as_of": "2026-11-21", "window_from": "2012-01-01", "window_to": "2026-11-21", "small_cell_minimum": "5"])
        let summary = [
            cohort("metrics.cohort_summary", [("cohort", "treatment")], children: 6824, years: 16558.0, detected: 617, investigated: 436, measured: 242,
                   resolved: nil),
            cohort("metrics.cohort_summary", [("cohort", "control")], children: 14333, years: 42267.1, detected: 767, investigated: 549, measured: 312),
        ]
        let byYear = [
            cohort("metrics.cohort_summary_by_year", [("year", "2012"), ("cohort", "treatment")], children: 900, years: 800, detected: 31, investigated: nil, measured: 12),
            cohort("metrics.cohort_summary_by_year", [("year", "2012"), ("cohort", "control")], children: 2900, years: 2500, detected: 46, investigated: 33, measured: 15),
            cohort("metrics.cohort_summary_by_year", [("year", "2013"), ("cohort", "treatment")], children: 950, years: 850, detected: 33, investigated: 22, measured: 0),
            cohort("metrics.cohort_summary_by_year", [("year", "2013"), ("cohort", "control")], children: 2950, years: 2600, detected: 59, investigated: 40, measured: 20),
        ]
        // Valby has no covered institution: no treatment row at all.
        let byDistrict = [
            cohort("metrics.cohort_summary_by_district", [("district", "Østerbro"), ("cohort", "treatment")], children: 700, years: 1800, detected: 77, investigated: 50, measured: nil),
            cohort("metrics.cohort_summary_by_district", [("district", "Østerbro"), ("cohort", "control")], children: 1500, years: 4000, detected: 67, investigated: 40, measured: 22),
            cohort("metrics.cohort_summary_by_district", [("district", "Valby"), ("cohort", "control")], children: 1400, years: 3900, detected: 65, investigated: 41, measured: 20),
        ]
        func comparison(_ name: String, _ statistic: String, _ t: String?, _ c: String?, _ e: String?, _ lo: String?, _ hi: String?, _ a: String?, _ b: String?) -> ViewRow {
            row("metrics.cohort_comparison", [("comparison", name)], ["statistic": statistic, "treatment": t, "control": c, "estimate": e,
                                                                        "ci_low": lo, "ci_high": hi, "treatment_count": a, "control_count": b])
        }
        let comparisons = [
            comparison("detection_rate_per_1000", "rate_ratio", "37.26", "18.15", "2.0529", "1.8493", "2.2789", "617", "767"),
            comparison("investigation_rate_per_1000", "rate_ratio", "26.33", "12.99", "2.027", "1.79", "2.30", "436", "549"),
            // No treatment child had a measure: a ratio of 0 has no interval.
            comparison("measure_rate_per_1000", "rate_ratio", "0", "7.38", "0", nil, nil, "0", "312"),
            // Too few treatment children: their side and the difference hidden, the control side shown.
            comparison("mean_age_first_investigation_months", "difference", nil, "55.22", nil, nil, nil, nil, "549"),
            // Nor a mean age: no difference, and nothing hidden.
            comparison("mean_age_first_measure_months", "difference", nil, "46.23", nil, nil, nil, "0", "312"),
        ]
        let quality = [
            row("metrics.data_quality", [("category", "rejected"), ("subject", "indmeldelser.csv"), ("reason", "invalid_cpr")], ["records": "12"]),
            row("metrics.data_quality", [("category", "rejected"), ("subject", "sagshaendelser.csv"), ("reason", "nonexistent_date")], ["records": nil]),
            row("metrics.data_quality", [("category", "unattributed_first_event"), ("subject", "case"), ("reason", "not_enrolled")], ["records": "1124"]),
            row("metrics.data_quality", [("category", "transform"), ("subject", "children"), ("reason", "without_spell")], ["records": "75"]),
            row("metrics.data_quality", [("category", "transform"), ("subject", "skipped"), ("reason", "enrolment.unknown_institution")], ["records": "0"]),
        ]
        let files = ["institutioner.xml": "100", "socialraadgivere.csv": "134", "indmeldelser.csv": "29253", "sagshaendelser.csv": "18210"].sorted { $0.key < $1.key }
            .flatMap { file, read in
                [("read", read), ("accepted", read), ("rejected", file == "indmeldelser.csv" ? "12" : "0")].map { reason, records in
                    row("metrics.data_quality", [("category", "file"), ("subject", file), ("reason", reason)], ["records": records])
                }
            }
        var did: [ViewRow] = []
        for metric in ["detection", "investigation", "measure"] {
            for group in ["never_treated", "not_yet_treated"] {
                for aggregation in ["simple", "dynamic", "group"] {
                    let effect = metric == "measure" ? 0.4 : 6.2
                    did.append(row("metrics.did_summary", [("metric", metric), ("control_group", group), ("aggregation", aggregation)], [
                        "att": String(effect), "se": "1.1", "ci_low": String(effect - 2.156), "ci_high": String(effect + 2.156),
                        "institutions_treated": "63", "institutions_control": "240", "institutions_left_out": "23",
                        "pre_treatment_mean": "18.4", "periods": "59", "period_length": "quarter"]))
                }
            }
        }
        var events: [ViewRow] = []
        for metric in ["detection", "investigation", "measure"] {
            for e in -10...14 {
                let att = e < 0 ? 0.3 * Double(e % 2) : 5 + Double(e) / 10
                events.append(row("metrics.did_event_study", [("metric", metric), ("control_group", "never_treated"), ("event_time", String(e))], [
                    "att": String(att), "se": "1.5", "ci_low": String(att - 2.94), "ci_high": String(att + 2.94), "groups": "9"]))
            }
        }
        let leftOut = (1...23).map { i in
            row("metrics.evaluation_left_out", [("institution", String(1000 + i))], ["reason": i <= 17 ? "unbalanced" : "treated_from_first_period"])
        }
        let status = ["detection", "investigation", "measure"].flatMap { m in
            ["never_treated", "not_yet_treated"].map { row("metrics.did_status", [("metric", m), ("control_group", $0)], ["estimated": "t"]) }
        }
        return ReportData(run: run, summary: summary, byYear: byYear, byDistrict: byDistrict, comparison: comparisons,
                          dataQuality: quality + files,
                          did: ReportData.DiD(summary: did, eventStudy: events, status: status, leftOut: leftOut))
    }

    /// The value a view row holds, for `FigureCheck`.
    static func lookup(_ data: ReportData) -> (FigureAddress) throws -> FigureCheck.Found {
        let rows = [data.run] + data.summary + data.byYear + data.byDistrict + data.comparison + data.dataQuality
            + (data.did.map { $0.summary + $0.eventStudy + $0.status + $0.leftOut } ?? [])
        // Keys compare as exact text, as the views group them (a String takes `Å` and `A` + ring for one).
        func same(_ a: String?, _ b: String?) -> Bool { a.map { Array($0.utf8) } == b.map { Array($0.utf8) } }
        return { address in
            if address.column == FigureSource.countColumn {
                let matching = rows.filter { r in r.view == address.view
                    && address.key.allSatisfy { k, v in same(r.key.first { $0.column == k }?.value ?? r.values[k] ?? nil, v) } }
                return .row(String(matching.count))
            }
            guard let row = rows.first(where: { r in r.view == address.view && r.key.count == address.key.count
                && r.key.allSatisfy { k in address.key[k.column].map { same($0, k.value) } ?? false } }) else { return .noRow }
            return .row(row.values[address.column] ?? nil)
        }
    }
}
