/// 2b. The cohorts described: rates by year and by district, ages at the first investigation
/// and the first measure. Comparisons, not effects; the page says so.
extension ReportDocument {
    /// A cohort's rate of `outcome` in rows keyed by `by` (year, district), or `absent` when the
    /// view has no such row (no child of that cohort there). A rate is hidden with its count or
    /// with its children (`children_exposed`): "cannot be computed (no events)" was said of a rate
    /// hidden by too few children (a review).
    func cohortRate(_ rows: [ViewRow], view: String, by: String, _ value: String, _ cohort: Cohort, _ outcome: Outcome) -> Figure {
        // Keys as exact text, as the views group them: a String takes `Å` and `A` + ring for one.
        let row = rows.first { $0.key(by)?.utf8.elementsEqual(value.utf8) == true && $0.key("cohort") == cohort.rawValue }
        return figure(row, outcome.rate, view: view, key: [(by, value), ("cohort", cohort.rawValue)], basis: [outcome.count, "children_exposed"])
    }

    /// " 13 more years are not compared: …" after "in 2 of 2 years", which read as all of
    /// them (a new reader's trial); nothing when every one was compared.
    func notCompared(_ m: Int, one: Phrase, many: Phrase) -> HTML {
        guard m > 0 else { return .text("") }
        return .text(" ") + page.words.html(m == 1 ? one : many, ["m": .text(page.format.integer(m)), "min": .text(page.format.integer(page.minimum))])
    }

    func byYear(_ outcome: Outcome) -> FigureBlock {
        let words = page.words, view = "metrics.cohort_summary_by_year"
        // Every year from the first to the last: one without a child enrolled has no row, and the
        // lines ran straight across it (a review); now it is a gap, and a row of "–".
        let shown = data.byYear.compactMap { $0.key("year").flatMap { Int($0) } }
        let years = (shown.min().map { $0...(shown.max() ?? $0) }.map(Array.init) ?? []).map(String.init)
        func f(_ y: String, _ c: Cohort) -> Figure { cohortRate(data.byYear, view: view, by: "year", y, c, outcome) }
        let series = Cohort.allCases.map { c in
            LineChart.Series(name: words.text(c.name), style: c.rawValue, points: years.compactMap { y in Int(y).map { (x: $0, y: f(y, c)) } })
        }
        let compared = years.compactMap { y -> Bool? in
            guard let t = f(y, .treatment).value, let c = f(y, .control).value else { return nil }
            return t > c
        }
        let reading = compared.isEmpty ? emptyCohortText(short: true) ?? words.html(.yearsHidden, ["n": .text(page.format.integer(page.minimum))])
            : words.html(compared.count == 1 ? .yearReadingOne : .yearReading, ["k": .text(page.format.integer(compared.filter { $0 }.count)), "n": .text(page.format.integer(compared.count))])
                + notCompared(years.count - compared.count, one: .yearNotCompared, many: .yearsNotCompared)
        let title = words.text(.yearTitle, ["outcome": words.text(outcome.short)])
        return FigureBlock(
            id: "year-\(outcome.rawValue)", title: title, reading: reading,
            chart: LineChart(id: "chart-year-\(outcome.rawValue)", title: title, description: plain(reading), series: series, format: page.format, decimals: 1,
                             yLabel: words.text(.rateAxis), suppressedLegend: page.suppressed).render(),
            table: HTMLTable(caption: nil, header: [words.html(.yearColumn), words.html(.treatmentColumn), words.html(.controlColumn)],
                         rows: years.map { y in [.text(y), page.figure(f(y, .treatment), decimals: 1), page.figure(f(y, .control), decimals: 1)] },
                         cls: "numbers long").render(),
            note: words.html(.rateNote) + (years.contains { y in Cohort.allCases.contains { f(y, $0).state == .absent } }
                                           ? .text(" –: ") + words.html(.absentTitle) + .text(".") : .text("")))
    }

