import Pipeline

/// Checks that bytes are UTF-8. Runs over a whole chunk before it is parsed, with a fast
/// path for ASCII (eight bytes at a time), so the CSV loop itself never looks at encodings.
enum UTF8Check {
    /// The offset of the first byte that is not part of valid UTF-8, or nil. `c1` is set when
    /// the bytes before it hold a C1 control (`C2 80`–`C2 9F`).
    static func firstInvalid(_ p: UnsafePointer<UInt8>, count: Int, c1: inout Bool) -> Int? {
        var i = 0
        while i < count {
            // Eight ASCII bytes at a time.
            while i + 8 <= count {
                let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            guard i < count else { break }
            let c = p[i]
            if c < 0x80 { i += 1; continue }
            let need: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF   // bounds of the second byte
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; upper = 0x9F              // no UTF-16 surrogates
            case 0xF0: need = 3; lower = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; upper = 0x8F               // nothing above U+10FFFF
            default: return i
            }
            guard i + need < count else { return i }
            let second = p[i + 1]
            guard second >= lower, second <= upper else { return i }
            if c == 0xC2, second < 0xA0 { c1 = true }
            var k = 2
            while k <= need {
                guard p[i + k] & 0xC0 == 0x80 else { return i }
                k += 1
            }
            i += need + 1
        }
        return nil
    }

    /// How many bytes at the end of `count` bytes start a sequence that is not complete yet;
    /// they are held back for the next chunk, so no sequence is ever split between chunks.
    static func incompleteTail(_ p: UnsafePointer<UInt8>, count: Int) -> Int {
        var k = 1
        while k <= min(3, count) {
            let c = p[count - k]
            if c & 0xC0 != 0x80 {   // a lead byte (or ASCII)
                let length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1
                return length > k ? k : 0
            }
            k += 1
        }
        return 0
    }
}

extension UTF8Check {
    /// "UTF-32" or "UTF-16" when bytes start with that form's byte-order mark, either way
    /// round (UTF-32's little-endian one starts with UTF-16's: asked first); else UTF-16
    /// without one (`unmarkedUTF16`); nil otherwise.
    static func wideUnicodeForm(_ p: UnsafePointer<UInt8>, count: Int) -> String? {
        if count >= 4, (p[0] == 0xFF && p[1] == 0xFE && p[2] == 0 && p[3] == 0) || (p[0] == 0 && p[1] == 0 && p[2] == 0xFE && p[3] == 0xFF) {
            return "UTF-32"
        }
        if count >= 2, (p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF) { return "UTF-16" }
        return unmarkedUTF16(p, count: count)
    }

    /// "UTF-16LE" or "UTF-16BE" when nine in ten of the first characters (up to 32) are two
    /// bytes each, the high one NUL and the other not, as UTF-16 without a byte-order mark writes letters,
    /// digits and punctuation: such a file was read as text with a NUL between every two
    /// characters, and its header quoted a CPR number split by them (an adversarial review).
    static func unmarkedUTF16(_ p: UnsafePointer<UInt8>, count: Int) -> String? {
        let pairs = min(count / 2, 32)
        guard pairs >= 4 else { return nil }
        // Nine in ten: a € or a curly quote has no NUL byte.
        let low = (0..<pairs).count { p[2 * $0] != 0 && p[2 * $0 + 1] == 0 }
        let high = (0..<pairs).count { p[2 * $0] == 0 && p[2 * $0 + 1] != 0 }
        return low * 10 >= pairs * 9 ? "UTF-16LE" : high * 10 >= pairs * 9 ? "UTF-16BE" : nil
    }
}

/// Whether an export the pipeline file says is single-byte is UTF-8 after all: one that starts
/// with UTF-8's byte-order mark, or that is UTF-8 all through with letters beyond ASCII. Read
/// as declared, every æ would arrive as "Ã¦". Fed the file's bytes in order, chunk by chunk.
struct UTF8Evidence {
    /// Whether the bytes so far are UTF-8 (while they are, a reader may hold back a cut
    /// sequence itself, `UTF8Check.incompleteTail`).
    private(set) var allUTF8 = true
    private var beyondASCII = false
    /// The file's first three bytes, once read.
    private var head: [UInt8] = []
    var byteOrderMark: Bool { head == [0xEF, 0xBB, 0xBF] }
    /// A sequence cut by the last chunk's end, waiting for the bytes that complete it.
    private var cut: [UInt8] = []

