import Pipeline

/// A valid CPR number: ten digits and the birth day they encode. Personal data: it never
/// leaves extract in clear; messages use `masked` (`DDMMYY-****`) only.
struct CPR: Hashable {
    /// The ten digits as one number (a cheap key for the pseudonym cache).
    let number: UInt64
    let birth: Day

    /// The normalised form, `DDMMYYSSSS`, as ASCII digits: what the pseudonym is made of.
    var normalised: [UInt8] { withNormalised { Array($0) } }

    /// Why a text is not a valid CPR number; the message holds the masked form only.
    struct Invalid: Error, Equatable {
        let masked: String
        let message: String
    }

    /// `body` with the normalised form on the stack (no allocation: once per child of a run).
    func withNormalised<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeTemporaryAllocation(byteCount: 10, alignment: 8) { out in
            let day = number / 100_000_000, rest = number &- day &* 100_000_000
            out.storeBytes(of: UInt8(truncatingIfNeeded: 48 &+ day / 10), toByteOffset: 0, as: UInt8.self)
            out.storeBytes(of: UInt8(truncatingIfNeeded: 48 &+ day % 10), toByteOffset: 1, as: UInt8.self)
            out.storeBytes(of: ASCIIDigits.eight(rest), toByteOffset: 2, as: UInt64.self)
            return body(UnsafeRawBufferPointer(out))
        }
    }

    /// Parses `DDMMYYSSSS` or `DDMMYY-SSSS` (`exports.md`: after removing one `-`, ten digits
    /// whose date exists; the 7th digit and the year fix the century). Modulus 11 is not a rule.
    static func parse(_ text: ArraySlice<UInt8>) -> Result<CPR, Invalid> {
        text.withUnsafeBytes(parse)
    }

    static func parse(_ text: UnsafeRawBufferPointer) -> Result<CPR, Invalid> {
        guard let number = number(text) else {
            return .failure(Invalid(masked: mask(text), message: "not ten digits after removing one '-'"))
        }
        return of(number, text: text)
    }

    /// The ten digits left after removing one `-`, as a number; nil when they are not that.
    @inline(__always)
    static func number(_ text: UnsafeRawBufferPointer) -> UInt64? { tenDigits(text) ?? digits(text) }

    /// The CPR number of ten digits read from `text` (for the message), if their date exists.
    static func of(_ number: UInt64, text: UnsafeRawBufferPointer) -> Result<CPR, Invalid> {
        let day = Int(number / 100_000_000), month = Int(number / 1_000_000 % 100), yy = Int(number / 10_000 % 100)
        let seventh = Int(number / 1000 % 10)
        guard let birth = Day(year: century(seventh: seventh, yy: yy) + yy, month: month, day: day) else {
            return .failure(Invalid(masked: mask(text), message: "its date does not exist"))
        }
        return .success(CPR(number: number, birth: birth))
    }

    /// Ten bytes that are ten digits, or `DDMMYY-SSSS`, as a number, eight digits at once
    /// (almost every CPR field of an export); nil for any other text, which `digits` then reads.
    @inline(__always)
    static func tenDigits(_ text: UnsafeRawBufferPointer) -> UInt64? {
        guard let p = text.baseAddress else { return nil }
        let head: UInt64, tail: UInt64   // the first eight digits, the first in the lowest byte; the last two
        switch text.count {
        case 10:
            head = p.loadUnaligned(as: UInt64.self)
            tail = UInt64(p.loadUnaligned(fromByteOffset: 8, as: UInt16.self))
        case 11:
            guard p.load(fromByteOffset: 6, as: UInt8.self) == 0x2D else { return nil }
            head = p.loadUnaligned(as: UInt64.self) & 0x0000_FFFF_FFFF_FFFF
                | UInt64(p.loadUnaligned(fromByteOffset: 7, as: UInt16.self)) << 48
            tail = UInt64(p.loadUnaligned(fromByteOffset: 9, as: UInt16.self))
        default:
            return nil
        }
        // A byte is a digit when it is 0x3_ and still 0x3_ with 6 added (no carry: all are 0x3_).
        let high: UInt64 = 0xF0F0_F0F0_F0F0_F0F0, zeros: UInt64 = 0x3030_3030_3030_3030
        guard head & high == zeros, (head &+ 0x0606_0606_0606_0606) & high == zeros,
              tail & 0xF0F0 == 0x3030, (tail &+ 0x0606) & 0xF0F0 == 0x3030 else { return nil }
        // Pairs, then the pairs' pairs (Lemire's eight-digit parse).
        var v = head &- zeros
        v = v &* 10 &+ (v >> 8)
        let pairs: UInt64 = 0x0000_00FF_0000_00FF
        v = ((v & pairs) &* (100 &+ (1_000_000 << 32)) &+ ((v >> 16) & pairs) &* (1 &+ (10_000 << 32))) >> 32
        let t = tail &- 0x3030
        return v &* 100 &+ (t & 0xFF) &* 10 &+ (t >> 8)
    }

    /// The ten digits left after removing one `-`, as a number; nil when they are not that.
    /// One pass over raw bytes, no allocation.
    @inline(__always)
    static func digits(_ text: UnsafeRawBufferPointer) -> UInt64? {
        guard text.count == 10 || text.count == 11 else { return nil }
        var number: UInt64 = 0
        var dashes = 0
        for c in text {
            if c == 0x2D, dashes == 0 { dashes = 1; continue }
            let d = c &- 48
            guard d < 10 else { return nil }
            number = number &* 10 &+ UInt64(d)
        }
        return text.count - dashes == 10 ? number : nil
    }

    /// The century of the two-digit year, from the 7th digit (`exports.md`'s table).
    static func century(seventh: Int, yy: Int) -> Int {
        switch seventh {
        case 0...3: 1900
        case 4, 9: yy <= 36 ? 2000 : 1900
        default: yy <= 57 ? 2000 : 1800   // 5–8
        }
    }

    /// `DDMMYY-****` when the text starts with six digits, a star for each character after
    /// them (`538291` has none: "538291-****" told of digits that were not there, a review),
    /// else a placeholder: the raw text of a CPR field is never echoed.
    static func mask(_ text: some Sequence<UInt8>) -> String {
        let kept = text.filter { $0 != 0x2D }
        guard kept.count >= 6, kept.prefix(6).allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return "(not a CPR number)" }
        let rest = kept.count - 6
        let stars = rest == 0 ? "" : "-" + String(repeating: "*", count: min(rest, 8)) + (rest > 8 ? "…" : "")
        return String(decoding: kept.prefix(6), as: UTF8.self) + stars
    }
}
