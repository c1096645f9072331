/// 1. The answer in two sentences, made from the figures: the causal estimate of the
/// difference-in-differences for detection, then the naive comparison, each saying what it is.
extension ReportDocument {
    func answer() -> HTML {
        var sentences: [HTML] = [causalSentence(), naiveSentence()]
        sentences = sentences.map { HTML.element("p", [("class", "answer")], $0) }
        return section("answer", page.words.html(.answerHeading), content: sentences + [
            HTML.element("p", [("class", "explain")], page.words.html(.answerExplain)),
        ])
    }

    /// The lead estimate: detection, the simple aggregation, against the never treated.
    var leadEstimate: ViewRow? {
        data.did?.summary.first { $0.key("metric") == DiDMetric.detection.rawValue
            && $0.key("control_group") == ControlGroup.lead.rawValue && $0.key("aggregation") == "simple" }
    }

    func causalSentence() -> HTML {
        let words = page.words
        let lead = HTML.element("strong", [("class", "label")], words.html(.causalLead))
        guard let row = leadEstimate else { return lead + .text(" ") + words.html(.causalMissing) }
        let att = row.figure("att"), low = row.figure("ci_low"), high = row.figure("ci_high")
        guard let v = att.value, let lo = low.value, let hi = high.value else { return lead + .text(" ") + words.html(.causalMissing) }
        let decimals = effectDecimals
        let phrase: Phrase = lo <= 0 && 0 <= hi ? .causalNone : v > 0 ? .causalUp : .causalDown
        // "3,1 more / fewer children": the words carry the sign; "changed by −0,4": the number does.
        let args: [String: HTML] = [
            "att": phrase == .causalNone ? page.figure(att, decimals: decimals, signed: true) : page.figure(att, decimals: decimals, magnitude: true),
            "low": page.figure(low, decimals: decimals), "high": page.figure(high, decimals: decimals),
        ]
        return lead + .text(" ") + words.html(phrase, args)
    }

    func naiveSentence() -> HTML {
        let words = page.words
        let lead = HTML.element("strong", [("class", "label")], words.html(.naiveLead))
        guard let row = data.comparison.first(where: { $0.key("comparison") == "detection_rate_per_1000" }) else {
            return lead + .text(" ") + words.html(.naiveMissing)
        }
        let rr = row.figure("estimate", basis: ["treatment_count", "control_count"])
        let low = row.figure("ci_low", basis: ["treatment_count", "control_count"])
        let high = row.figure("ci_high", basis: ["treatment_count", "control_count"])
        guard let lo = low.value, let hi = high.value, rr.value != nil else {
            return lead + .text(" ") + words.html(rr.isSuppressed ? .naiveSuppressed : .naiveMissing, ["fig": page.figure(rr, decimals: 2)])
        }
        let args: [String: HTML] = ["rr": page.figure(rr, decimals: 2), "low": page.figure(low, decimals: 2), "high": page.figure(high, decimals: 2)]
        return lead + .text(" ") + words.html(lo <= 1 && 1 <= hi ? .naiveNone : .naive, args)
    }
}

/// The metrics of the difference-in-differences views (`metric`).
package enum DiDMetric: String, CaseIterable, Sendable {
    case detection, investigation, measure
}

/// The control groups of the difference-in-differences (`control_group`): the report leads
/// with institutions never covered, the evaluation spec's default, and shows the other beside it.
package enum ControlGroup: String, CaseIterable, Sendable {
    case neverTreated = "never_treated", notYetTreated = "not_yet_treated"
    static let lead = ControlGroup.neverTreated
}
