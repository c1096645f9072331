/// A plain table: a header row and rows of cells; the first cell of each row is its header.
struct HTMLTable {
    var caption: String?
    var header: [HTML]
    var rows: [[HTML]]
    /// Rows that only name a group of the rows after them, across the whole table.
    var groupRows: [Int: HTML] = [:]
    var cls: String = "numbers"
    /// Columns of words (a reason), set to the left like the row headers.
    var textColumns: Set<Int> = []

    func render() -> HTML {
        var body: [HTML] = []
        for (i, row) in rows.enumerated() {
            if let group = groupRows[i] {
                body.append(HTML.element("tr", [("class", "group")], HTML.element("th", [("colspan", String(header.count)), ("scope", "colgroup")], group)))
            }
            var cells: [HTML] = []
            for (j, cell) in row.enumerated() {
                cells.append(j == 0 ? HTML.element("th", [("scope", "row")], cell)
                                    : HTML.element("td", [("class", textColumns.contains(j) ? "text" : nil)], cell))
            }
            body.append(HTML.element("tr", [], content: cells))
        }
        return HTML.element("table", [("class", cls)], content: [
            caption.map { HTML.element("caption", [], .text($0)) } ?? .empty,
            HTML.element("thead", [], HTML.element("tr", [], content: header.enumerated().map {
                HTML.element("th", [("scope", "col"), ("class", textColumns.contains($0.offset) ? "text" : nil)], $0.element)
            })),
            HTML.element("tbody", [], content: body),
        ])
    }
}