    mutating func note(_ p: UnsafePointer<UInt8>, count: Int) {
        if head.count < 3 { head += UnsafeBufferPointer(start: p, count: min(3 - head.count, count)) }
        guard allUTF8 else { return }
        var start = 0
        if let lead = cut.first {
            let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
            start = min(length - cut.count, count)
            cut += UnsafeBufferPointer(start: p, count: start)
            guard cut.count == length else { return }
            var c1 = false
            allUTF8 = cut.withUnsafeBufferPointer { UTF8Check.firstInvalid($0.baseAddress!, count: length, c1: &c1) } == nil
            beyondASCII = true
            cut = []
        }
        let tail = UTF8Check.incompleteTail(p + start, count: count - start)
        let whole = UnsafeBufferPointer(start: p + start, count: count - start - tail)
        var c1 = false
        allUTF8 = allUTF8 && UTF8Check.firstInvalid(whole.baseAddress ?? p, count: whole.count, c1: &c1) == nil
        beyondASCII = beyondASCII || whole.contains { $0 >= 0x80 }
        cut = Array(UnsafeBufferPointer(start: p + count - tail, count: tail))
    }

    /// Once the whole file is fed: what shows it is UTF-8, or nil.
    var evidence: String? {
        if byteOrderMark { return "it starts with UTF-8's byte-order mark" }
        guard allUTF8, beyondASCII, cut.isEmpty else { return nil }
        return "every letter beyond ASCII in it is written as UTF-8 (æ would read as 'Ã¦')"
    }
}

/// Decodes a single-byte encoding (windows-1252, ISO-8859-1) to UTF-8 through a table.
struct SingleByteDecoder: Sendable {
    /// Per byte: its UTF-8 bytes packed little-endian and, in the top byte, their count.
    private let table: [UInt32]

    init(_ encoding: TextEncoding) {
        var table = [UInt32](repeating: 0, count: 256)
        for b in 0..<256 {
            let scalar = encoding == .windows1252 ? Windows1252.scalar(UInt8(b)) : UInt32(b)
            let utf8 = Array(String(Character(Unicode.Scalar(scalar)!)).utf8)
            var packed = UInt32(utf8.count) << 24
            for (i, u) in utf8.enumerated() { packed |= UInt32(u) << (8 * UInt32(i)) }
            table[b] = packed
        }
        self.table = table
    }

    /// Decodes `count` bytes into `out`, which must hold `3 * count` bytes (else it stops the
    /// program rather than write past it); returns the length. `c1` is set when a byte
    /// decodes to a C1 control.
    func decode(_ p: UnsafePointer<UInt8>, count: Int, into out: UnsafeMutableBufferPointer<UInt8>, c1: inout Bool) -> Int {
        // Three bytes of UTF-8 at most for each: checked once, so the loop writes unchecked.
        precondition(3 * count <= out.count, "decoding \(count) bytes into \(out.count)")
        let out = out.baseAddress!
        return table.withUnsafeBufferPointer { t in
            var o = 0
            for i in 0..<count {
                let c = p[i]
                if c < 0x80 { out[o] = c; o += 1; continue }
                let packed = t[Int(c)]
                let n = Int(packed >> 24)
                if c < 0xA0, packed & 0xFF == 0xC2 { c1 = true }
                out[o] = UInt8(truncatingIfNeeded: packed)
                out[o + 1] = UInt8(truncatingIfNeeded: packed >> 8)
                if n == 3 { out[o + 2] = UInt8(truncatingIfNeeded: packed >> 16) }
                o += n
            }
            return o
        }
    }
}

/// windows-1252: ISO-8859-1 except 0x80–0x9F, which hold € ‚ ƒ „ … and friends.
enum Windows1252 {
    /// Names a document may declare it by (lowercased).
    static let names: Set<String> = ["windows-1252", "cp1252", "x-cp1252"]

    /// The five bytes windows-1252 leaves undefined pass through as the C1 control of the
    /// same number (as WHATWG's decoder does), so no byte is ever lost: a record holding one
    /// is rejected as holding a control character.
    private static let high: [UInt32?] = [
        0x20AC, nil, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, nil, 0x017D, nil,
        nil, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, nil, 0x017E, 0x0178,
    ]

    static func scalar(_ b: UInt8) -> UInt32 {
        (0x80...0x9F).contains(b) ? high[Int(b) - 0x80] ?? UInt32(b) : UInt32(b)
    }
}
