import Pipeline

/// 2a. The estimates: the scheme's effect (difference-in-differences), the event study, and
/// the naive comparison of the cohorts.
extension ReportDocument {
    func figures() -> HTML {
        var blocks: [HTML] = []
        if data.did != nil { blocks.append(effects().render()) }
        blocks.append(comparisons().render())
        if data.did != nil { blocks += Outcome.allCases.map { eventStudy($0).render() } }
        blocks += Outcome.allCases.map { byYear($0).render() }
        blocks += Outcome.allCases.map { byDistrict($0).render() }
        blocks.append(ages().render())
        blocks.append(shares())
        return section("figures", page.words.html(.figuresHeading), content: blocks)
    }

    func didRow(_ outcome: Outcome, _ group: EvaluationControlGroup, _ aggregation: String = "simple") -> ViewRow? {
        data.did?.summary.first { $0.key("metric") == outcome.didMetric && $0.key("control_group") == group.rawValue
            && $0.key("aggregation") == aggregation }
    }

    /// Whether `group`'s estimation was made (`metrics.did_status`), its figures shown or hidden.
    func estimated(_ group: EvaluationControlGroup) -> Bool {
        data.did?.status.first { $0.key("metric") == Outcome.detection.didMetric && $0.key("control_group") == group.rawValue }?
            .values["estimated"] ?? nil == "t"
    }

    /// The treated institutions of an estimation made on fewer than the small-cell minimum, whose
    /// figures `metrics.did_summary` hides (the overall effect gave a hidden count back, a review).
    func tooFew(_ group: EvaluationControlGroup) -> Int? {
        guard estimated(group), let treated = didRow(.detection, group)?.figure("institutions_treated", basis: []).value,
              Int(treated) < page.minimum else { return nil }
        return Int(treated)
    }

    /// A figure of a row that may be missing: `absent` then, named by the key it would have.
    func figure(_ row: ViewRow?, _ column: String, view: String, key: [(String, String?)], basis: [String]? = nil) -> Figure {
        row?.figure(column, basis: basis)
            ?? .absent(view, key: key.map { FigureSource.KeyValue(column: $0.0, value: $0.1) }, column: column)
    }

