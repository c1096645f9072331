/// Estimates with their 95 % intervals, one row each, against a reference line (1 for a rate
/// ratio on a log axis, 0 for a difference): the comparisons at a glance.
package struct ForestPlot {
    package struct Row {
        package var label: String
        package var estimate: Figure
        package var low: Figure
        package var high: Figure

        package init(label: String, estimate: Figure, low: Figure, high: Figure) {
            self.label = label; self.estimate = estimate; self.low = low; self.high = high
        }
    }

    package enum Axis { case ratio, difference }

    package struct Panel {
        package var title: String?
        package var axis: Axis
        package var axisLabel: String
        /// The decimals the figures are shown with (in the table beside the chart).
        package var decimals: Int
        package var rows: [Row]

        package init(title: String?, axis: Axis, axisLabel: String, decimals: Int, rows: [Row]) {
            self.title = title; self.axis = axis; self.axisLabel = axisLabel; self.decimals = decimals; self.rows = rows
        }

        var reference: Double { axis == .ratio ? 1 : 0 }
        /// A log axis has no place for a ratio of 0 (no treatment child had the event).
        func canPlace(_ value: Double) -> Bool { axis == .difference || value > 0 }
    }

    package var id: String
    package var title: String
    package var description: String
    package var panels: [Panel]
    package var format: NumberFormat
    /// What a suppressed row says ("fewer than 5") and one that cannot be computed.
    package var suppressedText: String
    package var undefinedText: String

    package init(id: String, title: String, description: String, panels: [Panel], format: NumberFormat,
                 suppressedText: String, undefinedText: String) {
        self.id = id; self.title = title; self.description = description; self.panels = panels
        self.format = format; self.suppressedText = suppressedText; self.undefinedText = undefinedText
    }

    static let left = 8.0, right = ChartMetrics.width - 12
    static let rowHeight = 40.0, titleHeight = 22.0, axisHeight = 44.0
    /// From the drawing's ends to the axis's: half a tick's figure ("−1.500" was cut, a review).
    static let inset = 22.0

    /// Where a panel's values go: an axis holding every interval and the reference.
    package static func position(_ panel: Panel) -> (place: (Double) -> Double, ticks: [Double]) {
        let values = panel.rows.flatMap { [$0.estimate.value, $0.low.value, $0.high.value] }.compactMap { $0 }.filter(panel.canPlace)
        let lo = values.min() ?? panel.reference, hi = values.max() ?? panel.reference
        switch panel.axis {
        case .ratio:
            let domain = Ticks.logDomain(max(lo, 1e-3), max(hi, 1e-3), including: 1)
            let scale = LogScale(domain: domain, range: (left + inset, right - inset))
            return ({ scale($0) }, Ticks.log(domain, count: 5))
        case .difference:
            let domain = Ticks.niceDomain(min(lo, 0), max(hi, 0), count: 5)
            let scale = LinearScale(domain: domain, range: (left + inset, right - inset))
            return ({ scale($0) }, Ticks.linear(domain, count: 5))
        }
    }

    package var height: Double {
        panels.reduce(0) { $0 + ($1.title == nil ? 0 : Self.titleHeight) + Double($1.rows.count) * Self.rowHeight + Self.axisHeight }
    }

    package func render() -> HTML {
        var parts: [HTML] = []
        var y = 0.0
        for panel in panels {
            if let t = panel.title {
                parts.append(SVG.text(Self.left, y + 15, t, cls: "panel-title"))
                y += Self.titleHeight
            }
            let (place, ticks) = Self.position(panel)
            let top = y
            var rows: [HTML] = []
            for row in panel.rows {
                rows.append(SVG.text(Self.left, y + 13, row.label, cls: "row-label"))
                let cy = y + 28
                if let e = row.estimate.value, !panel.canPlace(e) {
                    // Written out at the axis's left end, as the figure it is.
                    rows.append(SVG.text(Self.left + 8, cy + 4, format.number(e, decimals: panel.decimals), cls: "value", anchor: .start,
                                         attributes: row.estimate.dataAttributes(decimals: panel.decimals)))
                } else if let e = row.estimate.value {
                    if let lo = row.low.value, let hi = row.high.value {
                        rows.append(SVG.line(place(lo), cy, place(hi), cy, cls: "ci"))
                        // The end caps carry the ends' figures.
                        rows.append(SVG.line(place(lo), cy - 5, place(lo), cy + 5, cls: "ci", attributes: row.low.dataAttributes(decimals: panel.decimals)))
                        rows.append(SVG.line(place(hi), cy - 5, place(hi), cy + 5, cls: "ci", attributes: row.high.dataAttributes(decimals: panel.decimals)))
                    }
                    rows.append(SVG.circle(place(e), cy, r: 5, cls: "estimate", attributes: row.estimate.dataAttributes(decimals: panel.decimals)))
                } else {
                    // Beside the reference line, on a side it fits on; else from the drawing's left end, across the
                    // line, rather than cut at the edge ("Kan ikke beregnes …" was, a review).
                    let text = row.estimate.isSuppressed ? suppressedText : undefinedText
                    let x = place(panel.reference), wide = ChartMetrics.textWidth(text, size: ChartMetrics.smallFont)
                    let (at, anchor): (Double, SVG.Anchor) = x + 8 + wide <= ChartMetrics.width ? (x + 8, .start)
                        : x - 8 - wide >= 0 ? (x - 8, .end) : (Self.left, .start)
                    rows.append(SVG.text(at, cy + 4, text, cls: "missing", anchor: anchor,
                                         attributes: row.estimate.dataAttributes(decimals: panel.decimals)))
                }
                y += Self.rowHeight
            }
            let decimals = Ticks.decimals(for: ticks.count > 1 ? ticks[1] - ticks[0] : 1)
            parts.append(SVG.line(place(panel.reference), top, place(panel.reference), y + 4, cls: "reference"))
            parts.append(Axes.bottom(ticks: ticks, position: place, y: y + 4, top: top, label: panel.axisLabel,
                                     text: { format.number($0, decimals: panel.axis == .ratio ? Ticks.decimals(for: $0) : decimals) },
                                     left: Self.left, right: Self.right))
            parts.append(contentsOf: rows)
            y += Self.axisHeight
        }
        return SVG.chart(id: id, width: ChartMetrics.width, height: height, title: title, description: description, parts)
    }
}
