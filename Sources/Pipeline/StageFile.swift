/// The files extract writes into a run's `extract/` folder (COPY text), which transform
/// reads; transform's own are the `FactFile`s.
package enum StageFile {
    package static let institutions = "institutions.tsv"
    package static let assignments = "assignments.tsv"
    package static let enrolments = "enrolments.tsv"
    package static let caseEvents = "case_events.tsv"
    package static let rejects = "rejects.tsv"
}
