import Testing
import Pipeline
@testable import Report

/// What the page says of the difference-in-differences' estimates when they are unusual.
@Suite struct EffectReadingTests {
    static func answer(_ html: String) throws -> String {
        try ReportPage(html).elements.filter { $0.name == "p" && $0.attributes["class"] == "answer" }.map(\.text).joined(separator: "\n")
    }

    /// Every chart's one-line reading.
    static func readings(_ html: String) throws -> String {
        try ReportPage(html).elements.filter { $0.name == "p" && $0.attributes["class"] == "reading" }.map(\.text).joined(separator: "\n")
    }

    /// An estimate without an interval (R `did`'s NA standard error: nothing varied) is an
    /// estimate: never "could not be made", never counted in "all three" (a review).
    @Test(arguments: ReportLanguage.allCases)
    func anEstimateWithoutAnIntervalIsOne(_ language: ReportLanguage) throws {
        var data = ReportFixture.data
        var did = try #require(data.did)
        ReportDocumentTests.edit(&did.summary) { row in
            if row.key.contains(where: { $0.column == "metric" && $0.value == "measure" }) {
                row.values["att"] = "0"; row.values["se"] = nil; row.values["ci_low"] = nil; row.values["ci_high"] = nil
            } else {
                row.values["ci_low"] = "1.5"; row.values["ci_high"] = "9.9"
            }
        }
        data.did = did
        let catalog = Catalog(language)
        var html = ReportDocument(data: data, language: language).render()
        let effects = try Self.readings(html)
        #expect(!effects.contains(catalog.text(.effectsReadingAll)), "\(effects)")
        #expect(effects.contains(catalog.text(.effectsReadingNoInterval, ["outcomes": catalog.text(.measureShort).lowercased()])), "\(effects)")
        // Every outcome without an interval, the lead one too.
        ReportDocumentTests.edit(&did.summary) { row in row.values["se"] = nil; row.values["ci_low"] = nil; row.values["ci_high"] = nil }
        data.did = did
        html = ReportDocument(data: data, language: language).render()
        let answer = try Self.answer(html)
        #expect(answer.contains(catalog.text(.causalNoInterval).prefix { $0 != "{" }), "\(answer)")
        for phrase: Phrase in [.causalNotEstimated, .causalLeadNotEstimated] {
            #expect(!answer.contains(catalog.text(phrase).prefix { $0 != "{" }), "\(phrase)")
        }
        #expect(!(try Self.readings(html)).contains(catalog.text(.effectsLeadNotEstimated).prefix { $0 != "{" }))
        _ = try FigureCheck.check(try ReportPage(html), language: language, minimum: 5, lookup: ReportFixture.lookup(data))
    }

    /// With not-yet-covered institutions as the comparison, the answer says "than at" those, not
    /// "institutions without one" (a review).
    @Test(arguments: ReportLanguage.allCases)
    func theAnswerNamesTheNotYetCovered(_ language: ReportLanguage) throws {
        let html = ReportDocument(data: ReportFixture.data, language: language, lead: .notYetTreated).render()
        let catalog = Catalog(language)
        // The causal sentence, the first; the naive one's children "without one" are another matter.
        let answer = try Self.answer(html).components(separatedBy: "\n")[0]
        #expect(answer.contains(catalog.text(.comparisonNotYet)) && !answer.contains(catalog.text(.comparisonWithout)), "\(answer)")
    }

    /// The treated institutions' mean before, NULL beside an estimate (fewer treated
    /// institutions than the minimum, `metrics.did_summary`), is hidden, not "cannot be computed".
    @Test(arguments: ReportLanguage.allCases)
    func aHiddenMeanBeforeIsSaidHidden(_ language: ReportLanguage) throws {
        var data = ReportFixture.data
        var did = try #require(data.did)
        ReportDocumentTests.edit(&did.summary) { row in row.values["pre_treatment_mean"] = nil; row.values["institutions_treated"] = "1" }
        data.did = did
        let page = try ReportPage(ReportDocument(data: data, language: language).render())
        let means = page.figures.filter { $0.attributes["data-column"] == "pre_treatment_mean" }
        #expect(means.count == 6 && means.allSatisfy { $0.attributes["data-state"] == "suppressed" })
        // One institution is one ("1 institutions", a review).
        let catalog = Catalog(language), text = page.elements.filter { $0.name == "p" }.map(\.text).joined(separator: "\n")
        #expect(text.contains("1 " + catalog.text(.institutionOne)) && !text.contains("1 " + catalog.text(.institutionMany)), "\(text)")
        _ = try FigureCheck.check(page, language: language, minimum: 5, lookup: ReportFixture.lookup(data))
    }

    /// Estimates on fewer treated institutions than the minimum, which `metrics.did_summary`
    /// hides (the overall effect gave a hidden count back, a review), are said hidden and too
    /// few, never "could not be made".
    @Test(arguments: ReportLanguage.allCases)
    func estimatesOfTooFewInstitutionsAreSaidHidden(_ language: ReportLanguage) throws {
        var data = ReportFixture.data
        var did = try #require(data.did)
        ReportDocumentTests.edit(&did.summary) { row in
            row.values["institutions_treated"] = "3"
            for c in ["att", "se", "ci_low", "ci_high", "pre_treatment_mean"] { row.values[c] = .some(nil) }
        }
        data.did = did
        let catalog = Catalog(language)
        let html = ReportDocument(data: data, language: language).render()
        let page = try ReportPage(html)
        let answer = try Self.answer(html), readings = try Self.readings(html)
        #expect(answer.contains(catalog.text(.causalTooFew).prefix { $0 != "{" }), "\(answer)")
        #expect(readings.contains(catalog.text(.effectsTooFew, ["group": catalog.text(.againstNeverTreated), "treated": "3 " + catalog.text(.institutionMany),
                                                              "n": "5"])), "\(readings)")
        // Each phrase by its words just before the reason ("could not be made from this run: ").
        func words(_ phrase: Phrase) -> String {
            (catalog.text(phrase).components(separatedBy: "{why}").first ?? "").components(separatedBy: "}").last ?? ""
        }
        for phrase: Phrase in [.causalNotEstimated, .causalLeadNotEstimated, .effectsNotEstimated, .effectsLeadNotEstimated, .effectsOtherNotEstimated] {
            #expect(!(answer + readings).contains(words(phrase)), "\(phrase)")
        }
        let effects = page.figures.filter { $0.attributes["data-view"] == "metrics.did_summary" && $0.attributes["data-column"] == "att" }
        #expect(!effects.isEmpty && effects.allSatisfy { $0.attributes["data-state"] == "suppressed" })
        _ = try FigureCheck.check(page, language: language, minimum: 5, lookup: ReportFixture.lookup(data))
    }
}
