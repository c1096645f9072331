import Pipeline
import Testing
@testable import Report

@Suite struct ReportDataTests {
    /// A CPR number typed into a district reaches the views as its pseudonym; the committee's
    /// page shows `[CPR n]` instead, the same label for the same pseudonym, and no pseudonym
    /// anywhere (not in a row's `data-key` either): it would link the row to one child's.
    @Test(arguments: ReportLanguage.allCases)
    func aPseudonymInALabelIsNotOnThePage(_ language: ReportLanguage) throws {
        var data = ReportFixture.data
        let a = "[cpr:51aea972f6f7d3f2]", b = "[cpr:0123456789abcdef]"
        data.byDistrict += [
            ReportFixture.cohort("metrics.cohort_summary_by_district", [("district", a), ("cohort", "treatment")],
                                 children: 700, years: 1800, detected: 77, investigated: 50, measured: 30),
            ReportFixture.cohort("metrics.cohort_summary_by_district", [("district", a), ("cohort", "control")],
                                 children: 900, years: 2000, detected: 60, investigated: 40, measured: 20),
            ReportFixture.cohort("metrics.cohort_summary_by_district", [("district", "Syd \(b)"), ("cohort", "control")],
                                 children: 800, years: 1900, detected: 50, investigated: 30, measured: 10),
        ]
        data.maskPseudonyms()
        #expect(data.byDistrict.compactMap { $0.key("district") }.suffix(3) == ["[CPR 1]", "[CPR 1]", "Syd [CPR 2]"])
        #expect(data.byDistrict.prefix(3).compactMap { $0.key("district") } == ["Østerbro", "Østerbro", "Valby"])
        let page = ReportDocument(data: data, language: language).render()
        #expect(!page.contains("[cpr:") && !page.contains("51aea972"))
        #expect(page.contains("[CPR 1]") && page.contains("Syd [CPR 2]"))
    }
}
