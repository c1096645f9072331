import Pipeline

/// Enrolment spells: `cpr`, `institutionsnummer`, `indmeldt` required; the CPR valid, the
/// institution in the register; `udmeldt` optional and not before `indmeldt`.
struct EnrolmentValidator {
    var checks: FieldChecks
    let register: Register
    private let cpr = 0, institution = 1, from = 2, to = 3

    init(formats: [DateFormat], register: Register) {
        checks = FieldChecks(kind: .enrolments, formats: formats)
        self.register = register
    }

    mutating func validate(_ r: SourceRecord, _ pseudonyms: inout Pseudonymiser) throws(Rejection) -> EnrolmentRow {
        let child = try checks.cpr(r, cpr)
        pseudonyms.prefetch(child)
        let number = try checks.required(r, institution)
        try register.check(number, field: checks.name(institution))
        let fromDay = try checks.requiredDate(r, from)
        let toDay = try checks.optionalDate(r, to)
        try checks.endBeforeStart(r, toDay, to, fromDay, from)
        return EnrolmentRow(childKey: pseudonyms.childKeyHex(child), birth: child.birth, institution: number,
                            from: fromDay, to: toDay, line: r.line)
    }
}

/// An accepted enrolment as bytes, written as `EnrolmentRecord` is (its `Fields`):
/// the big exports never make a String per field. `institution` is a view of the record's
/// bytes, valid while the record is.
struct EnrolmentRow {
    var childKey: SIMD64<UInt8>
    var birth: Day
    var institution: UnsafeRawBufferPointer
    var from: Day
    var to: Day?
    var line: Int

    var record: EnrolmentRecord {
        EnrolmentRecord(childKey: Pseudonymiser.string(childKey), birth: birth, institution: String(decoding: institution, as: UTF8.self),
                        from: from, to: to, line: line)
    }

    /// With `EnrolmentRecord`'s codec, the key as it is.
    func write(to w: StageFileWriter) throws {
        try EnrolmentRecord.Fields(childKey: UnsafeRawBufferPointer(start: nil, count: 0), birth: birth, institution: institution,
                                   from: from, to: to, line: line).write(to: w, hexKey: childKey)
    }
}
