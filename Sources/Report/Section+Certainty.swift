import Pipeline

/// 3. How sure we are: the run behind the figures, what it read and could not use, the
/// institutions the evaluation left out, and what small-cell suppression hid.
extension ReportDocument {
    func certainty(suppressed: (hidden: Int, shown: Int)) -> HTML {
        let words = page.words, run = data.run
        var parts: [HTML] = [HTML.element("p", [], words.html(.certaintyIntro))]

        let published = run.figure("published_at")
        let facts: [(Phrase, HTML)] = [
            (.runLabel, page.label(run.figure("run_id"))),
            (.publishedLabel, published.raw == nil ? words.html(.notPublishedShort) : page.date(published)),
            (.asOfLabel, page.date(run.figure("as_of"))),
            (.windowLabel, words.html(.dateRange, ["from": page.date(run.figure("window_from")), "to": page.date(run.figure("window_to"))])),
            (.smallCellLabel, words.html(.smallCellValue, ["n": page.count(run.figure("small_cell_minimum"))])),
        ]
        parts.append(HTML.element("dl", [("class", "facts")], content: facts.flatMap { [HTML.element("dt", [], words.html($0.0)), HTML.element("dd", [], $0.1)] }))

        parts.append(HTML.element("h3", [], words.html(.filesHeading)))
        parts.append(HTMLTable(caption: nil, header: [words.html(.fileColumn), words.html(.readColumn), words.html(.rejectedColumn)],
                           rows: fileRows()).render())

        let rejects = data.dataQuality.filter { $0.key("category") == "rejected" }
        parts.append(HTML.element("h3", [], words.html(.rejectsHeading)))
        parts.append(rejects.isEmpty ? HTML.element("p", [], words.html(.noRejects)) :
            HTMLTable(caption: nil, header: [words.html(.fileColumn), words.html(.reasonColumn), words.html(.recordsColumn)],
                  rows: rejects.map { r in [HTML.element("code", [], .text(r.key("subject") ?? "")), code("reject", r.key("reason")),
                                            page.count(r.figure("records"))] }, textColumns: [1]).render())

        let unattributed = data.dataQuality.filter { $0.key("category") == "unattributed_first_event" }
        parts.append(HTML.element("h3", [], words.html(.unattributedHeading)))
        parts.append(HTML.element("p", [], words.html(.unattributedIntro)))
        parts.append(unattributed.isEmpty ? HTML.element("p", [], words.html(.noUnattributed)) :
            HTMLTable(caption: nil, header: [words.html(.eventColumn), words.html(.reasonColumn), words.html(.childrenColumn)],
                  rows: unattributed.map { r in [code("kind", r.key("subject")), code("unattributed", r.key("reason")), page.count(r.figure("records"))] },
                  textColumns: [1]).render())

        // In the order the catalog lists them (children, their events, cases, …), unknown ones last.
        func order(_ r: ViewRow) -> Int {
            Catalog.knownCodes.firstIndex(of: "transform.\(r.key("subject") ?? "").\(r.key("reason") ?? "")") ?? Int.max
        }
        // Only what happened: a row of 0 beside extract's rejects of a like name read as a contradiction (a review).
        let transform = data.dataQuality.filter { $0.key("category") == "transform" && $0.figure("records").value != 0 }
            .sorted { order($0) < order($1) }
        if !transform.isEmpty {
            parts.append(HTML.element("h3", [], words.html(.transformHeading)))
            parts.append(HTMLTable(caption: nil, header: [words.html(.whatColumn), words.html(.countColumn)],
                               rows: transform.map { r in [code("transform", "\(r.key("subject") ?? "").\(r.key("reason") ?? "")"),
                                                           page.count(r.figure("records"))] }).render())
        }

        parts.append(HTML.element("h3", [], words.html(.panelHeading)))
        let group = shownGroup
        if let did = data.did, let estimate = didRow(.detection, group) {
            let periods = estimate.figure("periods", basis: [])
            let counts: [String: HTML] = [
                "treated": page.institutions(estimate.figure("institutions_treated", basis: [])),
                "control": page.count(estimate.figure("institutions_control", basis: [])),
                "leftOut": page.count(estimate.figure("institutions_left_out", basis: [])),
                "periods": page.count(periods), "unit": .text(periodWords.count(Int(exactly: periods.value ?? 0) ?? 0)),
                "against": words.html(phrase(for: group, notYet: .notYetTreatedInstitutions, never: .neverTreatedInstitutions, last: .coveredLastInstitutions)),
                "why": whyNotEstimated(lead),
            ]
            let estimated = estimate.values["att"] ?? nil != nil
            var text = words.html(estimated ? .panelText : .panelNotEstimated, counts)
            // The lead group not estimated, the other shown: said, then the other's counts (it said "could not be estimated" alone, a review).
            if group != lead {
                text = words.html(.panelLeadNotEstimated, ["lead": words.html(against(lead)), "why": whyNotEstimated(lead), "other": words.html(against(group))])
                    + .text(" ") + text
            }
            if estimated, let last = comparisonOnly(group) {
                text = text + .text(" ") + words.html(.panelLastGroup, ["group": .text(page.format.integer(last.group)),
                                                                       "last": .text(page.format.integer(last.lastPeriod))])
            }
            // One row per institution in the view: counted here by reason.
            let reasons = Array(Set(did.leftOut.compactMap { $0.values["reason"] ?? nil })).sorted()
            text = text + .text(" ") + words.html(reasons.isEmpty ? .panelNoneLeftOut : !estimated ? .panelLeftOutOfPanel
                                                      : did.leftOut.count == 1 ? .panelLeftOutOne : .panelLeftOut, counts)
            parts.append(HTML.element("p", [], text))
            if !reasons.isEmpty {
                parts.append(HTMLTable(caption: nil, header: [words.html(.reasonColumn), words.html(.institutionsColumn)], rows: reasons.map { reason in
                    let count = did.leftOut.filter { ($0.values["reason"] ?? nil) == reason }.count
                    let figure = Figure(source: FigureSource(view: "metrics.evaluation_left_out", key: [.init(column: "reason", value: reason)],
                                                             column: FigureSource.countColumn), raw: String(count), state: .value)
                    return [code("left_out", reason), page.count(figure)]
                }).render())
            }
        } else {
            parts.append(HTML.element("p", [], words.html(.panelMissing)))
        }

        parts.append(HTML.element("h3", [], words.html(.suppressionHeading)))
        let hiddenPhrase: Phrase = suppressed.hidden == 0 ? .suppressionNone : suppressed.hidden == 1 ? .suppressionOne : .suppressionText
        parts.append(HTML.element("p", [], words.html(hiddenPhrase, [
            "hidden": HTML.element("data", [("value", String(suppressed.hidden)), ("data-derived", "suppressed-figures")],
                                   .text(page.format.integer(suppressed.hidden))),
            "shown": HTML.element("data", [("value", String(suppressed.shown)), ("data-derived", "figures")],
                                  .text(page.format.integer(suppressed.shown))),
            "n": .text(page.format.integer(page.minimum)),
        ])))
        return section("certainty", words.html(.certaintyHeading), content: parts)
    }

