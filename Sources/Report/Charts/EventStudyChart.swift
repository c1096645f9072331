/// The event study: the estimated effect by periods since the social worker came, with its
/// 95 % interval as a band, the zero line, and the periods before the arrival marked — where
/// an effect of about zero is what parallel trends predict.
package struct EventStudyChart {
    package struct Point {
        package var eventTime: Int
        package var estimate: Figure
        package var low: Figure
        package var high: Figure

        package init(eventTime: Int, estimate: Figure, low: Figure, high: Figure) {
            self.eventTime = eventTime; self.estimate = estimate; self.low = low; self.high = high
        }
    }

    package var id: String
    package var title: String
    package var description: String
    package var points: [Point]
    package var format: NumberFormat
    /// The decimals the figures are shown with (in the table beside the chart).
    package var decimals: Int
    package var xLabel: String
    package var yLabel: String
    package var beforeLabel: String
    package var afterLabel: String
    /// Written across the plot when no estimate is shown ("hidden (fewer than 10)"): an empty
    /// plot's zero line read as an effect of zero in every period (a new reader's trial).
    package var noneShownText: String

    package init(id: String, title: String, description: String, points: [Point], format: NumberFormat, decimals: Int,
                 xLabel: String, yLabel: String, beforeLabel: String, afterLabel: String, noneShownText: String) {
        self.id = id; self.title = title; self.description = description; self.points = points.sorted { $0.eventTime < $1.eventTime }
        self.format = format; self.decimals = decimals; self.xLabel = xLabel; self.yLabel = yLabel; self.beforeLabel = beforeLabel; self.afterLabel = afterLabel
        self.noneShownText = noneShownText
    }

    static let height = 250.0
    static let plotLeft = 44.0, plotRight = ChartMetrics.width - 10, plotTop = 40.0, plotBottom = height - 46

    package struct Geometry {
        package var x: LinearScale
        package var y: LinearScale
        package var xTicks: [Double]
        package var yTicks: [Double]
        /// The band of the intervals: one closed path per run of event times with an interval.
        package var band: [[(x: Double, y: Double)]]
        /// Where the periods before the arrival end (between event times −1 and 0).
        package var arrivalX: Double
    }

    package var geometry: Geometry {
        let times = points.map { Double($0.eventTime) }
        let lo = (times.min() ?? -1) - 0.5, hi = (times.max() ?? 1) + 0.5
        let x = LinearScale(domain: min(lo, -0.5)...max(hi, 0.5), range: (Self.plotLeft + 4, Self.plotRight - 4))
        let values = points.flatMap { [$0.estimate.value, $0.low.value, $0.high.value] }.compactMap { $0 }
        let yDomain = Ticks.niceDomain(min(values.min() ?? -1, 0), max(values.max() ?? 1, 0), count: 5)
        let y = LinearScale(domain: yDomain, range: (Self.plotBottom, Self.plotTop))
        // Whole periods only, at a round step, always through 0.
        let step = max(1, Ticks.step(x.domain.lowerBound, x.domain.upperBound, count: 8).rounded())
        let xTicks = stride(from: (x.domain.lowerBound / step).rounded(.up) * step, through: x.domain.upperBound, by: step).map { $0 }
        var band: [[(x: Double, y: Double)]] = [], run: [Point] = []
        func close() {
            guard !run.isEmpty else { return }
            band.append(run.map { (x(Double($0.eventTime)), y($0.high.value!)) }
                        + run.reversed().map { (x(Double($0.eventTime)), y($0.low.value!)) })
            run = []
        }
        for p in points {
            if p.low.value != nil, p.high.value != nil { run.append(p) } else { close() }
        }
        close()
        return Geometry(x: x, y: y, xTicks: xTicks, yTicks: Ticks.linear(yDomain, count: 5), band: band, arrivalX: x(-0.5))
    }

    package func render() -> HTML {
        let g = geometry
        let yDecimals = Ticks.decimals(for: g.yTicks.count > 1 ? g.yTicks[1] - g.yTicks[0] : 1)
        var parts: [HTML] = [
            SVG.rect(Self.plotLeft, Self.plotTop, g.arrivalX - Self.plotLeft, Self.plotBottom - Self.plotTop, cls: "before"),
            SVG.text(g.arrivalX - 6, Self.plotTop - 6, beforeLabel, cls: "region-label", anchor: .end),
            SVG.text(g.arrivalX + 6, Self.plotTop - 6, afterLabel, cls: "region-label"),
            Axes.left(ticks: g.yTicks, position: { g.y($0) }, x: Self.plotLeft, right: Self.plotRight, label: yLabel,
                      labelY: 12, text: { format.number($0, decimals: yDecimals) }),
            Axes.bottom(ticks: g.xTicks, position: { g.x($0) }, y: Self.plotBottom, top: Self.plotTop, label: xLabel,
                        text: { format.number($0, decimals: 0) }, left: Self.plotLeft, right: Self.plotRight),
        ]
        for piece in g.band {
            let d = SVG.polyline(piece.map { Optional(($0.x, $0.y)) }) + "Z"
            parts.append(SVG.path(d, cls: "band"))
        }
        if points.allSatisfy({ $0.estimate.value == nil }) {
            parts.append(SVG.text((Self.plotLeft + Self.plotRight) / 2, Self.plotTop + 24, noneShownText, cls: "missing", anchor: .middle))
        } else {
            parts.append(SVG.line(Self.plotLeft, g.y(0), Self.plotRight, g.y(0), cls: "zero"))
        }
        parts.append(SVG.line(g.arrivalX, Self.plotTop, g.arrivalX, Self.plotBottom, cls: "arrival"))
        parts.append(SVG.path(SVG.polyline(points.map { p in p.estimate.value.map { (g.x(Double(p.eventTime)), g.y($0)) } }), cls: "series"))
        for p in points {
            let cx = g.x(Double(p.eventTime))
            // The interval's ends as invisible marks: they carry the figures the band is drawn from.
            for end in [p.low, p.high] {
                if let v = end.value { parts.append(SVG.circle(cx, g.y(v), r: 0.5, cls: "band-end", attributes: end.dataAttributes(decimals: decimals))) }
            }
            if let v = p.estimate.value {
                parts.append(SVG.circle(cx, g.y(v), r: 3, cls: p.eventTime < 0 ? "estimate pre" : "estimate",
                                        attributes: p.estimate.dataAttributes(decimals: decimals)))
            }
        }
        return SVG.chart(id: id, width: ChartMetrics.width, height: Self.height, title: title, description: description, parts)
    }
}
