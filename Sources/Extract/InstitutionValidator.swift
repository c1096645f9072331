import Pipeline

/// The register: `nummer` is required and unique, and matches the source's `nummer_pattern`
/// when it has one; `pladser` a whole number; `oprettet`/`nedlagt` dates, `nedlagt` not
/// before `oprettet`. `navn`, `type`, `bydel`, `klynge` are copied as given (empty: "" or NULL).
///
/// A number read before, with the same name, is the same institution at another address
/// (a register published one row per address): merged into the first row, whose values are
/// kept. With another name it is a `duplicate_institution` reject naming both lines.
struct InstitutionValidator {
    let checks: FieldChecks
    /// Where a record is in its file, for messages: "line" (CSV) or "record" (XML).
    let unit: String
    private let pattern: (text: String, regex: Regex<AnyRegexOutput>)?
    /// Accepted numbers' bytes → where they were read, their name as given and folded. Bytes,
    /// not Strings: a String compares canonically equivalent texts (`Å` and `A` + ring) equal,
    /// and every other stage compares numbers as exact text.
    private(set) var numbers: [[UInt8]: (line: Int, name: String, folded: String)] = [:]
    // Contract field indices (`SourceKind.institutions.fields`).
    private let nummer = 0, navn = 1, type = 2, bydel = 3, klynge = 4, pladser = 5, oprettet = 6, nedlagt = 7

    init(source: PipelineConfig.Source) {
        checks = FieldChecks(kind: .institutions, formats: source.dateFormats)
        unit = source.format == .csv ? "line" : "record"
        // Checked when the pipeline file was read.
        pattern = source.numberPattern.flatMap { p in (try? Regex(p)).map { (p, $0) } }
    }

    /// Far longer than any register's number. Over about 2,700 bytes the warehouse's indexes
    /// on it (`warehouse.evaluation_left_out`, the national snapshot's panel) refuse it, which
    /// failed every load with no record named (an adversarial review).
    static let maximumNumberBytes = 100

    /// The record, or nil when it is merged into the institution read before with its number.
    mutating func validate(_ r: SourceRecord) throws(Rejection) -> InstitutionRecord? {
        let number = try checks.requiredText(r, nummer)
        guard number.utf8.count <= Self.maximumNumberBytes else {
            throw Rejection(field: "nummer", reason: .invalidInstitutionNumber, message:
                "nummer of \(number.utf8.count) bytes, longer than the \(Self.maximumNumberBytes) an institution number may have")
        }
        let name = checks.optionalText(r, navn) ?? ""
        let folded = Self.fold(name)
        if let first = numbers[Array(number.utf8)] {
            // Names, unlike numbers, are compared leniently (case, spaces, Unicode form): the same name at another address.
            if first.folded == folded { return nil }
            throw Rejection(field: "nummer", reason: .duplicateInstitution, message:
                "institution \(Echo.text(number.utf8)) is named '\(Echo.text(name.utf8))' here and "
                + "'\(Echo.text(first.name.utf8))' on \(unit) \(first.line): two institutions with one number? The first is kept")
        }
        if let pattern, (try? pattern.regex.firstMatch(in: number)) == nil {
            throw Rejection(field: "nummer", reason: .invalidInstitutionNumber, message: describeBadNumber(number, r, pattern.text))
        }
        let places = try checks.optionalCount(r, pladser)
        let opened = try checks.optionalDate(r, oprettet)
        let closed = try checks.optionalDate(r, nedlagt)
        try checks.endBeforeStart(r, closed, nedlagt, opened, oprettet)
        numbers[Array(number.utf8)] = (r.line, name, folded)
        return InstitutionRecord(
            number: number, name: name, type: checks.optionalText(r, type) ?? "",
            district: checks.optionalText(r, bydel) ?? "", cluster: checks.optionalText(r, klynge),
            places: places, opened: opened, closed: closed, line: r.line)
    }

    /// Names compare without case and with runs of white space as one space.
    static func fold(_ name: String) -> String {
        foldLatin1(name) ?? foldCharacters(name)
    }

    /// `foldCharacters` of a name all in Latin-1 (U+0000–U+00FF: Danish names are), byte by
    /// byte; nil for any other name. In that range a character is one scalar (a CR LF pair is
    /// white space either way), lowercasing is A–Z and À–Þ but × plus 0x20, and the white space
    /// beyond ASCII is U+0085 and U+00A0. A national register's 5,000 names took 27 ms through
    /// Characters, 1.7 ms so (docs/benchmarks.md).
    static func foldLatin1(_ name: String) -> String? {
        var folded: [UInt8] = []
        folded.reserveCapacity(name.utf8.count)
        var space = false
        var bytes = name.utf8.makeIterator()
        while let lead = bytes.next() {
            let white: Bool
            var trail: UInt8?
            var first = lead
            switch lead {
            case 0..<0x80:
                white = lead == 0x20 || (0x09...0x0D).contains(lead)
                if (0x41...0x5A).contains(lead) { first = lead | 0x20 }
            case 0xC2, 0xC3:
                guard var t = bytes.next() else { return nil }
                white = lead == 0xC2 && (t == 0x85 || t == 0xA0)
                if lead == 0xC3, (0x80...0x9E).contains(t), t != 0x97 { t |= 0x20 }
                trail = t
            default:
                return nil
            }
            if white { space = !folded.isEmpty; continue }
            if space { folded.append(0x20); space = false }
            folded.append(first)
            if let trail { folded.append(trail) }
        }
        return String(decoding: folded, as: UTF8.self)
    }

    /// Any name, character by character. An ASCII character's white space is told without
    /// Unicode's tables.
    static func foldCharacters(_ name: String) -> String {
        var folded = ""
        var space = false
        for c in name.lowercased() {
            let white = c.asciiValue.map { $0 == 0x20 || (0x09...0x0D).contains($0) } ?? c.isWhitespace
            if white {
                space = !folded.isEmpty
            } else {
                if space { folded.append(" "); space = false }
                folded.append(c)
            }
        }
        return folded
    }

    /// Says what a number that fails the pattern looks like, and whether `navn` holds the number.
    private func describeBadNumber(_ number: String, _ r: SourceRecord, _ pattern: String) -> String {
        let bytes = Array(number.utf8)[...]
        var message = "nummer '\(Echo.text(bytes))' does not match nummer_pattern '\(pattern)'"
        if let looks = ValueShape(bytes).phrase {
            message += ": \(looks) in the number field"
            if let name = r.value(navn), let regex = self.pattern?.regex,
               (try? regex.firstMatch(in: String(decoding: name, as: UTF8.self))) != nil {
                message += ", and navn '\(Echo.text(name))' looks like a number: are nummer and navn swapped?"
            } else {
                message += ": are two columns swapped?"
            }
        }
        return message
    }
}