    func byDistrict(_ outcome: Outcome) -> FigureBlock {
        let words = page.words, view = "metrics.cohort_summary_by_district"
        // A district is text; an institution with none has an empty one.
        var seen = Set<[UInt8]>()
        let districts = data.byDistrict.compactMap { $0.key("district") }.filter { seen.insert(Array($0.utf8)).inserted }.sorted()
        func name(_ d: String) -> String { d.isEmpty ? words.text(.noDistrict) : d }
        func f(_ d: String, _ c: Cohort) -> Figure { cohortRate(data.byDistrict, view: view, by: "district", d, c, outcome) }
        let groups = districts.map { d in BarChart.Group(label: name(d), bars: Cohort.allCases.map { (style: $0.rawValue, value: f(d, $0)) }) }
        let compared = districts.compactMap { d -> Bool? in
            guard let t = f(d, .treatment).value, let c = f(d, .control).value else { return nil }
            return t > c
        }
        let reading = compared.isEmpty ? emptyCohortText(short: true) ?? words.html(.districtsHidden, ["n": .text(page.format.integer(page.minimum))])
            : words.html(compared.count == 1 ? .districtReadingOne : .districtReading, ["k": .text(page.format.integer(compared.filter { $0 }.count)), "n": .text(page.format.integer(compared.count))])
                + notCompared(districts.count - compared.count, one: .districtNotCompared, many: .districtsNotCompared)
        let title = words.text(.districtTitle, ["outcome": words.text(outcome.short)])
        return FigureBlock(
            id: "district-\(outcome.rawValue)", title: title, reading: reading,
            chart: BarChart(id: "chart-district-\(outcome.rawValue)", title: title, description: plain(reading), groups: groups,
                            legend: Cohort.allCases.map { (style: $0.rawValue, name: words.text($0.name)) }, format: page.format, decimals: 1,
                            axisLabel: words.text(.rateAxis), suppressedText: page.suppressed, undefinedText: page.undefined, absentText: page.absent).render(),
            table: HTMLTable(caption: nil, header: [words.html(.districtColumn), words.html(.treatmentColumn), words.html(.controlColumn)],
                         rows: districts.map { d in [.text(name(d)), page.figure(f(d, .treatment), decimals: 1), page.figure(f(d, .control), decimals: 1)] },
                         cls: "numbers long").render(),
            // The table's "–" says it in words too: its title shows only on hover (a new reader's trial).
            note: words.html(.rateNote) + (districts.contains { d in Cohort.allCases.contains { f(d, $0).state == .absent } }
                                           ? .text(" –: ") + words.html(.absentTitle) + .text(".") : .text("")))
    }

    /// A figure of a cohort's row of `metrics.cohort_summary`.
    func summary(_ c: Cohort, _ column: String, basis: [String]) -> Figure {
        figure(data.summary.first { $0.key("cohort") == c.rawValue }, column, view: "metrics.cohort_summary", key: [("cohort", c.rawValue)], basis: basis)
    }