    /// The effect on each outcome, against each control group.
    func effects() -> FigureBlock {
        let words = page.words, decimals = effectDecimals
        // NULL here is an estimate not made (metrics.did_status), or one hidden (`tooFew`).
        func f(_ o: Outcome, _ g: EvaluationControlGroup, _ c: String) -> Figure {
            var shown = figure(didRow(o, g), c, view: "metrics.did_summary", key: [("metric", o.didMetric), ("control_group", g.rawValue), ("aggregation", "simple")],
                               basis: [])
            if shown.state == .undefined, tooFew(g) != nil { shown.state = .suppressed }
            return shown
        }
        let groups = [lead] + EvaluationControlGroup.allCases.filter { $0 != lead }
        let panels = groups.map { g in
            ForestPlot.Panel(title: words.text(against(g)), axis: .difference,
                             axisLabel: words.text(.effectAxis), decimals: decimals,
                             rows: Outcome.allCases.map { o in
                                 ForestPlot.Row(label: words.text(o.short), estimate: f(o, g, "att"), low: f(o, g, "ci_low"), high: f(o, g, "ci_high"))
                             })
        }
        var rows: [[HTML]] = [], groupRows: [Int: HTML] = [:]
        for g in groups {
            groupRows[rows.count] = .text(words.text(against(g)))
            for o in Outcome.allCases {
                rows.append([.text(words.text(o.short)),
                             page.estimate(f(o, g, "att"), f(o, g, "ci_low"), f(o, g, "ci_high"), decimals: decimals, signed: true),
                             page.figure(f(o, g, "pre_treatment_mean"), decimals: 1)])
            }
        }
        // The reading: which effects the interval tells apart from none (against the lead group), and
        // which have no interval (an estimate all the same: "all three" was said of two, a review).
        var clear: [String] = [], unclear: [String] = [], noInterval: [String] = []
        for o in Outcome.allCases where f(o, lead, "att").value != nil {
            let name = words.text(o.short).lowercased()
            guard let lo = f(o, lead, "ci_low").value, let hi = f(o, lead, "ci_high").value else { noInterval.append(name); continue }
            if lo > 0 || hi < 0 { clear.append(name) } else { unclear.append(name) }
        }
        let noneEstimated = clear.isEmpty && unclear.isEmpty && noInterval.isEmpty
        func name(_ g: EvaluationControlGroup) -> String { words.text(against(g)) }
        let made = groups.filter(estimated), leadHidden = tooFew(lead) != nil
        // The reading is of the lead group's effects: named, as the table below shows the other's too (a review).
        var parts: [HTML] = []
        if !noneEstimated {
            parts.append(.text(name(lead) + ": ") + intervalReading(clear: clear, unclear: unclear, noInterval: noInterval))
        } else if !leadHidden {
            let other = made.first { $0 != lead }
            parts.append(emptyCohortText(short: true) ?? (other.map {
                words.html(.effectsLeadNotEstimated, ["lead": .text(name(lead)), "why": whyNotEstimated(lead), "other": .text(name($0).lowercased())])
            } ?? words.html(.effectsNotEstimated, ["why": whyNotEstimated(lead)])))
        }
        // The other group not estimated is said why: its empty rows read "cannot be computed (no events)" (a review).
        let notEstimated = groups.filter { !estimated($0) }
        if !noneEstimated || leadHidden {
            for g in notEstimated {
                parts.append(words.html(.effectsOtherNotEstimated, ["group": .text(name(g)), "why": whyNotEstimated(g)]))
            }
        }
        // Estimates on fewer treated institutions than the small-cell minimum are hidden, and said
        // to be too few, as the answer says of the lead one.
        for g in made {
            guard let treated = tooFew(g) else { continue }
            parts.append(words.html(.effectsTooFew, ["group": .text(name(g)), "treated": page.institutions(treated),
                                                     "n": .text(page.format.integer(page.minimum))]))
        }
        let reading = HTML.join(parts, separator: " ")
        let title = words.text(.effectsTitle)
        return FigureBlock(
            id: "effects", title: title, reading: reading,
            // Nothing estimated is no "cannot be computed (no events)".
            chart: ForestPlot(id: "chart-effects", title: title, description: plain(reading), panels: panels, format: page.format,
                              suppressedText: page.suppressed,
                              undefinedText: noneEstimated || !notEstimated.isEmpty ? words.text(.eventNotEstimated) : page.undefined).render(),
            table: HTMLTable(caption: nil, header: [words.html(.outcomeColumn), page.estimateHeader(.effectColumn), words.html(.levelBeforeColumn)],
                         rows: rows, groupRows: groupRows).render(),
            note: words.html(.effectsNote))
    }

    /// What the lead group's intervals tell: "all three" and "none of the three" only when all three have one.
    func intervalReading(clear: [String], unclear: [String], noInterval: [String]) -> HTML {
        let words = page.words
        // "All three" and "none of the three" only of all three outcomes.
        let all = Outcome.allCases.count
        let told = clear.isEmpty && unclear.isEmpty ? nil
            : clear.count == all ? words.html(.effectsReadingAll) : unclear.count == all ? words.html(.effectsReadingNone)
            : clear.isEmpty ? words.html(.effectsReadingNotFor, ["unclear": .text(list(unclear))])
            : unclear.isEmpty ? words.html(.effectsReadingFor, ["clear": .text(list(clear))])
            : words.html(.effectsReading, ["clear": .text(list(clear)), "unclear": .text(list(unclear))])
        let none = noInterval.isEmpty ? nil : words.html(.effectsReadingNoInterval, ["outcomes": .text(list(noInterval))])
        return HTML.join([told, none].compactMap { $0 }, separator: " ")
    }

