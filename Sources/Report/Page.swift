import Pipeline

/// What every part of the page is written with: the language's words and number formats, and
/// the run's small-cell minimum.
package struct Page {
    package let language: ReportLanguage
    package let words: Catalog
    package let format: NumberFormat
    package let minimum: Int

    package init(language: ReportLanguage, minimum: Int) {
        self.language = language
        words = Catalog(language)
        format = NumberFormat(language)
        self.minimum = minimum
    }

    /// "fewer than 5" / "færre end 5", with the run's minimum: in a chart, beside its legend.
    var suppressed: String { words.text(.fewerThan, ["n": format.integer(minimum)]) }
    /// "hidden (fewer than 5)": in a table or a sentence, where a bare "fewer than 5" in a
    /// column of rates would read as a rate.
    var suppressedCell: String { words.text(.hiddenFewerThan, ["n": format.integer(minimum)]) }
    var undefined: String { words.text(.notComputed) }
    /// A chart's words for a row the view does not have.
    var absent: String { words.text(.absentTitle) }

    /// A figure in the text: `<data value="1.94" data-view=… data-key=… data-column=…>1,94</data>`.
    /// A suppressed one reads "hidden (fewer than 5)"; one that cannot be computed, "–" with a tooltip.
    /// `magnitude`: the number without its sign, for a sentence whose words carry it ("… fewer children").
    func figure(_ f: Figure, decimals: Int, signed: Bool = false, magnitude: Bool = false) -> HTML {
        let text: String, cls: String?, title: String?
        switch f.state {
        case .value:
            let v = magnitude ? abs(f.value ?? .nan) : f.value ?? .nan
            text = signed ? format.signed(v, decimals: decimals) : format.number(v, decimals: decimals)
            cls = nil; title = nil
        case .suppressed:
            text = suppressedCell; cls = "suppressed"; title = words.text(.suppressedTitle, ["n": format.integer(minimum)])
        case .undefined:
            text = "–"; cls = "undefined"; title = undefined
        case .absent:
            text = "–"; cls = "absent"; title = words.text(.absentTitle)
        }
        return HTML.element("data", [("class", cls), ("title", title)] + f.dataAttributes(valueAttribute: "value", decimals: decimals)
                            + [("data-display", magnitude && f.state == .value ? "magnitude" : nil)], .text(text))
    }

    /// A share as a percentage ("37,4 %"), carried as the share to the digits it shows.
    func percent(_ f: Figure, decimals: Int) -> HTML {
        // Shown from the value as carried, so that the two never round apart (0.0355: 0.035 and 3.6 %).
        guard f.state == .value, let carried = f.carried(decimals: decimals + 2).flatMap(Double.init) else { return figure(f, decimals: decimals) }
        return HTML.element("data", f.dataAttributes(valueAttribute: "value", decimals: decimals + 2) + [("data-display", "percent")],
                            .text(format.number(100 * carried, decimals: decimals) + " %"))
    }

    /// A count: grouped digits, no decimals.
    func count(_ f: Figure) -> HTML { figure(f, decimals: 0) }

    /// "1 institution", "3 institutions": a count of institutions with its noun ("1 institutions", a review).
    func institutions(_ f: Figure) -> HTML {
        count(f) + .text(" ") + words.html(f.value == 1 ? .institutionOne : .institutionMany)
    }

    func institutions(_ n: Int) -> HTML {
        .text(format.integer(n) + " ") + words.html(n == 1 ? .institutionOne : .institutionMany)
    }

    /// A date read from a view (`yyyy-mm-dd`), written out: "21. november 2026".
    func date(_ f: Figure) -> HTML {
        guard let raw = f.raw else { return figure(f, decimals: 0) }
        return HTML.element("data", f.dataAttributes(valueAttribute: "value", decimals: nil) + [("data-display", "date")], .text(format.date(iso: raw)))
    }

    /// Text from a view shown as it is (a run id, a district).
    func label(_ f: Figure) -> HTML {
        HTML.element("data", f.dataAttributes(valueAttribute: "value", decimals: nil) + [("data-display", "text")], .text(f.raw ?? "–"))
    }

    /// An estimate with its interval under it, in one cell: narrow enough for a phone.
    func estimate(_ value: Figure, _ low: Figure, _ high: Figure, decimals: Int, signed: Bool = false) -> HTML {
        let interval = low.state == .value && high.state == .value
            ? HTML.element("span", [("class", "ci")], interval(low, high, decimals: decimals)) : .empty
        return figure(value, decimals: decimals, signed: signed) + interval
    }

    /// A column header over `estimate` cells: "Estimate" with "95 % interval" under it.
    func estimateHeader(_ phrase: Phrase) -> HTML {
        words.html(phrase) + HTML.element("span", [("class", "ci")], words.html(.intervalColumn))
    }

    /// "1,86 til 2,04": an interval, both ends figures.
    func interval(_ low: Figure, _ high: Figure, decimals: Int) -> HTML {
        if low.state != .value || high.state != .value {
            return low.isSuppressed || high.isSuppressed ? figure(low.isSuppressed ? low : high, decimals: decimals) : figure(low, decimals: decimals)
        }
        return words.html(.interval, ["low": figure(low, decimals: decimals), "high": figure(high, decimals: decimals)])
    }
}
