import Foundation
import Pipeline

/// The committee's report: one self-contained HTML page (styles inline, charts as inline
/// SVG, no script, no link to anything outside it) that reads well on a phone and prints on A4.
package struct ReportDocument {
    package let data: ReportData
    package let page: Page
    /// The control group the report leads with (pipeline `evaluation.control_group`); the other is shown beside it.
    package let lead: EvaluationControlGroup
    /// Whom the page is for, as its head names it (`report.committee`); nil: the social committee.
    let committee: String?
    /// A cohort no child of the run was in (no row in `cohort_summary`, or none exposed: an
    /// export of the social workers' assignments with none, say): then nothing is compared,
    /// and the page says so instead of reasons that do not hold (a new user's trial read "no
    /// child in one of the cohorts got a case" and "hidden").
    let emptyCohort: Cohort?

    package init(data: ReportData, language: ReportLanguage, lead: EvaluationControlGroup = .neverTreated, committee: String? = nil) {
        self.data = data
        self.lead = lead
        self.committee = committee
        emptyCohort = Cohort.allCases.first { c in
            guard let row = data.summary.first(where: { $0.key("cohort") == c.rawValue }) else { return true }
            return row.figure("children_exposed").value == 0
        }
        page = Page(language: language, minimum: data.smallCellMinimum)
    }

    /// The whole page.
    package func render() -> String {
        let words = page.words
        // "What suppression hid" counts the figures of every other part, so it is written last.
        let before = header() + answer() + figures()
        let counted = Self.countFigures(before + certainty(suppressed: (0, 0)))
        let body = before + certainty(suppressed: counted) + definitions()
            + HTML.element("footer", [], HTML.element("p", [], words.html(.footer)))
        let html = HTML.element("html", [("lang", page.language.rawValue)],
            HTML.element("head", [],
                HTML.empty("meta", [("charset", "utf-8")]),
                HTML.empty("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")]),
                // Which run the page shows, for the next run's check (`NightlyReport.runShown`) and a monitor's.
                HTML.empty("meta", [("name", NightlyReport.runMeta), ("content", data.run.values["run_id"].flatMap { $0 } ?? "")]),
                // And the newest run it says published nothing: a run killed since is said by the next one's start.
                HTML.empty("meta", [("name", NightlyReport.notPublishedMeta), ("content", data.notPublished.first?.named ?? "")]),
                HTML.element("title", [], .text(words.text(.title) + " – " + (data.run.values["municipality"].flatMap { $0 } ?? ""))),
                HTML.element("style", [], HTML(raw: Style.css))),
            HTML.element("body", [], HTML.element("main", [], body)))
        return "<!DOCTYPE html>\n" + html.markup + "\n"
    }

    func header() -> HTML {
        let words = page.words, run = data.run
        // Not "the night's run": a night whose drop was incomplete made no run to say (a review).
        var meta: [HTML] = [words.html(.asOfLine, [
            "asOf": page.date(run.figure("as_of")), "run": page.label(run.figure("run_id")),
        ])]
        let published = run.figure("published_at")
        meta.append(published.raw == nil ? words.html(.notPublished) : words.html(.publishedLine, ["published": page.date(published)]))
        return HTML.element("header", [], content: [
            HTML.element("p", [("class", "kicker")], words.html(.kicker, ["municipality": page.label(run.figure("municipality")),
                                                                 "committee": committee.map { .text($0) } ?? words.html(.socialCommittee)])),
            HTML.element("h1", [], words.html(.title)),
            HTML.element("p", [("class", "meta")], HTML.join(meta, separator: " ")),
        ] + [laterRunsNotice()].compactMap { $0 })
    }

    /// A run begun after the one shown that did not publish: the figures are not the last
    /// night's, and the page says so first.
    func laterRunsNotice() -> HTML? {
        guard let latest = data.notPublished.first else { return nil }
        let words = page.words
        // Ledger facts, not figures of a view: plain text.
        let phrase: Phrase = switch latest.status { case "dead": .laterRunStopped; case "failed": .laterRunFailed; default: .laterRunNotPublished }
        var text = words.html(phrase, [
            "run": .text(latest.run.description), "asOf": .text(page.format.date(iso: latest.asOf)),
            "started": .text(page.format.date(iso: latest.startedAt)),
        ])
        if data.notPublished.count > 1 {
            text = text + .text(" ") + words.html(.laterRunsMore, ["n": .text(page.format.integer(data.notPublished.count))])
        }
        return HTML.element("p", [("class", "notice"), ("role", "status")], text)
    }

    /// The figures (`<data data-view=…>`) of a fragment, and how many of them are suppressed.
    static func countFigures(_ html: HTML) -> (hidden: Int, shown: Int) {
        var hidden = 0, shown = 0
        for piece in html.markup.components(separatedBy: "<data ").dropFirst() {
            let tag = piece.prefix { $0 != ">" }
            guard tag.contains("data-view=") else { continue }
            shown += 1
            if tag.contains("data-state=\"suppressed\"") { hidden += 1 }
        }
        return (hidden, shown)
    }

    /// A numbered section with its heading.
    func section(_ id: String, _ heading: HTML, content: [HTML]) -> HTML {
        HTML.element("section", [("id", id)], content: [HTML.element("h2", [], heading)] + content)
    }

    /// What `emptyCohort` means, in words (in the answer; `short` under a figure); nil when both cohorts have children.
    func emptyCohortText(short: Bool = false) -> HTML? {
        emptyCohort.map { page.words.html($0 == .treatment ? short ? .noTreatmentShort : .noTreatmentChildren
                                                            : short ? .noControlShort : .noControlChildren) }
    }

    /// Decimals for effects per 1,000 child-years: one, or two when they are all small.
    /// Why the lead metric (first cases) was not estimated against `group`, in the page's
    /// words: from `metrics.did_status`'s code, or where to find it when the code is unknown.
    func whyNotEstimated(_ group: EvaluationControlGroup) -> HTML {
        let row = data.did?.status.first { $0.key("metric") == Outcome.detection.didMetric && $0.key("control_group") == group.rawValue }
        return page.words.html(Self.why(code: row?.values["reason_code"] ?? nil))
    }

    /// With no institution that never got a social worker, `group`'s comparison for first
    /// cases: the group covered last, before its period, and the last period estimated
    /// (`did_status`; R `did`'s rule, docs/decisions.md).
    func comparisonOnly(_ group: EvaluationControlGroup) -> (group: Int, lastPeriod: Int)? {
        let row = data.did?.status.first { $0.key("metric") == Outcome.detection.didMetric && $0.key("control_group") == group.rawValue }
        guard let value = row?.values["comparison_only_group"] ?? nil, let g = Int(value),
              let last = (row?.values["last_estimated_period"] ?? nil).flatMap({ Int($0) }) else { return nil }
        return (g, last)
    }

    /// The control group the event studies and section 3 show: the lead one, or the other when
    /// only that one was estimated (they said "not estimated" beside its effects, a review).
    var shownGroup: EvaluationControlGroup {
        func estimated(_ g: EvaluationControlGroup) -> Bool { didRow(.detection, g)?.values["att"] ?? nil != nil }
        return estimated(lead) ? lead : EvaluationControlGroup.allCases.first { $0 != lead && estimated($0) } ?? lead
    }

    /// "Against institutions that never had a social worker", or, when none is without one, what
    /// the comparison then is: "never had one" would tell the committee the controls were untreated.
    func against(_ group: EvaluationControlGroup) -> Phrase {
        phrase(for: group, notYet: .againstNotYetTreated, never: .againstNeverTreated, last: .againstCoveredLast)
    }

    /// The words of one of `group`'s three comparisons: the not yet covered, those without one
    /// in the window, or (none of those in the estimate) the last covered, before their worker came.
    func phrase(for group: EvaluationControlGroup, notYet: Phrase, never: Phrase, last: Phrase) -> Phrase {
        group == .notYetTreated ? notYet : comparisonOnly(group) == nil ? never : last
    }

    /// The page's words for a `did_status.reason_code` (`EvaluationError.code`).
    static func why(code: String?) -> Phrase {
        switch code {
        case "too_few_periods": .whyTooFewPeriods
        case "no_institutions_estimated": .whyNoInstitutions
        case "no_treated_group": .whyNoTreatedGroup
        case "covered_left_out": .whyCoveredLeftOut
        case "no_comparison_institutions": .whyNoComparison
        case "never_covered_left_out": .whyNeverCoveredLeftOut
        case "too_few_never_treated": .whyTooFewNeverTreated
        case "malformed_panel": .whyMalformedPanel
        default: .whyUnknown
        }
    }

    var effectDecimals: Int {
        let values = (data.did?.summary ?? []).flatMap { [$0.figure("ci_low").value, $0.figure("ci_high").value] }.compactMap { $0 }
        return values.contains { abs($0) >= 1 } ? 1 : 2
    }
}