    /// The five comparisons of `metrics.cohort_comparison`, as a forest plot in two panels.
    func comparisons() -> FigureBlock {
        let words = page.words
        func row(_ name: String) -> ViewRow? { data.comparison.first { $0.key("comparison") == name } }
        // A side rests on its own count; the estimate and its interval on both.
        func f(_ name: String, _ c: String) -> Figure {
            let basis = ["treatment": ["treatment_count"], "control": ["control_count"]][c] ?? ["treatment_count", "control_count"]
            return figure(row(name), c, view: "metrics.cohort_comparison", key: [("comparison", name)], basis: basis)
        }
        let ratios = Outcome.allCases.map { ($0, $0.rate) }
        let ages = Outcome.allCases.compactMap { o in o.meanAge.map { (o, $0) } }
        let panels = [
            ForestPlot.Panel(title: words.text(.rateRatioPanel), axis: .ratio, axisLabel: words.text(.rateRatioAxis), decimals: 2,
                             rows: ratios.map { ForestPlot.Row(label: words.text($0.0.short), estimate: f($0.1, "estimate"),
                                                                low: f($0.1, "ci_low"), high: f($0.1, "ci_high")) }),
            ForestPlot.Panel(title: words.text(.ageDifferencePanel), axis: .difference, axisLabel: words.text(.monthsAxis), decimals: 1,
                             rows: ages.map { ForestPlot.Row(label: words.text($0.0.short), estimate: f($0.1, "estimate"),
                                                              low: f($0.1, "ci_low"), high: f($0.1, "ci_high")) }),
        ]
        var rows: [[HTML]] = [], groupRows: [Int: HTML] = [:]
        groupRows[0] = .text(words.text(.rateRatioPanel))
        for (o, name) in ratios {
            rows.append([.text(words.text(o.short)), page.figure(f(name, "treatment"), decimals: 1), page.figure(f(name, "control"), decimals: 1),
                         page.estimate(f(name, "estimate"), f(name, "ci_low"), f(name, "ci_high"), decimals: 2)])
        }
        groupRows[rows.count] = .text(words.text(.ageDifferencePanel))
        for (o, name) in ages {
            rows.append([.text(words.text(o.short)), page.figure(f(name, "treatment"), decimals: 1), page.figure(f(name, "control"), decimals: 1),
                         page.estimate(f(name, "estimate"), f(name, "ci_low"), f(name, "ci_high"), decimals: 1, signed: true)])
        }
        // Of the intervals shown: "0 of the 5 intervals rule out…" read wrong when all 5 were hidden (a review).
        let all = ratios + ages
        let intervals = all.compactMap { o, name -> (lo: Double, hi: Double, none: Double)? in
            guard let lo = f(name, "ci_low").value, let hi = f(name, "ci_high").value else { return nil }
            return (lo, hi, o.meanAge == name ? 0 : 1)
        }
        let excluding = intervals.filter { $0.lo > $0.none || $0.hi < $0.none }.count
        let hidden = intervals.isEmpty && all.contains { f($0.1, "estimate").isSuppressed }
        // No interval at all is no "0 of the 0 intervals" (a review).
        let reading = emptyCohortText(short: true)
            ?? (hidden ? words.html(.comparisonsHidden, ["n": .text(page.format.integer(page.minimum))])
                : intervals.isEmpty ? words.html(.comparisonsNoIntervals)
                : words.html(.comparisonsReading, ["k": .text(page.format.integer(excluding)), "n": .text(page.format.integer(intervals.count))]))
        let title = words.text(.comparisonsTitle)
        return FigureBlock(
            id: "comparisons", title: title, reading: reading,
            chart: ForestPlot(id: "chart-comparisons", title: title, description: plain(reading), panels: panels, format: page.format,
                              suppressedText: page.suppressed, undefinedText: emptyCohort == nil ? page.undefined : page.absent).render(),
            table: HTMLTable(caption: nil, header: [words.html(.comparisonColumn), words.html(.treatmentColumn), words.html(.controlColumn),
                                                page.estimateHeader(.estimateColumn)],
                         rows: rows, groupRows: groupRows).render(),
            // Why they are no estimates of the effect, where there is a comparison to read so.
            note: words.html(.comparisonsUnits) + (emptyCohort == nil ? .text(" ") + words.html(.comparisonsNote) : .empty), wide: true)
    }

