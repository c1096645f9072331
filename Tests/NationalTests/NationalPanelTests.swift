import Evaluation
import Pipeline
import Testing
@testable import National

@Suite struct NationalPanelTests {
    static func day(_ text: String) -> Day { Day(iso: text)! }

    @Test func thePeriodsAreThoseEveryMunicipalityHasWhole() {
        let spans = [Self.day("2012-01-01")...Self.day("2025-12-31"), Self.day("2013-04-01")...Self.day("2026-06-30"),
                     Self.day("2012-07-01")...Self.day("2025-09-30")]
        let quarters = NationalPanel.periods(spans, length: .quarter)
        #expect(quarters.span == Self.day("2013-04-01")...Self.day("2025-09-30"))
        #expect(quarters.count == 50)
        let years = NationalPanel.periods(spans, length: .year)
        #expect(years.span == Self.day("2014-01-01")...Self.day("2024-12-31"), "whole years only")
        #expect(NationalPanel.periods([Self.day("2012-01-01")...Self.day("2013-12-31"), Self.day("2014-01-01")...Self.day("2015-12-31")],
                                      length: .year).count == 0, "windows that do not meet")
        #expect(NationalPanel.periods([], length: .year).count == 0)
    }

    @Test func groupsArePlacedByTheDayTheirPeriodStarts() {
        let periods = EvaluationPeriods(window: Self.day("2014-01-01")...Self.day("2025-12-31"), length: .year)
        #expect(NationalPanel.group(groupStart: nil, in: periods) == 0)
        #expect(NationalPanel.group(groupStart: Self.day("2012-01-01"), in: periods) == 1, "covered before the national panel")
        #expect(NationalPanel.group(groupStart: Self.day("2014-01-01"), in: periods) == 1)
        #expect(NationalPanel.group(groupStart: Self.day("2016-01-01"), in: periods) == 3)
        #expect(NationalPanel.group(groupStart: Self.day("2026-01-01"), in: periods) == 0, "not covered within the national periods")
        #expect(NationalPanel.group(groupStart: Self.day("2016-04-01"), in: periods) == nil, "a quarter is no national year")
    }

    func rows(_ municipality: String, _ code: String, _ number: String, group: String?, days: [Int]) -> NationalPanel.FeedRows {
        let starts = (2014...2014 + days.count - 1).map { Day.january1($0) }
        return .init(municipality: municipality, code: code, institution: number, groupStart: group.map(Self.day), periodStarts: starts,
                     exposureDays: days, children: days.map { $0 / 100 }, events: [days.map { $0 / 1000 }, days.map { _ in 0 }, days.map { _ in 1 }])
    }

    @Test func institutionsAreKeyedByMunicipalityInOneOrder() throws {
        let periods = EvaluationPeriods(window: Self.day("2014-01-01")...Self.day("2016-12-31"), length: .year)
        let panel = try NationalPanel([
            rows("Odense", "461", "7", group: "2015-01-01", days: [900, 800, 700]),
            rows("København", "101", "7", group: nil, days: [1000, 0, 1200]),
            rows("København", "101", "12", group: "2013-01-01", days: [1000, 1100, 1200]),
        ], periods: periods)
        #expect(panel.institutions.map(\.id) == ["101:12", "101:7", "461:7"])
        #expect(panel.institutions.map(\.group) == [1, 0, 2])
        #expect(panel.leftOut.map { "\($0.institution.id) \($0.reason.rawValue)" } == ["101:12 treated_from_first_period", "101:7 unbalanced"])
        let detection = panel.panel(metric: 0)
        #expect(detection.periods == 3 && detection.institutions.map(\.id) == ["101:12", "101:7", "461:7"])
        #expect(detection.institutions[2].events == [0, 0, 0] && panel.panel(metric: 2).institutions[2].events == [1, 1, 1])

        let misaligned = #expect(throws: NationalError.self) {
            try NationalPanel([rows("Odense", "461", "7", group: nil, days: [900, 800])], periods: periods)
        }
        #expect(misaligned.map { "\($0)" }?.contains("institution 7 has periods 2014-01-01,2015-01-01") == true)
        // An institution's rows under two groups (a feed not made by etl): named, not a bare unique violation later.
        let twoGroups = #expect(throws: NationalError.self) {
            try NationalPanel([rows("Odense", "461", "7", group: nil, days: [900, 800, 700]),
                               rows("Odense", "461", "7", group: "2015-01-01", days: [900, 800, 700])], periods: periods)
        }
        #expect(twoGroups.map { "\($0)" }?.contains("Odense") == true && twoGroups.map { "\($0)" }?.contains("institution 7 has panel rows of more than one group") == true)
        // Negative days (a feed not made by etl) made the estimates "not estimated" for the whole country (an adversarial review).
        let negative = #expect(throws: NationalError.self) {
            try NationalPanel([rows("Odense", "461", "7", group: nil, days: [900, -800, 700])], periods: periods)
        }
        #expect(negative.map { "\($0)" }?.contains("the feed of Odense does not fit the national panel: institution 7 has negative counts in its panel") == true,
                "\(String(describing: negative))")
    }
}
