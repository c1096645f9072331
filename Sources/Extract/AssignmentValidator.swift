import Pipeline

/// Social-worker assignments: `institutionsnummer` and `fra` required, the institution in
/// the register, `til` optional and not before `fra`. `medarbejder_id` is copied as given
/// (empty: ""): coverage counts by institution, so a missing id loses no covered day.
struct AssignmentValidator {
    let checks: FieldChecks
    let register: Register
    private let staff = 0, institution = 1, from = 2, to = 3

    init(formats: [DateFormat], register: Register) {
        checks = FieldChecks(kind: .assignments, formats: formats)
        self.register = register
    }

    func validate(_ r: SourceRecord) throws(Rejection) -> AssignmentRecord {
        let number = try checks.requiredText(r, institution)
        try register.check(number, field: checks.name(institution))
        let fromDay = try checks.requiredDate(r, from)
        let toDay = try checks.optionalDate(r, to)
        try checks.endBeforeStart(r, toDay, to, fromDay, from)
        return AssignmentRecord(staffID: checks.optionalText(r, staff) ?? "", institution: number,
                                from: fromDay, to: toDay, line: r.line)
    }
}
