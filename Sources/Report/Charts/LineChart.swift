/// Figures by year, one line per cohort, the axis from 0. A suppressed year breaks its line
/// and gets a hollow marker in a strip under the axis, one row per cohort ("<5" in the
/// legend, the run's minimum): outside the plot, it cannot be read as a value, low or high
/// (drawn at the plot's top, a new reader took one for a high value beside a real one).
package struct LineChart {
    package struct Series {
        package var name: String
        /// `treatment` or `control`: the colour, marker and dash of the line.
        package var style: String
        package var points: [(x: Int, y: Figure)]

        package init(name: String, style: String, points: [(x: Int, y: Figure)]) {
            self.name = name; self.style = style; self.points = points
        }
    }

    package var id: String
    package var title: String
    package var description: String
    package var series: [Series]
    package var format: NumberFormat
    /// The decimals the figures are shown with (in the table beside the chart).
    package var decimals: Int
    package var yLabel: String
    /// The legend's words for a suppressed point ("fewer than 5").
    package var suppressedLegend: String

    package init(id: String, title: String, description: String, series: [Series], format: NumberFormat, decimals: Int,
                 yLabel: String, suppressedLegend: String) {
        self.id = id; self.title = title; self.description = description; self.series = series
        self.format = format; self.decimals = decimals; self.yLabel = yLabel; self.suppressedLegend = suppressedLegend
    }

    static let height = 240.0
    static let plotLeft = 40.0, plotRight = ChartMetrics.width - 12, plotTop = 50.0, plotBottom = height - 26
    /// The strip of hidden points under the axis's year labels: one row a cohort.
    static let hiddenRowsTop = height + 6, hiddenRowHeight = 10.0

    var anySuppressed: Bool { series.contains { $0.points.contains { $0.y.isSuppressed } } }
    var chartHeight: Double { anySuppressed ? Self.hiddenRowsTop + Double(series.count) * Self.hiddenRowHeight : Self.height }

    package struct Geometry {
        package var x: LinearScale
        package var y: LinearScale
        package var xTicks: [Double]
        package var yTicks: [Double]
    }

    package var geometry: Geometry {
        let xs = series.flatMap { $0.points.map { Double($0.x) } }
        let x = LinearScale(domain: (xs.min() ?? 0)...(xs.max() ?? 1), range: (Self.plotLeft + 8, Self.plotRight - 8))
        let values = series.flatMap { $0.points.compactMap { $0.y.value } }
        let top = values.max() ?? 1
        let domain = Ticks.niceDomain(0, top > 0 ? top : 1, count: 4)
        let y = LinearScale(domain: domain, range: (Self.plotBottom, Self.plotTop))
        let step = max(1, Ticks.step(x.domain.lowerBound, x.domain.upperBound, count: 7).rounded())
        let xTicks = stride(from: (x.domain.lowerBound / step).rounded(.up) * step, through: x.domain.upperBound, by: step).map { $0 }
        return Geometry(x: x, y: y, xTicks: xTicks, yTicks: Ticks.linear(domain, count: 4))
    }

    package func render() -> HTML {
        let g = geometry
        let yDecimals = Ticks.decimals(for: g.yTicks.count > 1 ? g.yTicks[1] - g.yTicks[0] : 1)
        var parts: [HTML] = [
            Axes.left(ticks: g.yTicks, position: { g.y($0) }, x: Self.plotLeft, right: Self.plotRight, label: yLabel,
                      labelY: 12, text: { format.number($0, decimals: yDecimals) }),
            Axes.bottom(ticks: g.xTicks, position: { g.x($0) }, y: Self.plotBottom, top: Self.plotTop, label: nil,
                        text: { String(Int($0)) }, left: Self.plotLeft, right: Self.plotRight),
        ]
        // The legend, on one line under the unit: marker and name per series, then what "<5" means.
        var lx = 0.0
        for s in series {
            parts.append(SVG.line(lx, 28, lx + 18, 28, cls: "series \(s.style)"))
            parts.append(marker(s.style, lx + 9, 28, attributes: []))
            parts.append(SVG.text(lx + 24, 32, s.name, cls: "legend"))
            lx += 24 + ChartMetrics.textWidth(s.name, size: ChartMetrics.smallFont) + 14
        }
        if anySuppressed {
            // Each cohort's hollow marker, as the strip under the axis draws them.
            for (k, s) in series.enumerated() { parts.append(marker(s.style, lx + 4 + Double(k) * 9, 28, cls: "marker suppressed", attributes: [])) }
            parts.append(SVG.text(lx + 4 + Double(series.count) * 9, 32, suppressedLegend, cls: "legend missing"))
        }
        for (index, s) in series.enumerated() {
            parts.append(SVG.path(SVG.polyline(s.points.map { p in p.y.value.map { (g.x(Double(p.x)), g.y($0)) } }), cls: "series \(s.style)"))
            for p in s.points {
                let cx = g.x(Double(p.x))
                if let v = p.y.value {
                    parts.append(marker(s.style, cx, g.y(v), attributes: p.y.dataAttributes(decimals: decimals)))
                } else if p.y.isSuppressed {
                    parts.append(marker(s.style, cx, Self.hiddenRowsTop + (Double(index) + 0.5) * Self.hiddenRowHeight - 4,
                                        cls: "marker suppressed", attributes: p.y.dataAttributes(decimals: decimals)))
                }
            }
        }
        return SVG.chart(id: id, width: ChartMetrics.width, height: chartHeight, title: title, description: description, parts)
    }

    private func marker(_ style: String, _ x: Double, _ y: Double, cls: String? = nil, attributes: [(String, String?)]) -> HTML {
        style == "control" ? SVG.square(x, y, r: 3.2, cls: cls ?? "marker \(style)", attributes: attributes)
                           : SVG.circle(x, y, r: 3.6, cls: cls ?? "marker \(style)", attributes: attributes)
    }
}
