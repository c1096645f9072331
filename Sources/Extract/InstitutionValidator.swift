import Pipeline

/// The register: `nummer` is required and unique (a repeat is rejected, the first kept);
/// `pladser` a whole number; `oprettet`/`nedlagt` dates, `nedlagt` not before `oprettet`.
/// `navn`, `type`, `bydel`, `klynge` are copied as given (empty: "" or NULL).
struct InstitutionValidator {
    let checks: FieldChecks
    /// Accepted numbers → where they were read, for the duplicate message.
    private(set) var numbers: [String: Int] = [:]
    // Contract field indices (`SourceKind.institutions.fields`).
    private let nummer = 0, navn = 1, type = 2, bydel = 3, klynge = 4, pladser = 5, oprettet = 6, nedlagt = 7

    init(formats: [DateFormat]) { checks = FieldChecks(kind: .institutions, formats: formats) }

    mutating func validate(_ r: SourceRecord) throws(Rejection) -> InstitutionRecord {
        let number = try checks.requiredText(r, nummer)
        if let first = numbers[number] {
            throw Rejection(field: "nummer", reason: .duplicateInstitution,
                            message: "institution \(number) was already read (record \(first)); the first is kept")
        }
        let places = try checks.optionalCount(r, pladser)
        let opened = try checks.optionalDate(r, oprettet)
        let closed = try checks.optionalDate(r, nedlagt)
        try checks.endBeforeStart(closed, nedlagt, opened, oprettet)
        numbers[number] = r.line
        return InstitutionRecord(
            number: number, name: checks.optionalText(r, navn) ?? "", type: checks.optionalText(r, type) ?? "",
            district: checks.optionalText(r, bydel) ?? "", cluster: checks.optionalText(r, klynge),
            places: places, opened: opened, closed: closed, line: r.line)
    }
}

/// The institution numbers of the register, read first: assignments and enrolments must
/// name one of them.
struct Register: Sendable {
    let numbers: Set<String>
    let file: String

    func check(_ number: String, field: String) throws(Rejection) {
        guard numbers.contains(number) else {
            throw Rejection(field: field, reason: .unknownInstitution,
                            message: "institution \(Echo.text(Array(number.utf8)[...])) is not in the register (\(file))")
        }
    }

    func check(_ number: ArraySlice<UInt8>, field: String) throws(Rejection) {
        try check(String(decoding: number, as: UTF8.self), field: field)
    }
}
