/// The pipeline file's `report:` key: the committee's report after each publish (`etl report`).
package struct ReportSettings: Sendable, Equatable {
    /// The report's language; nil: English.
    package var language: ReportLanguage?
    /// Where the nightly run copies the report (atomically); relative paths are taken from
    /// the state directory. nil: the run's folder only.
    package var out: String?
    /// Whom the page is for, as its head names it; nil: the social committee, in the page's language.
    package var committee: String?

    package init(language: ReportLanguage? = nil, out: String? = nil, committee: String? = nil) {
        self.language = language
        self.out = out
        self.committee = committee
    }
}

/// The languages the report is written in, completely.
package enum ReportLanguage: String, Sendable, CaseIterable {
    case da, en
}
