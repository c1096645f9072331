/// The files extract writes into a run's `extract/` folder (COPY text), which transform
/// reads; transform's own are the `FactFile`s.
public enum StageFile {
    public static let institutions = "institutions.tsv"
    public static let assignments = "assignments.tsv"
    public static let enrolments = "enrolments.tsv"
    public static let caseEvents = "case_events.tsv"
    public static let rejects = "rejects.tsv"
}
