import Pipeline

/// 1. The answer, made from the figures: the causal estimate of the difference-in-differences
/// for detection and how much weight it carries, then the naive comparison, each saying what it is.
extension ReportDocument {
    func answer() -> HTML {
        var sentences: [HTML] = [causalSentence()] + [certaintySentence()].compactMap { $0 } + [naiveSentence()] + [rejectsSentence()].compactMap { $0 }
        // An empty cohort leaves nothing to estimate or compare: said once, plainly.
        if let empty = emptyCohortText(), leadEstimate?.values["att"] ?? nil == nil { sentences = [empty] }
        sentences = sentences.map { HTML.element("p", [("class", "answer")], $0) }
        return section("answer", page.words.html(.answerHeading), content: sentences + [
            HTML.element("p", [("class", "explain")], page.words.html(.answerExplain)),
        ])
    }

    /// The lead estimate: detection, the simple aggregation, against the pipeline's control group.
    var leadEstimate: ViewRow? { didRow(.detection, lead) }

    func causalSentence() -> HTML {
        let words = page.words
        let label = HTML.element("strong", [("class", "label")], words.html(.causalLead))
        guard let row = leadEstimate else { return label + .text(" ") + words.html(.causalMissing) }
        let att = row.figure("att", basis: []), low = row.figure("ci_low", basis: []), high = row.figure("ci_high", basis: [])
        // "Than at institutions without one", when there were none (every institution covered, a review), and
        // not of institutions not yet covered (it was said of them, a review).
        let comparison = words.html(phrase(for: lead, notYet: .comparisonNotYet, never: .comparisonWithout, last: .comparisonLast))
        // An estimate on fewer treated institutions than the small-cell minimum is hidden by the
        // view (as a group's is); the answer says there are too few.
        if let treated = tooFew(lead) {
            return label + .text(" ") + words.html(.causalTooFew, ["treated": page.institutions(treated),
                                                                    "n": .text(page.format.integer(page.minimum))])
        }
        // Not estimated from this run (metrics.did_status says why).
        guard let v = att.value else {
            // The other control group's estimate, in section 2, is said (a review read "could not be made" as none at
            // all), and so is its resting on too few institutions to lead with (it said "could not be made" of it).
            guard let other = EvaluationControlGroup.allCases.first(where: { $0 != lead && estimated($0) }),
                  let treated = didRow(.detection, other)?.figure("institutions_treated", basis: []).value else {
                return label + .text(" ") + words.html(.causalNotEstimated, ["why": whyNotEstimated(lead)])
            }
            return label + .text(" ") + words.html(Int(treated) >= page.minimum ? .causalLeadNotEstimated : .causalOtherTooFew, [
                "lead": .text(words.text(against(lead)).lowercased()), "why": whyNotEstimated(lead), "other": .text(words.text(against(other))),
                "treated": page.institutions(Int(treated)), "n": .text(page.format.integer(page.minimum))])
        }
        let decimals = effectDecimals
        // An estimate without an interval (R `did`'s NA: nothing varied, as with no first case at all) is one,
        // not "could not be made" (a review).
        var sentence: HTML
        let interval: (lo: Double, hi: Double)? = low.value.flatMap { lo in high.value.map { (lo, $0) } }
        if let (lo, hi) = interval {
            let phrase: Phrase = lo <= 0 && 0 <= hi ? .causalNone : v > 0 ? .causalUp : .causalDown
            // "3,1 more / fewer children": the words carry the sign; "changed by −0,4": the number does.
            let args: [String: HTML] = [
                "att": phrase == .causalNone ? page.figure(att, decimals: decimals, signed: true) : page.figure(att, decimals: decimals, magnitude: true),
                "low": page.figure(low, decimals: decimals), "high": page.figure(high, decimals: decimals), "comparison": comparison,
            ]
            sentence = label + .text(" ") + words.html(phrase, args)
        } else {
            // An estimate without an interval (R `did`'s NA: nothing varied, as with no first case at all) is one,
            // not "could not be made" (a review).
            sentence = label + .text(" ") + words.html(.causalNoInterval, [
                "att": page.figure(att, decimals: decimals, signed: true), "comparison": comparison])
        }
        // "Cannot show a difference" is about first cases; the outcomes whose interval does tell
        // one are named, or a reader of the box alone takes it for all three (a steward's trial).
        if interval.map({ $0.lo <= 0 && 0 <= $0.hi }) ?? true {
            let clear = Outcome.allCases.filter { $0 != .detection }.filter { o in
                guard let r = didRow(o, lead), let lo = r.figure("ci_low", basis: []).value,
                      let hi = r.figure("ci_high", basis: []).value else { return false }
                return lo > 0 || hi < 0
            }
            if !clear.isEmpty {
                sentence = sentence + .text(" ") + words.html(.causalOthersClear, ["clear": .text(list(clear.map { words.text($0.short).lowercased() }))])
            }
        }
        return sentence
    }

