import Pipeline

/// Enrolment spells: `cpr`, `institutionsnummer`, `indmeldt` required; the CPR valid, the
/// institution in the register; `udmeldt` optional and not before `indmeldt`.
struct EnrolmentValidator {
    let checks: FieldChecks
    let register: Register
    let pseudonyms: Pseudonymiser
    private let cpr = 0, institution = 1, from = 2, to = 3

    init(formats: [DateFormat], register: Register, pseudonyms: Pseudonymiser) {
        checks = FieldChecks(kind: .enrolments, formats: formats)
        self.register = register
        self.pseudonyms = pseudonyms
    }

    func validate(_ r: SourceRecord) throws(Rejection) -> EnrolmentRecord {
        let child = try checks.cpr(r, cpr)
        let number = try checks.requiredText(r, institution)
        try register.check(number, field: checks.name(institution))
        let fromDay = try checks.requiredDate(r, from)
        let toDay = try checks.optionalDate(r, to)
        try checks.endBeforeStart(toDay, to, fromDay, from)
        return EnrolmentRecord(childKey: pseudonyms.childKey(child), birth: child.birth, institution: number,
                               from: fromDay, to: toDay, line: r.line)
    }
}
