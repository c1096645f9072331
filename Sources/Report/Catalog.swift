import Foundation
import Pipeline

/// The report's words in one language: every phrase of `Phrase` and the words for the
/// warehouse's codes (reject reasons, kinds of first event, …). Both languages are complete;
/// a test holds them against each other.
package struct Catalog: Sendable {
    package let language: ReportLanguage

    package init(_ language: ReportLanguage) { self.language = language }

    package var phrases: [Phrase: String] { language == .da ? Self.danish : Self.english }
    package var codes: [String: String] { language == .da ? Self.danishCodes : Self.englishCodes }

    /// A phrase as plain text, `{name}` placeholders filled with plain text.
    package func text(_ phrase: Phrase, _ arguments: [String: String] = [:]) -> String {
        Self.fill(phrases[phrase] ?? "⟦\(phrase.rawValue)⟧", arguments)
    }

    /// A phrase as HTML: its text escaped, `{name}` placeholders filled with fragments.
    package func html(_ phrase: Phrase, _ arguments: [String: HTML] = [:]) -> HTML {
        HTML(raw: Self.fill(HTML.escape(phrases[phrase] ?? "⟦\(phrase.rawValue)⟧"), arguments.mapValues(\.markup)))
    }

    /// Fills `{name}` placeholders in one pass, so a value that holds braces is never filled again.
    static func fill(_ template: String, _ arguments: [String: String]) -> String {
        var out = "", rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}"), let value = arguments[String(rest[rest.index(after: open)..<close])] else {
                out.append("{"); rest = rest[rest.index(after: open)...]; continue
            }
            out += value
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// The placeholders of a template: `{low} til {high}` → ["high", "low"].
    static func placeholders(_ template: String) -> Set<String> {
        Set(template.split(separator: "{", omittingEmptySubsequences: false).dropFirst().compactMap { $0.split(separator: "}", omittingEmptySubsequences: false).first.map(String.init) })
    }

    /// The words for a code of the warehouse (`reject.invalid_cpr`), or nil for a code the
    /// report does not know (shown as it is).
    package func code(_ family: String, _ value: String) -> String? { codes["\(family).\(value)"] }

    /// Every code the report has words for, by family: the test checks both languages have all.
    package static let knownCodes: [String] =
        RejectReason.allCases.map { "reject.\($0.rawValue)" }
        + ["case", "investigation", "measure"].map { "kind.\($0)" }
        + ["outside_window", "not_enrolled", "out_of_age"].map { "unattributed.\($0)" }
        + ["unbalanced", "treated_from_first_period"].map { "left_out.\($0)" }
        + ["children.without_spell", "case_events.child_without_spell", "cases.without_sag_oprettet", "children.birth_conflict",
           "institutions.duplicate_number", "skipped.enrolment.unknown_institution", "skipped.assignment.unknown_institution",
           "case_events.repeated"]
            .map { "transform.\($0)" }
}
