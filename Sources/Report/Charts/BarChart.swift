/// Horizontal bars from 0, one group per category (a district, an age), one bar per cohort,
/// each with its value written at its end. A suppressed bar is not drawn as a short bar: its
/// place holds a hatched box and the words "fewer than 5".
package struct BarChart {
    package struct Group {
        package var label: String
        package var bars: [(style: String, value: Figure)]

        package init(label: String, bars: [(style: String, value: Figure)]) { self.label = label; self.bars = bars }
    }

    package var id: String
    package var title: String
    package var description: String
    package var groups: [Group]
    /// Series names for the legend, by style.
    package var legend: [(style: String, name: String)]
    package var format: NumberFormat
    package var decimals: Int
    package var axisLabel: String
    package var suppressedText: String
    package var undefinedText: String
    /// A bar of a row the view does not have ("no child of this cohort here").
    package var absentText: String

    package init(id: String, title: String, description: String, groups: [Group], legend: [(style: String, name: String)],
                 format: NumberFormat, decimals: Int, axisLabel: String, suppressedText: String, undefinedText: String, absentText: String) {
        self.id = id; self.title = title; self.description = description; self.groups = groups; self.legend = legend
        self.format = format; self.decimals = decimals; self.axisLabel = axisLabel
        self.suppressedText = suppressedText; self.undefinedText = undefinedText; self.absentText = absentText
    }

    /// Room left of 0 for half its tick label ("0,0").
    static let left = 14.0, right = ChartMetrics.width - 12
    static let legendHeight = 26.0, labelHeight = 16.0, barHeight = 11.0, barGap = 3.0, groupGap = 10.0, axisHeight = 44.0
    /// Room kept right of the longest bar for its value.
    static let valueRoom = 52.0

    var groupHeight: Double { Self.labelHeight + Double(maxBars) * (Self.barHeight + Self.barGap) + Self.groupGap }
    var maxBars: Int { groups.map(\.bars.count).max() ?? 0 }
    package var height: Double { Self.legendHeight + Double(groups.count) * groupHeight + Self.axisHeight }

    package var scale: LinearScale {
        // With nothing to draw (every bar hidden), an axis from 0 to 1.
        let top = groups.flatMap { $0.bars.compactMap { $0.value.value } }.max() ?? 1
        let domain = Ticks.niceDomain(0, top > 0 ? top : 1, count: 4)
        return LinearScale(domain: domain, range: (Self.left, Self.right - Self.valueRoom))
    }

    package func render() -> HTML {
        let x = scale
        let ticks = Ticks.linear(x.domain, count: 4)
        let tickDecimals = Ticks.decimals(for: ticks.count > 1 ? ticks[1] - ticks[0] : 1)
        var parts: [HTML] = []
        var lx = Self.left
        for item in legend {
            parts.append(SVG.rect(lx, 6, 12, 10, cls: "bar \(item.style)"))
            parts.append(SVG.text(lx + 16, 15, item.name, cls: "legend"))
            lx += 16 + ChartMetrics.textWidth(item.name, size: ChartMetrics.smallFont) + 14
        }
        var y = Self.legendHeight
        let plotTop = y
        var marks: [HTML] = []
        for group in groups {
            marks.append(SVG.label(Self.left, y + 12, group.label, width: ChartMetrics.width - Self.left - 4, cls: "row-label"))
            var by = y + Self.labelHeight
            for bar in group.bars {
                if let v = bar.value.value {
                    let end = x(v)
                    marks.append(SVG.rect(Self.left, by, end - Self.left, Self.barHeight, cls: "bar \(bar.style)"))
                    marks.append(SVG.text(end + 4, by + Self.barHeight - 1.5, format.number(v, decimals: decimals), cls: "value",
                                          attributes: bar.value.dataAttributes(decimals: decimals)))
                } else {
                    let text = bar.value.isSuppressed ? suppressedText : bar.value.state == .absent ? absentText : undefinedText
                    if bar.value.isSuppressed {
                        marks.append(SVG.rect(Self.left, by, 14, Self.barHeight, cls: "bar suppressed \(bar.style)"))
                    }
                    marks.append(SVG.text(Self.left + (bar.value.isSuppressed ? 18 : 0), by + Self.barHeight - 1.5, text,
                                          cls: "value missing", attributes: bar.value.dataAttributes(decimals: decimals)))
                }
                by += Self.barHeight + Self.barGap
            }
            y += groupHeight
        }
        parts.append(Axes.bottom(ticks: ticks, position: { x($0) }, y: y, top: plotTop, label: axisLabel,
                                 text: { format.number($0, decimals: tickDecimals) }, left: Self.left, right: Self.right - Self.valueRoom))
        parts.append(contentsOf: marks)
        return SVG.chart(id: id, width: ChartMetrics.width, height: height, title: title, description: description, parts)
    }
}
