import Testing
import Pipeline
@testable import Report

/// Both languages complete: every phrase and code in each, with the same placeholders.
@Suite struct CatalogTests {
    @Test(arguments: ReportLanguage.allCases)
    func everyPhraseHasAText(_ language: ReportLanguage) {
        let phrases = Catalog(language).phrases
        let missing = Phrase.allCases.filter { (phrases[$0] ?? "").trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(missing.isEmpty, "\(language.rawValue) lacks \(missing.map(\.rawValue))")
    }

    @Test func bothLanguagesHaveTheSamePlaceholders() {
        for phrase in Phrase.allCases {
            let da = Catalog.placeholders(Catalog.danish[phrase] ?? ""), en = Catalog.placeholders(Catalog.english[phrase] ?? "")
            #expect(da == en, "\(phrase.rawValue): da \(da.sorted()), en \(en.sorted())")
        }
    }

    @Test func noPhraseIsLeftUntranslated() {
        // The same in both languages by right.
        let alike: Set<Phrase> = [.medianColumn, .institutionOne]
        let same = Phrase.allCases.filter { !alike.contains($0) && Catalog.danish[$0] == Catalog.english[$0] }
        #expect(same.isEmpty, "the same text in both languages: \(same.map(\.rawValue))")
    }

    @Test(arguments: ReportLanguage.allCases)
    func everyCodeHasWords(_ language: ReportLanguage) {
        let codes = Catalog(language).codes
        let missing = Catalog.knownCodes.filter { codes[$0] == nil }
        #expect(missing.isEmpty, "\(language.rawValue) lacks words for \(missing)")
        let extra = codes.keys.filter { !Catalog.knownCodes.contains($0) }
        #expect(extra.isEmpty, "\(language.rawValue) has words for unknown codes \(extra)")
    }

    @Test func theInvestigationIsNamedUnderBothLaws() {
        #expect(Catalog.danish[.termInvestigation] == "Børnefaglig undersøgelse (SEL § 50 / Barnets Lov § 20)")
        #expect(Catalog.english[.termInvestigation]?.contains("§ 50") == true)
        #expect(Catalog.english[.termInvestigation]?.contains("§ 20") == true)
    }

    @Test func placeholdersAreFilledOnceAndValuesAreEscaped() {
        let words = Catalog(.en)
        #expect(words.text(.interval, ["low": "{high}", "high": "2"]) == "{high} to 2")
        #expect(words.html(.fewerThan, ["n": .text("<5>")]).markup == "fewer than &lt;5&gt;")
        #expect(Catalog.placeholders("{a} and {b} or {a}") == ["a", "b"])
        #expect(Catalog.placeholders("{unit}et") == ["unit"], "one at the very start")
    }
}
