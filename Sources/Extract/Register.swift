import Pipeline

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
    /// The forms of the register's numbers (`form`), and what they look like (`ValueShape`):
    /// a number of one of those forms is not called a name in a message (`NOPE-1` beside
    /// `DI-001`, a review found), nor one of those shapes a date (a register of dates).
    private let forms: Set<[UInt8]>
    private let shapes: Set<ValueShape>

    init(numbers: Set<[UInt8]>, file: String) {
        self.numbers = numbers
        self.file = file
        lookalikes = Set(numbers.filter { $0.contains { $0 >= 0x80 } }.map { String(decoding: $0, as: UTF8.self) })
        forms = Set(numbers.map(Self.form))
        shapes = Set(numbers.map { ValueShape($0[...]) })
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
        let twin = lookalikes.contains(number) ? "; the register has a number that looks the same, written with other code points (another Unicode form)"
            : numbers.first { $0.count == bytes.count && String(decoding: $0, as: UTF8.self).lowercased() == number.lowercased() }
                .map { "; the register has \(Echo.text($0)), in another case (numbers are matched exactly)" } ?? ""
        let unseen = twin + Self.unseen(number)
        let shape = ValueShape(bytes)
        let told = (shape == .name ? forms.contains(Self.form(bytes)) : shapes.contains(shape)) ? nil : shape.phrase
        let looks = unseen.isEmpty ? told.map { ": \($0) in the number field: are two columns swapped?" } ?? "" : unseen
        return Rejection(field: field, reason: .unknownInstitution,
                         message: "institution \(Echo.text(bytes)) is not in the register (\(file))\(looks)")
    }

    /// A number's form: each run of letters `A`, of digits `9`, other bytes as they are
    /// (`DI-001` and `NOPE-1` are both `A-9`).
    static func form(_ number: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        for c in number {
            let k: UInt8 = c &- 48 < 10 ? 0x39 : (c | 0x20) &- 0x61 < 26 || c >= 0x80 ? 0x41 : c
            if k != out.last || (k != 0x39 && k != 0x41) { out.append(k) }
        }
        return out
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
