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
            .init(run: RunID("20261123023000123")!, asOf: "2026-11-22", startedAt: "2026-11-23 02:30:00.123+00", status: "failed"),
            .init(run: RunID("20261122123000123")!, asOf: "2026-11-22", startedAt: "2026-11-22 12:30:00.123+00", status: "dead"),
        ]
        let html = ReportDocument(data: data, language: language).render()
        let catalog = Catalog(language)
        let notice = try #require(try Self.notice(html))
        #expect(notice.contains("20261123023000123") && notice.contains(catalog.text(.laterRunsMore, ["n": "2"])), "\(notice)")
        #expect(notice.hasPrefix(catalog.text(.laterRunFailed).prefix { $0 != "{" }))
        // The page names the newest it says, so that a run's start can tell one stopped since (`catchUpReport`).
        #expect(html.contains("<meta name=\"\(NightlyReport.notPublishedMeta)\" content=\"20261123023000123 failed\"/>"))
        // Its figures are the view's, as every other on the page.
        let checked = try FigureCheck.check(try ReportPage(html), language: language, minimum: 5, lookup: ReportFixture.lookup(data))
        #expect(checked > 200)
        // A stopped run is called stopped.
        data.notPublished.removeFirst()
        let stopped = try #require(try Self.notice(ReportDocument(data: data, language: language).render()))
        // The words after the run's day tell the three apart.
        func tail(_ phrase: Phrase) -> String { catalog.text(phrase).components(separatedBy: "{started}").last ?? "" }
        #expect(notice.contains(tail(.laterRunFailed)))
        #expect(stopped.contains(tail(.laterRunStopped)) && !stopped.contains(catalog.text(.laterRunsMore).prefix { $0 != "{" }))
        data.notPublished = [.init(run: RunID("20261123023000123")!, asOf: "2026-11-22", startedAt: "2026-11-23 02:30:00.123+00", status: "succeeded")]
        let unpublished = try #require(try Self.notice(ReportDocument(data: data, language: language).render()))
        #expect(unpublished.contains(tail(.laterRunNotPublished)), "\(unpublished)")
    }
}
