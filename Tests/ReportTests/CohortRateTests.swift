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

    /// A year without a child enrolled (no row in the view) is a gap in the lines and a row of
    /// "–", not a line drawn straight across it (a review).
    @Test(arguments: ReportLanguage.allCases)
    func aYearWithoutChildrenIsAGap(_ language: ReportLanguage) throws {
        var data = ReportFixture.data
        data.byYear += ["treatment", "control"].map { c in
            ReportFixture.cohort("metrics.cohort_summary_by_year", [("year", "2015"), ("cohort", c)], children: 900, years: 800,
                                 detected: 30, investigated: 20, measured: 10)
        }
        let html = ReportDocument(data: data, language: language).render()
        let page = try ReportPage(html)
        let gap = page.figures.filter {
            $0.attributes["data-view"] == "metrics.cohort_summary_by_year" && $0.attributes["data-key"]?.contains("2014") == true
        }
        #expect(!gap.isEmpty && gap.allSatisfy { $0.attributes["data-state"] == "absent" })
        // Each cohort's line of first cases: 2012–2013, then 2015 alone.
        let paths = page.elements.filter { $0.name == "path" && $0.attributes["class"] == "series treatment" }.compactMap { $0.attributes["d"] }
        #expect(paths.contains { $0.filter { $0 == "M" }.count == 2 }, "\(paths)")
        _ = try FigureCheck.check(page, language: language, minimum: 5, lookup: ReportFixture.lookup(data))
    }
}