    func ages() -> FigureBlock {
        let words = page.words
        let outcomes = Outcome.allCases.filter { $0.meanAge != nil }
        func f(_ c: Cohort, _ column: String, _ o: Outcome) -> Figure { summary(c, column, basis: [o.count]) }
        let groups = outcomes.map { o in
            BarChart.Group(label: words.text(o.short), bars: Cohort.allCases.map { (style: $0.rawValue, value: f($0, o.meanAge!, o)) })
        }
        var rows: [[HTML]] = [], groupRows: [Int: HTML] = [:]
        for o in outcomes {
            groupRows[rows.count] = .text(words.text(o.short))
            for c in Cohort.allCases {
                rows.append([.text(words.text(c.name)), page.figure(f(c, o.meanAge!, o), decimals: 1), page.figure(f(c, o.medianAge!, o), decimals: 1),
                             page.count(f(c, o.count, o))])
            }
        }
        func difference(_ o: Outcome) -> Figure {
            figure(data.comparison.first { $0.key("comparison") == o.meanAge }, "estimate", view: "metrics.cohort_comparison",
                   key: [("comparison", o.meanAge)], basis: ["treatment_count", "control_count"])
        }
        // A hidden difference has no place in "… −3,8 months …": the sentence then points to the table.
        let differences = [difference(.investigation), difference(.measure)]
        let reading = differences.allSatisfy({ $0.state == .value })
            ? words.html(.agesReading, ["investigation": page.figure(differences[0], decimals: 1, signed: true),
                                        "measure": page.figure(differences[1], decimals: 1, signed: true)])
            : emptyCohortText(short: true) ?? words.html(.agesReadingHidden, ["n": .text(page.format.integer(page.minimum))])
        let title = words.text(.agesTitle)
        return FigureBlock(
            id: "ages", title: title, reading: reading,
            chart: BarChart(id: "chart-ages", title: title, description: plain(reading), groups: groups,
                            legend: Cohort.allCases.map { (style: $0.rawValue, name: words.text($0.name)) }, format: page.format, decimals: 1,
                            axisLabel: words.text(.monthsAgeAxis), suppressedText: page.suppressed, undefinedText: page.undefined, absentText: page.absent).render(),
            table: HTMLTable(caption: nil, header: [words.html(.cohortColumn), words.html(.meanColumn), words.html(.medianColumn), words.html(.childrenColumn)],
                         rows: rows, groupRows: groupRows).render(),
            note: words.html(.agesNote), wide: true)
    }

    /// The rest of what Copenhagen's evaluation reported (metrics.md): the shares with a first
    /// event ("a clearly larger share had a measure"), the notifications, and the closed cases
    /// ("about ¾ closed because the concern was gone"). A table without a chart or an interval:
    /// described, not compared.
    func shares() -> HTML {
        let words = page.words
        func resolved(_ c: Cohort) -> Figure {
            var share = summary(c, "closed_concern_resolved_share", basis: ["cases_closed"])
            // Hidden by its count of resolved cases, which the view does not show: with closed cases
            // there it was hidden, not "cannot be computed" (that is for a cohort with none closed).
            if share.state == .undefined, (summary(c, "cases_closed", basis: []).value ?? 0) > 0 { share.state = .suppressed }
            return share
        }
        func row(_ label: HTML, _ cell: (Cohort) -> HTML) -> [HTML] { [label] + Cohort.allCases.map(cell) }
        var rows: [[HTML]] = [], groupRows: [Int: HTML] = [:]
        groupRows[rows.count] = words.html(.sharesOfChildren)
        for o in Outcome.allCases {
            rows.append(row(words.html(o.short)) { page.percent(summary($0, o.share, basis: [o.count, "children_exposed"]), decimals: 1) })
        }
        groupRows[rows.count] = words.html(.sharesNotifications)
        rows.append(row(words.html(.sharesInAll)) { page.count(summary($0, "notifications", basis: ["notifications"])) })
        rows.append(row(words.html(.sharesNotificationRate)) { page.figure(summary($0, "notifications_per_1000", basis: ["notifications", "children_exposed"]), decimals: 1) })
        groupRows[rows.count] = words.html(.sharesClosedCases)
        rows.append(row(words.html(.sharesClosed)) { page.count(summary($0, "cases_closed", basis: ["cases_closed"])) })
        rows.append(row(words.html(.sharesResolved)) { page.percent(resolved($0), decimals: 1) })
        return HTML.element("figure", [("id", "shares"), ("class", "figure wide")],
            HTML.element("figcaption", [],
                HTML.element("h3", [], words.html(.sharesTitle)),
                HTML.element("p", [("class", "reading")], emptyCohortText(short: true) ?? words.html(.sharesReading))),
            HTMLTable(caption: nil, header: [words.html(.whatColumn), words.html(.treatmentColumn), words.html(.controlColumn)],
                      rows: rows, groupRows: groupRows).render(),
            HTML.element("p", [("class", "note")], words.html(.sharesNote)))
    }
}
