import Testing
import Pipeline
@testable import Report

/// The answer's word on rejected records.
@Suite struct RejectsSentenceTests {
    /// A file whose rejected count is hidden (1 to 4) but may be 1 % of its records is named
    /// as "fewer than 5 of the 27 records" (2 of 27 went unsaid, a review); one too large for
    /// that to be 1 % is not.
    @Test(arguments: ReportLanguage.allCases)
    func aHiddenCountThatMayBeOnePercentIsSaid(_ language: ReportLanguage) throws {
        let catalog = Catalog(language)
        for (read, said) in [("27", true), ("400", true), ("401", false)] {
            var data = ReportFixture.data
            ReportDocumentTests.edit(&data.dataQuality) { row in
                guard row.key("category") == "file", row.key("subject") == "institutioner.xml" else { return }
                if row.key("reason") == "rejected" { row.values["records"] = .some(nil) }
                if row.key("reason") == "read" { row.values["records"] = read }
            }
            let page = try ReportPage(ReportDocument(data: data, language: language).render())
            let answer = page.elements.filter { $0.name == "p" && $0.attributes["class"] == "answer" }.map(\.text).joined(separator: "\n")
            let few = catalog.text(.rejectedFew, ["n": "5", "read": read, "file": "institutioner.xml"])
            #expect(answer.contains(few) == said, "\(read): \(answer)")
        }
    }
}
