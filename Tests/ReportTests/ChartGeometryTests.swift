import Testing
@testable import Report

/// Where the charts put things: the band, the zero line, the arrival, the bars from 0.
@Suite struct ChartGeometryTests {
    static func figure(_ column: String, _ value: Double?, state: Figure.State? = nil, key: String = "1") -> Figure {
        Figure(source: FigureSource(view: "metrics.test", key: [.init(column: "k", value: key)], column: column),
               raw: value.map { String($0) }, state: state ?? (value == nil ? .suppressed : .value))
    }

    static func point(_ e: Int, _ att: Double, _ lo: Double?, _ hi: Double?) -> EventStudyChart.Point {
        EventStudyChart.Point(eventTime: e, estimate: figure("att", att, key: "\(e)"), low: figure("ci_low", lo, state: lo == nil ? .undefined : nil),
                              high: figure("ci_high", hi, state: hi == nil ? .undefined : nil))
    }

    func eventStudy(_ points: [EventStudyChart.Point]) -> EventStudyChart {
        EventStudyChart(id: "es", title: "Effect", description: "d", points: points, format: NumberFormat(.en), decimals: 1,
                        xLabel: "Quarters", yLabel: "Per 1,000", beforeLabel: "Before", afterLabel: "After",
                        noneShownText: "hidden (fewer than 10)")
    }

    /// With every estimate hidden the plot says so, and draws no zero line that would read as
    /// an effect of zero in every period (a new reader's trial, at a minimum of 10).
    @Test func anEventStudyWithEveryEstimateHiddenSaysSo() {
        let hidden = (-2...2).map { e in
            EventStudyChart.Point(eventTime: e, estimate: Self.figure("att", nil, key: "\(e)"), low: Self.figure("ci_low", nil), high: Self.figure("ci_high", nil))
        }
        let svg = eventStudy(hidden).render().markup
        #expect(svg.contains(">hidden (fewer than 10)</text>") && !svg.contains("class=\"zero\""))
        #expect(!eventStudy([Self.point(0, 2, 1, 3)]).render().markup.contains("hidden (fewer than 10)"))
    }

    @Test func theBandRunsAlongTheUpperEndsAndBackAlongTheLowerOnes() {
        let chart = eventStudy([Self.point(-2, 0.5, -1, 2), Self.point(-1, -0.2, -1.5, 1.1), Self.point(0, 3, 1, 5), Self.point(1, 4, 2, 6)])
        let g = chart.geometry
        #expect(g.band.count == 1)
        let band = g.band[0]
        #expect(band.count == 8)
        #expect(band.map(\.x) == [-2, -1, 0, 1, 1, 0, -1, -2].map { g.x(Double($0)) })
        #expect(band.map(\.y) == [2, 1.1, 5, 6, 2, 1, -1.5, -1].map { g.y($0) })
        // The y axis holds 0 and every interval; the arrival is halfway between −1 and 0.
        #expect(g.y.domain.contains(0) && g.y.domain.contains(6) && g.y.domain.contains(-1.5))
        #expect(abs(g.arrivalX - (g.x(-1) + g.x(0)) / 2) < 1e-9)
        #expect(g.xTicks.contains(0))
        #expect(g.x(-2) > EventStudyChart.plotLeft && g.x(1) < EventStudyChart.plotRight)
    }

    @Test func aMissingIntervalBreaksTheBand() {
        let g = eventStudy([Self.point(-1, 0, -1, 1), Self.point(0, 1, nil, nil), Self.point(1, 2, 1, 3), Self.point(2, 2, 1, 3)]).geometry
        #expect(g.band.count == 2)
        #expect(g.band.map(\.count) == [2, 4])
    }

    @Test func theEventStudyMarksThePeriodsBeforeAndTheZeroLine() {
        let svg = eventStudy([Self.point(-3, 0.1, -1, 1), Self.point(0, 2, 1, 3)]).render().markup
        #expect(svg.contains("class=\"before\""))
        #expect(svg.contains("class=\"zero\""))
        #expect(svg.contains("class=\"band\""))
        #expect(svg.contains("class=\"estimate pre\""))
        #expect(svg.contains("<title>Effect</title>"))
        #expect(svg.contains("aria-label=\"Effect\""))
    }

    @Test func aForestPlotAxisHoldsEveryIntervalAndTheReference() {
        let rows = [ForestPlot.Row(label: "a", estimate: Self.figure("e", 2.05), low: Self.figure("l", 1.85), high: Self.figure("h", 2.28))]
        let ratio = ForestPlot.position(ForestPlot.Panel(title: nil, axis: .ratio, axisLabel: "RR", decimals: 2, rows: rows))
        #expect(ratio.place(1) >= ForestPlot.left && ratio.place(2.28) <= ForestPlot.right)
        #expect(ratio.place(1) < ratio.place(1.85))
        #expect(ratio.ticks.contains(1))
        let diffRows = [ForestPlot.Row(label: "b", estimate: Self.figure("e", -7), low: Self.figure("l", -9.8), high: Self.figure("h", -4.2))]
        let diff = ForestPlot.position(ForestPlot.Panel(title: nil, axis: .difference, axisLabel: "months", decimals: 1, rows: diffRows))
        #expect(diff.ticks.first == -10 && diff.ticks.last == 0)
        #expect(diff.place(-10) >= ForestPlot.left && diff.place(0) <= ForestPlot.right)
    }