    /// The rows of `metrics.data_quality`, category `file` (records read, accepted and rejected
    /// per export file), and the files they name, in the view's order.
    var exportFiles: (rows: [ViewRow], names: [String]) {
        let quality = data.dataQuality.filter { $0.key("category") == "file" }
        var names: [String] = []
        for r in quality where !names.contains(r.key("subject") ?? "") { names.append(r.key("subject") ?? "") }
        return (quality, names)
    }

    /// Records read and rejected per export file.
    func fileRows() -> [[HTML]] {
        let (quality, names) = exportFiles
        return names.map { name in
            func count(_ reason: String) -> HTML {
                let row = quality.first { $0.key("subject") == name && $0.key("reason") == reason }
                return page.count(figure(row, "records", view: "metrics.data_quality",
                                         key: [("category", "file"), ("subject", name), ("reason", reason)]))
            }
            return [HTML.element("code", [], .text(name)), count("read"), count("rejected")]
        }
    }

    /// A code from the warehouse (a reject reason, a kind of event) in the reader's words;
    /// a code the report does not know is shown as it is.
    func code(_ family: String, _ value: String?) -> HTML {
        let value = value ?? ""
        if let word = page.words.code(family, value) { return HTML.element("span", [("title", value)], .text(word)) }
        return HTML.element("code", [], .text(value))
    }
}
