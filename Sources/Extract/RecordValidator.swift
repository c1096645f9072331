import Pipeline

/// One export's validator as `FileExtraction` uses it: a row for each valid record, and how
/// that row is written. A protocol rather than a pair of closures, so each export's loop is
/// specialised with its validator inlined and a row is written where it was built: through
/// closures every accepted row was copied on its way to the writer (docs/benchmarks.md).
protocol RecordValidator {
    associatedtype Row
    /// The record's row, or the reason it is rejected. `pseudonyms` makes the child keys.
    mutating func validate(_ r: SourceRecord, _ pseudonyms: inout Pseudonymiser) throws(Rejection) -> Row
    /// Writes the row; false when there is nothing to write (a register row merged into one
    /// read before: counted as merged, neither accepted nor rejected).
    static func write(_ row: Row, to out: StageFileWriter) throws -> Bool
}

extension InstitutionValidator: RecordValidator {
    mutating func validate(_ r: SourceRecord, _: inout Pseudonymiser) throws(Rejection) -> InstitutionRecord? { try validate(r) }

    static func write(_ row: InstitutionRecord?, to out: StageFileWriter) throws -> Bool {
        guard let row else { return false }
        try row.write(to: out)
        return true
    }
}

extension AssignmentValidator: RecordValidator {
    mutating func validate(_ r: SourceRecord, _: inout Pseudonymiser) throws(Rejection) -> AssignmentRecord { try validate(r) }

    static func write(_ row: AssignmentRecord, to out: StageFileWriter) throws -> Bool { try row.write(to: out); return true }
}

extension EnrolmentValidator: RecordValidator {
    static func write(_ row: EnrolmentRow, to out: StageFileWriter) throws -> Bool { try row.write(to: out); return true }
}

extension CaseEventValidator: RecordValidator {
    static func write(_ row: CaseEventRow, to out: StageFileWriter) throws -> Bool { try row.write(to: out); return true }
}
