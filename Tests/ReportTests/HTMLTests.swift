import Testing
import Pipeline
@testable import Report

/// Text into markup: escaped, and nothing in it that changes how the rest reads.
@Suite struct HTMLTests {
    /// A format character is shown as its code: U+202E reverses what follows,
    /// so "\u{202E}orberrøN" read as "Nørrebro" beside the real one (a review).
    @Test func formatCharactersAreShownAsTheirCodes() {
        #expect(HTML.text("\u{202E}orberrøN").markup == "[U+202E]orberrøN")
        #expect(HTML.text("a\u{2066}b\u{2069}\u{200F}<").markup == "a[U+2066]b[U+2069][U+200F]&lt;")
        #expect(HTML.text("Nørrebro").markup == "Nørrebro")
        // What shows as nothing too: "Nørrebro" and "Nørrebro" + a zero-width space read alike (a review).
        #expect(HTML.text("Nørrebro\u{200B}").markup == "Nørrebro[U+200B]")
        #expect(HTML.text("a\u{FEFF}\u{2060}\u{00AD}b").markup == "a[U+FEFF][U+2060][U+00AD]b")
        #expect(HTML.text("Amager\u{00A0}Øst\u{034F}\u{FE0F}\u{2028}\u{3164}").markup == "Amager[U+00A0]Øst[U+034F][U+FE0F][U+2028][U+3164]")
        // Attributes keep the view's text, for the page's own figure checks.
        #expect(HTML.element("data", [("data-key", "\u{202E}x")], .text("\u{202E}x")).markup == "<data data-key=\"\u{202E}x\">[U+202E]x</data>")
        // A tooltip is read too.
        #expect(HTML.element("th", [("title", "\u{202E}x")]).markup == "<th title=\"[U+202E]x\"></th>")
    }

    @Test(arguments: ReportLanguage.allCases)
    func aDistrictNamedWithABidiControlReadsAsItIs(_ language: ReportLanguage) throws {
        var data = ReportFixture.data
        ReportDocumentTests.edit(&data.byDistrict) { row in
            if let i = row.key.firstIndex(where: { $0.column == "district" && $0.value == "Valby" }) { row.key[i].value = "\u{202E}orberrøN" }
        }
        let page = try ReportPage(ReportDocument(data: data, language: language).render())
        #expect(page.text.contains("[U+202E]orberrøN") && !page.text.contains("\u{202E}"))
        _ = try FigureCheck.check(page, language: language, minimum: 5, lookup: ReportFixture.lookup(data))
    }
}