    /// How much weight the causal estimate can carry, in plain words: how many institutions
    /// it rests on, and whether the periods before the social workers came moved alike.
    func certaintySentence() -> HTML? {
        guard let row = leadEstimate, row.values["att"] ?? nil != nil else { return nil }
        let words = page.words
        let treated = row.figure("institutions_treated", basis: [])
        if let n = treated.value, Int(n) < page.minimum { return nil }   // `causalTooFew` said it
        var text = words.html(phrase(for: lead, notYet: .sureBasisNotYet, never: .sureBasis, last: .sureBasisLast),
                              ["treated": page.institutions(treated), "control": page.count(row.figure("institutions_control", basis: []))])
        // Standard errors clustered by institution are rough with fewer than about twenty.
        if let n = treated.value, n < 20, row.values["ci_low"] ?? nil != nil { text = text + .text(" ") + words.html(.sureFew) }
        let trend = preTrend(eventPoints(.detection))
        if let single = singleTrend(trend) {
            text = text + .text(" ") + single
        } else if trend.shown > 0 {
            let phrase: Phrase = trend.covering == trend.shown ? .sureTrend : trend.needsCaution ? .sureTrendOff : .sureTrendOne
            text = text + .text(" ") + words.html(phrase, [
                "k": .text(page.format.integer(trend.covering)), "n": .text(page.format.integer(trend.shown)),
                "span": lastPeriods(trend.periods)])
        } else if trend.periods == 0 {
            // No period before at all (a one-year window of half-years): silence read as a check passed (a review).
            text = text + .text(" ") + words.html(.sureTrendNone)
        }
        if let hidden = trendHidden(trend) { text = text + .text(" ") + hidden }
        return HTML.element("strong", [("class", "label")], words.html(.sureLead)) + .text(" ") + text
    }

    /// The export files of which 1 % or more of the records were rejected: the figures leave
    /// them out, and the answer said nothing of 7.6 % of the enrolments rejected (a review).
    /// A hidden count (1 to the minimum − 1) that may be 1 % is said as "fewer than 5 of the
    /// 27 records" (2 of 27 register records went unsaid, a review).
    func rejectsSentence() -> HTML? {
        let words = page.words
        let (quality, files) = exportFiles
        func records(_ file: String, _ reason: String) -> Double? {
            quality.first { $0.key("subject") == file && $0.key("reason") == reason }?.figure("records").value
        }
        let shares = files.compactMap { file -> String? in
            guard let read = records(file, "read"), read > 0 else { return nil }
            guard let rejected = records(file, "rejected") else {
                let hidden = quality.first { $0.key("subject") == file && $0.key("reason") == "rejected" }?.figure("records").isSuppressed == true
                guard hidden, Double(page.minimum - 1) >= read / 100 else { return nil }
                return words.text(.rejectedFew, ["n": page.format.integer(page.minimum), "read": page.format.integer(Int(read)), "file": file])
            }
            guard rejected >= read / 100 else { return nil }
            return words.text(.rejectedShare, ["share": page.format.number(100 * rejected / read, decimals: 1), "file": file])
        }
        guard !shares.isEmpty else { return nil }
        return HTML.element("strong", [("class", "label")], words.html(.rejectsLead)) + .text(" ")
            + words.html(.answerRejects, ["files": .text(list(shares))])
    }

    func naiveSentence() -> HTML {
        let words = page.words
        let lead = HTML.element("strong", [("class", "label")], words.html(.naiveLead))
        if let empty = emptyCohortText(short: true) { return lead + .text(" ") + empty }
        guard let row = data.comparison.first(where: { $0.key("comparison") == "detection_rate_per_1000" }) else {
            return lead + .text(" ") + words.html(.naiveMissing)
        }
        let rr = row.figure("estimate", basis: ["treatment_count", "control_count"])
        let low = row.figure("ci_low", basis: ["treatment_count", "control_count"])
        let high = row.figure("ci_high", basis: ["treatment_count", "control_count"])
        // A ratio of 0 (no treatment child had a case) has no interval (ln 0), but it is a figure.
        if rr.value == 0 {
            let control = row.figure("control", basis: ["control_count"])
            return lead + .text(" ") + words.html(.naiveZero, ["rr": page.figure(rr, decimals: 2), "control": page.figure(control, decimals: 1)])
        }
        guard let lo = low.value, let hi = high.value, rr.value != nil else {
            return lead + .text(" ") + words.html(rr.isSuppressed ? .naiveSuppressed : .naiveMissing, ["n": .text(page.format.integer(page.minimum))])
        }
        let args: [String: HTML] = ["rr": page.figure(rr, decimals: 2), "low": page.figure(low, decimals: 2), "high": page.figure(high, decimals: 2)]
        return lead + .text(" ") + words.html(lo <= 1 && 1 <= hi ? .naiveNone : .naive, args)
    }
}

