import Pipeline

/// Case events: `sagsnummer`, `cpr`, `haendelse`, `dato` required; the CPR valid, the
/// event one of the contract's types. `paragraf`, `kilde`, `aarsag` are optional and copied
/// as given (the metrics read `kilde`/`aarsag` only on the events they belong to).
struct CaseEventValidator {
    let checks: FieldChecks
    let pseudonyms: Pseudonymiser
    private let caseID = 0, cpr = 1, event = 2, day = 3, paragraph = 4, source = 5, reason = 6

    init(formats: [DateFormat], pseudonyms: Pseudonymiser) {
        checks = FieldChecks(kind: .caseEvents, formats: formats)
        self.pseudonyms = pseudonyms
    }

    func validate(_ r: SourceRecord) throws(Rejection) -> CaseEventRecord {
        let id = try checks.requiredText(r, caseID)
        let child = try checks.cpr(r, cpr)
        let eventText = try checks.requiredText(r, event)
        guard let type = EventType(rawValue: eventText) else {
            throw Rejection(field: checks.name(event), reason: .unknownEventType,
                            message: "haendelse '\(Echo.text(Array(eventText.utf8)[...]))' is not one of \(EventType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let date = try checks.requiredDate(r, day)
        return CaseEventRecord(caseID: id, childKey: pseudonyms.childKey(child), birth: child.birth, event: type, day: date,
                               paragraph: checks.optionalText(r, paragraph), source: checks.optionalText(r, source),
                               reason: checks.optionalText(r, reason), line: r.line)
    }
}