    /// A rate ratio of 0 (no treatment child had the event) has no place on a log axis: it is
    /// written out, and the axis is drawn for the others as if it were not there.
    @Test func aRatioOfZeroIsWrittenOutNotPlaced() {
        let rows = [ForestPlot.Row(label: "a", estimate: Self.figure("e", 2.05), low: Self.figure("l", 1.85), high: Self.figure("h", 2.28)),
                    ForestPlot.Row(label: "none", estimate: Self.figure("e", 0), low: Self.figure("l", nil), high: Self.figure("h", nil))]
        let panel = ForestPlot.Panel(title: nil, axis: .ratio, axisLabel: "RR", decimals: 2, rows: rows)
        #expect(ForestPlot.position(panel).ticks.allSatisfy { $0 >= 0.5 })
        let svg = ForestPlot(id: "f", title: "t", description: "d", panels: [panel], format: NumberFormat(.en),
                             suppressedText: "fewer than 5", undefinedText: "–").render().markup
        #expect(svg.contains(">0.00</text>"))
        #expect(svg.components(separatedBy: "class=\"estimate\"").count == 2, "one point drawn")
        #expect(!svg.contains("nan") && !svg.contains("inf"))
    }

    @Test func aSuppressedRowIsWrittenOutNotDrawnAsAValue() {
        let rows = [ForestPlot.Row(label: "hidden", estimate: Self.figure("e", nil), low: Self.figure("l", nil), high: Self.figure("h", nil))]
        let svg = ForestPlot(id: "f", title: "t", description: "d", panels: [ForestPlot.Panel(title: nil, axis: .ratio, axisLabel: "RR", decimals: 2, rows: rows)],
                             format: NumberFormat(.en), suppressedText: "fewer than 5", undefinedText: "cannot be computed").render().markup
        #expect(svg.contains(">fewer than 5</text>"))
        #expect(!svg.contains("class=\"estimate\""))
    }