    /// The event study of one outcome against `shownGroup`, over the window the
    /// committee can judge: `eventWindow` periods before the arrival to `eventWindow.after` after.
    func eventStudy(_ outcome: Outcome) -> FigureBlock {
        let words = page.words, decimals = effectDecimals
        let points = eventPoints(outcome)
        let trend = preTrend(points)
        let group = shownGroup
        let post = didRow(outcome, group, "dynamic")
        var postFigure = figure(post, "att", view: "metrics.did_summary",
                                key: [("metric", outcome.didMetric), ("control_group", group.rawValue), ("aggregation", "dynamic")], basis: [])
        if postFigure.state == .undefined, tooFew(group) != nil { postFigure.state = .suppressed }   // hidden by the view
        let after = page.figure(postFigure, decimals: decimals, signed: true)
        // One check before is said of one estimate; with none shown there is no "0 of 0" to read.
        let hidden = trendHidden(trend)
        let reading: HTML
        // Nothing estimated: no "0 quarters before to 0 after" to read (a new user's trial).
        let estimated = !points.isEmpty || postFigure.value != nil
        if !estimated {
            reading = emptyCohortText(short: true) ?? words.html(.eventNotEstimated)
        } else if let single = singleTrend(trend) {
            reading = single + .text(" ") + words.html(.eventAfter, ["after": after]) + (hidden.map { .text(" ") + $0 } ?? .text(""))
        } else if trend.shown > 0 {
            reading = words.html(.eventReading, ["k": .text(page.format.integer(trend.covering)), "n": .text(page.format.integer(trend.shown)),
                                                 "span": lastPeriods(trend.periods), "after": after])
                + (trend.needsCaution ? .text(" ") + words.html(.trendCaution) : .text(""))
                + (hidden.map { .text(" ") + $0 } ?? .text(""))
        } else {
            reading = (hidden.map { $0 + .text(" ") } ?? .text("")) + words.html(.eventAfter, ["after": after])
        }
        let unit = periodWords
        let before = -(points.first.map { min($0.eventTime, 0) } ?? 0)
        let title = words.text(.eventTitle, ["outcome": words.text(outcome.short)])
        let table = HTMLTable(caption: nil, header: [.text(unit.column), words.html(.effectColumn), words.html(.intervalColumn)],
                          rows: points.map { p in
                              [.text(p.eventTime > 0 ? "+\(p.eventTime)" : page.format.integer(p.eventTime)),
                               page.figure(p.estimate, decimals: decimals, signed: true), page.interval(p.low, p.high, decimals: decimals)]
                          }, cls: "numbers long")
        return FigureBlock(
            id: "event-\(outcome.rawValue)", title: title, reading: reading,
            chart: EventStudyChart(id: "chart-event-\(outcome.rawValue)", title: title, description: plain(reading), points: points,
                                   format: page.format, decimals: decimals, xLabel: unit.axis, yLabel: words.text(.effectAxis),
                                   beforeLabel: words.text(.before), afterLabel: words.text(.after),
                                   noneShownText: points.contains { $0.estimate.isSuppressed } ? page.suppressedCell
                                       : estimated ? page.undefined : words.text(.eventNotEstimated)).render(),
            table: table.render(),
            // The periods the estimates reach (a short panel has fewer than the window).
            note: !estimated ? nil : words.html(.eventNote, ["before": .text(page.format.integer(before)),
                                          "after": .text(page.format.integer(points.last.map { max($0.eventTime, 0) } ?? 0)),
                                          "unit": .text(unit.count(before)), "against": words.html(against(group))]))
    }

    /// The event study of one outcome against `shownGroup`, over `eventWindow`.
    func eventPoints(_ outcome: Outcome) -> [EventStudyChart.Point] {
        let group = shownGroup
        let rows = (data.did?.eventStudy ?? []).filter {
            $0.key("metric") == outcome.didMetric && $0.key("control_group") == group.rawValue
        }
        let window = eventWindow
        let shown = rows.compactMap { r in Int(r.key("event_time") ?? "").map { (e: $0, row: r) } }
            .filter { window.contains($0.e) }.sorted { $0.e < $1.e }
        // NULL: hidden (fewer treated institutions than the minimum); an interval without an estimate's se: not computable.
        return shown.map { EventStudyChart.Point(eventTime: $0.e, estimate: $0.row.figure("att"), low: $0.row.figure("ci_low", basis: ["att"]),
                                                 high: $0.row.figure("ci_high", basis: ["att"])) }
    }

