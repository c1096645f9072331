/// Masking what the tool writes for people: every CPR-shaped number in a message, a path or
/// a name replaced by its masked form.
extension CPRInText {
    /// The text with every CPR-shaped number replaced by `replacement(number)`, but those
    /// `skipping` keeps; nil when it holds none to replace.
    static func replacingAll(in text: ArraySlice<UInt8>, skipping: (UnsafeBufferPointer<UInt8>, Range<Int>) -> Bool = { _, _ in false },
                             lostLeadingZero: Bool = false, with replacement: (UInt64) -> [UInt8]) -> (text: [UInt8], count: Int)? {
        text.withUnsafeBufferPointer { p -> ([UInt8], Int)? in
            var out: [UInt8] = []
            var done = 0, count = 0
            for m in all(in: p, lostLeadingZero: lostLeadingZero) {
                if skipping(p, m.range) { continue }
                out.append(contentsOf: p[done..<m.range.lowerBound])
                out.append(contentsOf: replacement(m.number))
                done = m.range.upperBound
                count += 1
            }
            guard count > 0 else { return nil }
            out.append(contentsOf: p[done...])
            return (out, count)
        }
    }

    /// `text` with every CPR-shaped number masked (`DDMMYY-****`): the last guard of what
    /// the tool writes for people (log lines, errors in the ledger), where a file or folder
    /// name could carry one.
    /// Digits inside a run of hex digits as long as a checksum or a child key (32, 40, 64, 96
    /// or 128) are no CPR number: they are left as they are, unless `keepingChecksums` is
    /// false. Any other length is masked: a number put after 24 hex letters (a folder name)
    /// passed as a checksum (a review).
    package static func masking(_ text: String, keepingChecksums: Bool = true) -> String {
        guard let (masked, _) = replacingAll(in: Array(text.utf8)[...], skipping: keepingChecksums ? insideHex : { _, _ in false },
                                             with: masked) else { return text }
        return String(decoding: masked, as: UTF8.self)
    }

    /// Whether a name the tool would keep and show (a path, a folder's, a role's) holds a
    /// CPR-shaped number, in a run of hex digits too: a name is chosen by whoever wrote it,
    /// and 22 hex letters before a number made it pass as a checksum (an adversarial review).
    /// `masking(_, keepingChecksums: false)` shows such a name.
    package static func isIn(name: String) -> Bool {
        masking(name, keepingChecksums: false) != name
    }

    private static func insideHex(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c | 0x20) &- 0x61 < 6 }
        var s = range.lowerBound, e = range.upperBound
        guard p[s..<e].allSatisfy(isHex) else { return false }
        while s > 0, isHex(p[s - 1]) { s -= 1 }
        while e < p.count, isHex(p[e]) { e += 1 }
        return [32, 40, 64, 96, 128].contains(e - s)
    }

    /// The masked form for messages: the birth date kept, the serial starred (`DDMMYY-****`).
    static func masked(_ number: UInt64) -> [UInt8] {
        var out = [UInt8](repeating: 48, count: 6)
        var v = number / 10_000
        for k in stride(from: 5, through: 0, by: -1) { out[k] = UInt8(48 + v % 10); v /= 10 }
        return out + Array("-****".utf8)
    }
}
