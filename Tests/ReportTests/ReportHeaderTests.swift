import Testing
import Pipeline
@testable import Report

/// The page's head: which run it shows, and that a later night published nothing.
@Suite struct ReportHeaderTests {
    static func notice(_ html: String) throws -> String? {
        try ReportPage(html).elements.first { $0.name == "p" && $0.attributes["class"] == "notice" }?.text
    }

    /// A run after the published one that failed (or was stopped) is said first, with its run
    /// and day, and the figures are no longer "the night's" (a review: the page kept them without a word).
    @Test(arguments: ReportLanguage.allCases)
    func aLaterRunThatPublishedNothingIsSaid(_ language: ReportLanguage) throws {
        var data = ReportFixture.data
        #expect(try Self.notice(ReportDocument(data: data, language: language).render()) == nil)
        data.notPublished = [
            .init(run: "20261123023000123", asOf: "2026-11-22", startedAt: "2026-11-23 02:30:00.123+00", stopped: false),
            .init(run: "20261122123000123", asOf: "2026-11-22", startedAt: "2026-11-22 12:30:00.123+00", stopped: true),
        ]
        let html = ReportDocument(data: data, language: language).render()
        let catalog = Catalog(language)
        let notice = try #require(try Self.notice(html))
        #expect(notice.contains("20261123023000123") && notice.contains(catalog.text(.laterRunsMore, ["n": "2"])), "\(notice)")
        #expect(notice.hasPrefix(catalog.text(.laterRunFailed).prefix { $0 != "{" }))
        // "from the night's run" no more: the words between the placeholders of each line.
        func middle(_ phrase: Phrase) -> String { catalog.text(phrase).components(separatedBy: "}")[1].components(separatedBy: "{")[0] }
        #expect(!html.contains(middle(.asOfLine)) && html.contains(middle(.asOfLineEarlier)))
        // Its figures are the view's, as every other on the page.
        let checked = try FigureCheck.check(try ReportPage(html), language: language, minimum: 5, lookup: ReportFixture.lookup(data))
        #expect(checked > 200)
        // A stopped run is called stopped.
        data.notPublished.removeFirst()
        let stopped = try #require(try Self.notice(ReportDocument(data: data, language: language).render()))
        #expect(stopped.hasPrefix(catalog.text(.laterRunStopped).prefix { $0 != "{" }) && !stopped.contains(catalog.text(.laterRunsMore).prefix { $0 != "{" }))
    }
}