    /// The checks of parallel trends over the periods before the arrival that the report shows
    /// (`eventWindow`; earlier ones rest on fewer institutions): of the estimates with an
    /// interval, how many cover zero; and how many are hidden (too few institutions), which
    /// are not judged. One without an interval (no standard error) is neither.
    struct PreTrend {
        var covering: Int, shown: Int, hidden: Int
        /// The periods before that the window shows, judged or not.
        var periods: Int
        /// At 95 %, one period in twenty lies outside by chance: one of five or more is no sign; more is.
        var needsCaution: Bool { covering < shown && !(covering == shown - 1 && shown >= 5) }
    }

    func preTrend(_ points: [EventStudyChart.Point]) -> PreTrend {
        let pre = points.filter { $0.eventTime < 0 }
        let judged = pre.compactMap { p in p.low.value.flatMap { low in p.high.value.map { (low, $0) } } }
        return PreTrend(covering: judged.filter { $0.0 <= 0 && 0 <= $0.1 }.count, shown: judged.count,
                        hidden: pre.count { $0.estimate.isSuppressed }, periods: pre.count)
    }

    /// The one check before, when the window shows one (said of one estimate); nil otherwise.
    func singleTrend(_ trend: PreTrend) -> HTML? {
        guard trend.shown == 1 else { return nil }
        let within = trend.covering == 1
        return page.words.html(within ? .trendSingleIn : .trendSingleOut, ["span": lastPeriods(trend.periods)])
            + (within ? .text("") : .text(" ") + page.words.html(.trendCaution))
    }

    /// What the hidden checks of parallel trends leave unjudged; nil when none is hidden.
    func trendHidden(_ trend: PreTrend) -> HTML? {
        guard trend.hidden > 0 else { return nil }
        let phrase: Phrase = trend.shown == 0 ? (trend.hidden == 1 ? .trendAllHiddenOne : .trendAllHidden)
            : trend.hidden == 1 ? .trendHiddenOne : .trendHidden
        return page.words.html(phrase,
                               ["h": .text(page.format.integer(trend.hidden)), "n": .text(page.format.integer(page.minimum))])
    }

    /// The period of the panel, from the views (`period_length`: quarter, half_year or year).
    var periodLength: String {
        data.did?.summary.first.flatMap { $0.values["period_length"] ?? nil } ?? "quarter"
    }

    /// Two years before the arrival to three after, in periods.
    var eventWindow: ClosedRange<Int> {
        switch periodLength {
        case "year": -2...3
        case "half_year": -4...6
        default: -8...12
        }
    }

    /// The words for the panel's period: a column's and an axis's, and `count` of them.
    var periodWords: (column: String, axis: String, count: (Int) -> String) {
        let words = page.words
        let (column, axis, one, many): (Phrase, Phrase, Phrase, Phrase) = switch periodLength {
        case "year": (.yearsColumn, .yearsAxis, .yearSingular, .yearsPlural)
        case "half_year": (.halfYearsColumn, .halfYearsAxis, .halfYearSingular, .halfYearsPlural)
        default: (.quartersColumn, .quartersAxis, .quarterSingular, .quartersPlural)
        }
        return (words.text(column), words.text(axis), { words.text($0 == 1 ? one : many) })
    }

    /// "the 8 quarters" / "the quarter" (just before the arrival).
    func lastPeriods(_ count: Int) -> HTML {
        page.words.html(count == 1 ? .lastPeriod : .lastPeriods,
                        ["w": .text(page.format.integer(count)), "unit": .text(periodWords.count(count))])
    }

    /// "a, b and c" / "a, b og c".
    func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " " + page.words.text(.and) + " " + items.last!
    }

    /// The text of a fragment without its markup: a chart's description for screen readers.
    func plain(_ html: HTML) -> String {
        var out = "", inTag = false
        for c in html.markup {
            if c == "<" { inTag = true } else if c == ">" { inTag = false } else if !inTag { out.append(c) }
        }
        return out.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
    }
}
