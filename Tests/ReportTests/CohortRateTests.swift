import Testing
import Pipeline
@testable import Report

/// The cohorts' rates by year and district: hidden with their count or their children.
@Suite struct CohortRateTests {
    /// A year whose treatment cohort has too few children shows its rate hidden, not "cannot be
    /// computed (no events)", even with no event (a review).
    @Test(arguments: ReportLanguage.allCases)
    func aRateHiddenByItsChildrenIsSaidHidden(_ language: ReportLanguage) throws {
        var data = ReportFixture.data
        ReportDocumentTests.edit(&data.byYear) { row in
            guard row.key("year") == "2013", row.key("cohort") == "treatment" else { return }
            row.values["children_exposed"] = nil; row.values["child_years"] = nil
            row.values["detected"] = "0"; row.values["detection_rate_per_1000"] = nil
        }
        let page = try ReportPage(ReportDocument(data: data, language: language).render())
        let rates = page.figures.filter {
            $0.attributes["data-view"] == "metrics.cohort_summary_by_year" && $0.attributes["data-column"] == "detection_rate_per_1000"
                && $0.attributes["data-key"]?.contains("2013") == true && $0.attributes["data-key"]?.contains("treatment") == true
        }
        #expect(!rates.isEmpty && rates.allSatisfy { $0.attributes["data-state"] == "suppressed" }, "\(rates)")
        _ = try FigureCheck.check(page, language: language, minimum: 5, lookup: ReportFixture.lookup(data))
    }
}
