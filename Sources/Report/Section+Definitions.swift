/// 4. Definitions in plain words, each linking to the exact one an analyst can check the
/// figures against (the views and their formulas, as in docs/views.md and metrics.md).
extension ReportDocument {
    /// Each term: its plain explanation, and the anchor and views of its exact definition.
    static let terms: [(term: Phrase, plain: Phrase, exact: Phrase, id: String, views: [String])] = [
        (.termCohorts, .plainCohorts, .exactCohorts, "cohorts", ["metrics.cohort_summary.cohort"]),
        (.termChildYears, .plainChildYears, .exactChildYears, "child-years",
         ["metrics.cohort_summary.child_years", "metrics.cohort_summary.children_exposed"]),
        (.termDetection, .plainDetection, .exactDetection, "detection",
         ["metrics.cohort_summary.detected", "metrics.cohort_summary.detection_rate_per_1000"]),
        (.termInvestigation, .plainInvestigation, .exactInvestigation, "investigation",
         ["metrics.cohort_summary.investigated", "metrics.cohort_summary.investigation_rate_per_1000",
          "metrics.cohort_summary.mean_age_first_investigation_months"]),
        (.termMeasure, .plainMeasure, .exactMeasure, "measure",
         ["metrics.cohort_summary.measured", "metrics.cohort_summary.measure_rate_per_1000",
          "metrics.cohort_summary.mean_age_first_measure_months"]),
        (.termComparison, .plainComparison, .exactComparison, "comparison", ["metrics.cohort_comparison"]),
        (.termDiD, .plainDiD, .exactDiD, "did", ["metrics.did_summary", "metrics.evaluation_panel", "metrics.evaluation_left_out"]),
        (.termEventStudy, .plainEventStudy, .exactEventStudy, "event-study", ["metrics.did_event_study"]),
        (.termInterval, .plainInterval, .exactInterval, "interval", ["ci_low", "ci_high"]),
        (.termSuppressed, .plainSuppressed, .exactSuppressed, "suppressed", ["metrics.published_run.small_cell_minimum"]),
        (.termUnattributed, .plainUnattributed, .exactUnattributed, "unattributed", ["metrics.data_quality"]),
    ]

    func definitions() -> HTML {
        let words = page.words
        var plain: [HTML] = [], exact: [HTML] = []
        for t in Self.terms {
            let n: [String: HTML] = ["n": .text(page.format.integer(page.minimum))]
            plain.append(HTML.element("dt", [("id", "term-\(t.id)")], words.html(t.term, n)))
            plain.append(HTML.element("dd", [], words.html(t.plain, n) + .text(" ")
                + HTML.element("a", [("href", "#exact-\(t.id)"), ("class", "exact-link")], words.html(.exactLink))))
            exact.append(HTML.element("dt", [("id", "exact-\(t.id)")], words.html(t.term, n)))
            exact.append(HTML.element("dd", [], words.html(t.exact) + HTML.element("span", [("class", "views")],
                content: t.views.map { HTML.element("code", [], .text($0)) })))
        }
        return section("definitions", words.html(.definitionsHeading), content: [
            HTML.element("dl", [("class", "terms")], content: plain),
            HTML.element("h3", [], words.html(.exactHeading)),
            HTML.element("p", [], words.html(.exactIntro)),
            HTML.element("dl", [("class", "exact")], content: exact),
        ])
    }
}