    /// A row's words fit inside the drawing whichever end the reference line is near ("Kan ikke
    /// beregnes (ingen hændelser)" was cut at the left edge, a review), and so do the axis's
    /// end figures ("−1.500").
    @Test func wordsInPlaceOfARowAndTheAxisFiguresStayInTheDrawing() throws {
        let text = "Kan ikke beregnes (ingen hændelser)"
        for (e, lo, hi) in [(-1400.0, -1500.0, -1300.0), (1400, 1300, 1500), (-10, -1490, 1490)] {
            let rows = [ForestPlot.Row(label: "a", estimate: Self.figure("e", e), low: Self.figure("l", lo), high: Self.figure("h", hi)),
                        ForestPlot.Row(label: "b", estimate: Self.figure("e", nil), low: Self.figure("l", nil), high: Self.figure("h", nil))]
            let panel = ForestPlot.Panel(title: nil, axis: .difference, axisLabel: "x", decimals: 1, rows: rows)
            let svg = ForestPlot(id: "f", title: "t", description: "d", panels: [panel], format: NumberFormat(.da),
                                 suppressedText: "s", undefinedText: text).render().markup
            // Each text's box, from its x, anchor and estimated width.
            let texts = try Regex(#"<text class="[^"]*" x="([-0-9.]+)" y="[^"]*"(?: text-anchor="(start|middle|end)")?[^>]*>([^<]*)</text>"#)
            #expect(svg.matches(of: texts).count > 5)
            for match in svg.matches(of: texts) {
                let x = Double(String(match.output[1].substring!))!, anchor = match.output[2].substring.map(String.init) ?? "start"
                let body = String(match.output[3].substring!), width = ChartMetrics.textWidth(body, size: ChartMetrics.smallFont)
                let start = anchor == "start" ? x : anchor == "end" ? x - width : x - width / 2
                #expect(start >= 0 && start + width <= ChartMetrics.width, "\(body) at \(x) (\(anchor)), reference near \(e)")
            }
        }
    }

    @Test func barsStartAtZeroAndASuppressedBarIsNotAShortBar() {
        let chart = BarChart(id: "b", title: "t", description: "d",
                             groups: [BarChart.Group(label: "Østerbro", bars: [(style: "treatment", value: Self.figure("r", 43)),
                                                                            (style: "control", value: Self.figure("r", nil))])],
                             legend: [(style: "treatment", name: "Treatment")], format: NumberFormat(.da), decimals: 1, axisLabel: "per 1,000",
                             suppressedText: "færre end 5", undefinedText: "–", absentText: "ingen børn")
        #expect(chart.scale.domain.lowerBound == 0)
        #expect(chart.scale(0) == BarChart.left)
        #expect(chart.scale.domain.contains(43))
        let svg = chart.render().markup
        #expect(svg.contains(">43,0</text>"))
        #expect(svg.contains(">færre end 5</text>"))
        #expect(svg.contains("class=\"bar suppressed control\""))
    }

    @Test func linesStartAtZeroAndASuppressedYearIsMarkedNotDropped() throws {
        let chart = LineChart(id: "l", title: "t", description: "d",
                              series: [LineChart.Series(name: "Treatment", style: "treatment",
                                                        points: [(x: 2012, y: Self.figure("r", 38)), (x: 2013, y: Self.figure("r", nil)), (x: 2014, y: Self.figure("r", 34))])],
                              format: NumberFormat(.en), decimals: 1, yLabel: "per 1,000", suppressedLegend: "fewer than 5")
        let g = chart.geometry
        #expect(g.y.domain.lowerBound == 0)
        #expect(g.y(0) == LineChart.plotBottom)
        #expect(g.xTicks.first == 2012)
        let svg = chart.render().markup
        #expect(svg.contains("class=\"marker suppressed\" cx=\"\(SVG.n(g.x(2013)))\""))
        // Under the axis, outside the plot: no height of it reads as a value (a new reader took
        // one drawn at the plot's top for a high value).
        let point = "class=\"marker suppressed\" cx=\"\(SVG.n(g.x(2013)))\" cy=\""
        let cy = try #require(svg.range(of: point)).upperBound
        let y = Double(svg[cy...].prefix { $0 != "\"" })
        #expect(y.map { $0 > LineChart.plotBottom + 16 } == true, "\(String(describing: y))")
        #expect(chart.chartHeight > LineChart.height)
        #expect(svg.contains(">fewer than 5</text>"))
        // The line breaks at the hidden year: two pieces, each one point.
        #expect(svg.components(separatedBy: "M").count - 1 >= 2)
    }
}

extension ChartGeometryTests {
    @Test func chartsWithNothingToDrawStillHaveARoundAxis() {
        let bars = BarChart(id: "b", title: "t", description: "d",
                            groups: [BarChart.Group(label: "Valby", bars: [(style: "treatment", value: Self.figure("r", nil))])],
                            legend: [], format: NumberFormat(.en), decimals: 1, axisLabel: "x", suppressedText: "s", undefinedText: "u", absentText: "a")
        #expect(bars.scale.domain == 0...1)
        let zeros = BarChart(id: "b", title: "t", description: "d",
                             groups: [BarChart.Group(label: "Valby", bars: [(style: "treatment", value: Self.figure("r", 0))])],
                             legend: [], format: NumberFormat(.en), decimals: 1, axisLabel: "x", suppressedText: "s", undefinedText: "u", absentText: "a")
        #expect(zeros.scale.domain == 0...1)
        let line = LineChart(id: "l", title: "t", description: "d",
                             series: [LineChart.Series(name: "T", style: "treatment", points: [(x: 2012, y: Self.figure("r", nil))])],
                             format: NumberFormat(.en), decimals: 1, yLabel: "y", suppressedLegend: "s")
        #expect(line.geometry.y.domain == 0...1)
    }

    @Test func aHiddenRowNextToAReferenceAtTheRightEdgeIsWrittenLeftOfIt() {
        let rows = [ForestPlot.Row(label: "shown", estimate: Self.figure("e", -7), low: Self.figure("l", -9.8), high: Self.figure("h", -4.2)),
                    ForestPlot.Row(label: "hidden", estimate: Self.figure("e", nil), low: Self.figure("l", nil), high: Self.figure("h", nil))]
        let svg = ForestPlot(id: "f", title: "t", description: "d", panels: [ForestPlot.Panel(title: nil, axis: .difference, axisLabel: "m", decimals: 1, rows: rows)],
                             format: NumberFormat(.en), suppressedText: "fewer than 5", undefinedText: "–").render().markup
        #expect(svg.contains("text-anchor=\"end\" data-view=\"metrics.test\""))
    }

    /// A district's name longer than the chart is cut with "…" and carries its whole text as a
    /// tooltip (the chart's edge cut it mid-word, a review); a short one is as it is.
    @Test func aLongLabelIsCutToTheChartWithItsWholeTextAsATooltip() {
        let long = String(repeating: "Indre By og Christianshavn ", count: 4) + "Vest"
        let svg = BarChart(id: "b", title: "t", description: "d",
                           groups: [BarChart.Group(label: long, bars: [(style: "treatment", value: Self.figure("r", 3))]),
                                    BarChart.Group(label: "Valby", bars: [(style: "treatment", value: Self.figure("r", 4))])],
                           legend: [], format: NumberFormat(.en), decimals: 1, axisLabel: "x", suppressedText: "s", undefinedText: "u",
                           absentText: "a").render().markup
        #expect(svg.contains("<title>\(long)</title>"), "\(svg)")
        let shown = svg.components(separatedBy: "<title>\(long)</title>")[1].prefix { $0 != "<" }
        #expect(shown.hasSuffix("…") && long.hasPrefix(shown.dropLast()) && ChartMetrics.textWidth(String(shown)) <= ChartMetrics.width - BarChart.left)
        #expect(svg.contains(">Valby</text>"))
    }
}
