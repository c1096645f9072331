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

    /// The record, or nil when it is merged into the institution read before with its number.
    mutating func validate(_ r: SourceRecord) throws(Rejection) -> InstitutionRecord? {
        let number = try checks.requiredText(r, nummer)
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

/// The institution numbers of the register, read first: assignments and enrolments must
/// name one of them.
///
/// Two million rows a night ask: a number of at most seven ASCII bytes is looked up as one
/// integer (`packed`), without hashing its bytes; longer ones go through `numbers`.
struct Register: Sendable {
    /// Exact bytes, as `InstitutionValidator.numbers`.
    let numbers: Set<[UInt8]>
    let file: String
    /// The packed numbers in open addressing (0: empty; no packed number is 0, its length
    /// being in the top byte), at most half full: a lookup is a multiply and a load or two, where `Set`'s SipHash was 2 % of a
    /// national extract.
    private let packed: [UInt64]
    /// The numbers beyond ASCII as Strings, which compare canonically equivalent texts equal:
    /// for the message of a number the register has in another Unicode form only.
    private let lookalikes: Set<String>

    init(numbers: Set<[UInt8]>, file: String) {
        self.numbers = numbers
        self.file = file
        lookalikes = Set(numbers.filter { $0.contains { $0 >= 0x80 } }.map { String(decoding: $0, as: UTF8.self) })
        var size = 16
        while size < numbers.count * 2 { size *= 2 }
        var slots = [UInt64](repeating: 0, count: size)
        for n in numbers {
            guard let key = n.withUnsafeBytes(Self.pack) else { continue }
            var i = slotHash(key, mask: slots.count - 1)
            while slots[i] != 0, slots[i] != key { i = (i + 1) & (slots.count - 1) }
            slots[i] = key
        }
        packed = slots
    }

    @inline(__always) private func contains(_ key: UInt64) -> Bool {
        let mask = packed.count - 1
        var i = slotHash(key, mask: mask)
        while true {
            let slot = packed[i]
            if slot == key { return true }
            if slot == 0 { return false }
            i = (i + 1) & mask
        }
    }

    /// The bytes and their count in one integer; nil when empty, longer than seven or not ASCII.
    /// Four to seven bytes (every institution number seen) are two four-byte loads that
    /// overlap, the second shifted to its place: no loop over the bytes.
    @inline(__always) static func pack(_ b: UnsafeRawBufferPointer) -> UInt64? {
        guard b.count <= 7, let p = b.baseAddress, !b.isEmpty else { return nil }
        var v: UInt64
        if b.count >= 4 {
            let last = UInt64(p.loadUnaligned(fromByteOffset: b.count &- 4, as: UInt32.self))
            v = UInt64(p.loadUnaligned(as: UInt32.self)) | last << (8 &* UInt64(b.count &- 4))
        } else {
            v = 0
            for i in 0..<b.count { v |= UInt64(b[i]) << (8 &* UInt64(i)) }
        }
        guard v & 0x8080_8080_8080_8080 == 0 else { return nil }
        return v | UInt64(b.count) << 56
    }

    func check(_ number: String, field: String) throws(Rejection) {
        guard numbers.contains(Array(number.utf8)) else { throw unknown(number, field: field) }
    }

    func check(_ number: UnsafeRawBufferPointer, field: String) throws(Rejection) {
        if let key = Self.pack(number) {
            guard contains(key) else { throw unknown(String(decoding: number, as: UTF8.self), field: field) }
            return
        }
        guard numbers.contains(Array(number)) else { throw unknown(String(decoding: number, as: UTF8.self), field: field) }
    }

    private func unknown(_ number: String, field: String) -> Rejection {
        let bytes = Array(number.utf8)[...]
        // A lookalike, or what cannot be seen, explains more than what the number looks like.
        let twin = lookalikes.contains(number) ? "; the register has a number that looks the same, written with other code points (another Unicode form)" : ""
        let unseen = twin + Self.unseen(number)
        let looks = unseen.isEmpty ? ValueShape(bytes).phrase.map { ": \($0) in the number field: are two columns swapped?" } ?? "" : unseen
        return Rejection(field: field, reason: .unknownInstitution,
                         message: "institution \(Echo.text(bytes)) is not in the register (\(file))\(looks)")
    }

    /// What a reader of the message cannot see in a number that looks like a known one: a
    /// space beyond ASCII's, a character drawn as nothing, a combining mark (`A` + ring
    /// shows as `Å`, and is another number than `Å`), a control character (shown as `?`).
    static func unseen(_ number: String) -> String {
        let scalars = Set(number.unicodeScalars.filter {
            ($0.value >= 0x80 && $0.properties.isWhitespace) || CPRInText.isInvisible($0) || Echo.isUnshowable($0)
        })
        guard !scalars.isEmpty else { return "" }
        let codes = scalars.map(\.value).sorted().map { value -> String in
            let hex = String(value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
        return "; it holds " + codes.joined(separator: ", ") + ", which does not show as itself (a space, nothing, part of the character before, or ?)"
    }
}
