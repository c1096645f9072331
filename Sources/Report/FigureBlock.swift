/// A chart as the committee reads it: title, a one-line reading, the drawing and its numbers
/// as a table beside it (below it on a phone), and a note on units.
struct FigureBlock {
    var id: String
    var title: String
    var reading: HTML
    var chart: HTML
    var table: HTML
    var note: HTML?
    /// A table too wide to sit beside its chart on A4: below it on paper.
    var wide = false

    func render() -> HTML {
        HTML.element("figure", [("id", id), ("class", wide ? "figure wide" : "figure")],
            HTML.element("figcaption", [],
                HTML.element("h3", [], .text(title)),
                HTML.element("p", [("class", "reading")], reading)),
            HTML.element("div", [("class", "figure-body")],
                HTML.element("div", [("class", "plot")], chart),
                HTML.element("div", [("class", "numbers")], table)),
            note.map { HTML.element("p", [("class", "note")], $0) } ?? .empty)
    }
}
