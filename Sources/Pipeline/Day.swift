/// A calendar day as a compact number: days since 1970-01-01 (negative before).
///
/// Every date in the pipeline is a `Day`; intervals are inclusive at both ends
/// (`metrics.md`), so arithmetic on days is plain integer arithmetic.
package struct Day: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    package var rawValue: Int32

    package init(rawValue: Int32) { self.rawValue = rawValue }

    /// The day for a proleptic Gregorian date, or nil when that date does not exist or lies
    /// beyond what a `Day` holds (± 5 million years).
    ///
    /// Without a branch on the month: parsing a date a field, a switch on random months was
    /// mispredicted often enough to cost a third of the call (docs/benchmarks.md).
    package init?(year: Int, month: Int, day: Int) {
        guard UInt(bitPattern: month &- 1) < 12, UInt(bitPattern: year &+ 5_000_000) <= 10_000_000,
              UInt(bitPattern: day &- 1) < UInt(Day.daysIn(month: month, year: year)) else { return nil }
        rawValue = Day.daysFromCivil(year: year, month: month, day: day)
    }

    /// Howard Hinnant's days_from_civil, on a year moved by a multiple of 400 years so that
    /// it is never negative: unsigned division by constants, no branch on the era.
    @inline(__always)
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int32 {
        let shift = 5_000_400   // ≥ 5 million, a multiple of 400
        let y = UInt64(truncatingIfNeeded: year &+ shift &- (month <= 2 ? 1 : 0))
        let mp = UInt64(truncatingIfNeeded: month <= 2 ? month &+ 9 : month &- 3)
        let doy = (153 &* mp &+ 2) / 5 &+ UInt64(truncatingIfNeeded: day) &- 1
        let days = y &* 365 &+ y / 4 &- y / 100 &+ y / 400 &+ doy
        return Int32(truncatingIfNeeded: Int64(bitPattern: days) &- Int64(shift / 400 * 146_097 + 719_468))
    }

    /// Year, month and day of month.
    package var civil: (year: Int, month: Int, day: Int) {
        let z = Int(rawValue) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    package var year: Int { civil.year }

    /// The first day of `year`.
    package static func january1(_ year: Int) -> Day { Day(year: year, month: 1, day: 1)! }

    package static func isLeap(_ year: Int) -> Bool { year & 3 == 0 && (year % 100 != 0 || year % 400 == 0) }

    /// The length of `month` (1–12): each month's less 28, two bits a month from January in
    /// the low bits, so that no branch depends on the month.
    @inline(__always)
    package static func daysIn(month: Int, year: Int) -> Int {
        let lengths: UInt32 = 0b11_10_11_10_11_11_10_11_10_11_00_11
        return 28 &+ Int((lengths >> UInt32(truncatingIfNeeded: (month &- 1) &* 2)) & 3) &+ (month == 2 && isLeap(year) ? 1 : 0)
    }

    package static func < (a: Day, b: Day) -> Bool { a.rawValue < b.rawValue }
    package static func + (a: Day, n: Int32) -> Day { Day(rawValue: a.rawValue + n) }
    package static func - (a: Day, n: Int32) -> Day { Day(rawValue: a.rawValue - n) }
    /// Days from `b` to `a`.
    package static func - (a: Day, b: Day) -> Int32 { a.rawValue - b.rawValue }

    /// ISO `yyyy-mm-dd`, the form of every stage file and of PostgreSQL's `date`.
    package var iso: String {
        withUnsafeTemporaryAllocation(byteCount: Self.isoMaxBytes, alignment: 1) { p in
            String(decoding: UnsafeRawBufferPointer(start: p.baseAddress!, count: writeISO(to: p.baseAddress!)), as: UTF8.self)
        }
    }

    /// The most bytes `writeISO` writes.
    package static let isoMaxBytes = 24

    /// Writes `yyyy-mm-dd` at `p` (the year in four digits or more, month and day in two) and
    /// returns how many bytes: the one formatting of a day, for every file. `table` is
    /// `isoTable`, held by the caller: read from the lazy global, each day paid a call to
    /// check its once-token.
    @inline(__always)
    package func writeISO(to p: UnsafeMutableRawPointer, table: ISOTable = Day.isoTable) -> Int {
        let offset = Int(rawValue) - Int(ISODays.first)
        guard offset >= 0, offset < ISODays.count else { return writeISOSlowly(to: p) }
        table.text.withUnsafeBytes { p.copyMemory(from: $0.baseAddress! + offset * 10, byteCount: 10) }
        return 10
    }

    /// The `yyyy-mm-dd` of every day `writeISO` writes from a table, ten bytes each; only
    /// `Day` makes one, so `writeISO` never reads another array.
    package struct ISOTable: Sendable {
        fileprivate let text: [UInt8]
    }

    package static var isoTable: ISOTable { ISOTable(text: ISODays.text) }

    /// Any year, through strings: for the days the table does not hold, and to check it.
    func writeISOSlowly(to p: UnsafeMutableRawPointer) -> Int {
        let (y, m, d) = civil
        var n = 0
        func put(_ b: UInt8) { p.storeBytes(of: b, toByteOffset: n, as: UInt8.self); n += 1 }
        if y < 0 { put(0x2D) }
        let digits = Array(String(y.magnitude).utf8)
        for _ in digits.count..<max(digits.count, 4) { put(0x30) }   // PostgreSQL's form: at least four digits
        for b in digits { put(b) }
        put(0x2D); put(UInt8(48 + m / 10)); put(UInt8(48 + m % 10))
        put(0x2D); put(UInt8(48 + d / 10)); put(UInt8(48 + d % 10))
        return n
    }

    package var description: String { iso }

    /// Parses ISO `yyyy-mm-dd`.
    package init?(iso text: some StringProtocol) {
        var text = String(text)
        guard let day = text.withUTF8({ DateFormat.iso.parse(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = day
    }
}

/// A date layout an export may use. `exports.md`: `dd-mm-yyyy` by default, ISO accepted.
package enum DateFormat: String, Sendable, CaseIterable, Codable {
    case danish = "dd-mm-yyyy"
    case iso = "yyyy-mm-dd"
    case danishDotted = "dd.mm.yyyy"
    case compact = "yyyymmdd"

    /// Parses the bytes of a field; nil when they do not match this layout or name no real day.
    package func parse(_ b: ArraySlice<UInt8>) -> Day? {
        b.withUnsafeBytes { parse($0) }
    }

    /// The years a date of an export may have: four digits from 1000 on. Earlier ones are
    /// typos (`0201` for `2021`), and PostgreSQL has no year 0.
    package static var years: ClosedRange<Int> { 1000...9999 }

    /// Parses the bytes of a field; nil when they do not match this layout or name no real day.
    package func parse(_ b: UnsafeRawBufferPointer) -> Day? {
        guard let (y, m, d) = parts(b), Self.years.contains(y) else { return nil }
        return Day(year: y, month: m, day: d)
    }

    /// The year, month and day the bytes give in this layout, whether or not they name a day.
    package func parts(_ b: UnsafeRawBufferPointer) -> (year: Int, month: Int, day: Int)? {
        // At most four digits: wrapping arithmetic cannot overflow.
        @inline(__always) func num(_ from: Int, _ count: Int) -> Int? {
            var v = 0
            for i in from..<(from &+ count) {
                let c = b[i] &- 48
                guard c < 10 else { return nil }
                v = v &* 10 &+ Int(c)
            }
            return v
        }
        switch self {
        case .danish, .danishDotted:
            let sep: UInt8 = self == .danish ? 45 : 46
            guard b.count == 10, b[2] == sep, b[5] == sep,
                  let d = num(0, 2), let m = num(3, 2), let y = num(6, 4) else { return nil }
            return (y, m, d)
        case .iso:
            guard b.count == 10, b[4] == 45, b[7] == 45,
                  let y = num(0, 4), let m = num(5, 2), let d = num(8, 2) else { return nil }
            return (y, m, d)
        case .compact:
            guard b.count == 8, let y = num(0, 4), let m = num(4, 2), let d = num(6, 2) else { return nil }
            return (y, m, d)
        }
    }

    /// Whether the bytes have this layout's shape, whether or not the day exists.
    /// Tells "not a date" from "a date that does not exist" in reject reasons.
    package func matchesShape(_ b: ArraySlice<UInt8>) -> Bool {
        b.withUnsafeBytes { parts($0) != nil }
    }
}

/// `yyyy-mm-dd` of every day from 1900 to 2199, made once: formatting a day per field was a
/// visible cost in extract and transform (docs/benchmarks.md).
private enum ISODays {
    // Literals, not `Day.january1(…)`: a computed static is a lazy global, and each use
    // would check its once-token (`swift_once`) per day written.
    static let first: Int32 = -25_567   // 1900-01-01
    static let count = 109_573          // days to 2200-01-01
    /// Written day after day, by the calendar: through `writeISOSlowly`'s strings and civil
    /// dates, making it took 10 ms, 1 % of a national extract (docs/benchmarks.md).
    static let text: [UInt8] = {
        var text = [UInt8](repeating: 0, count: count * 10)
        text.withUnsafeMutableBytes { t in
            func two(_ n: Int, at o: Int) { t[o] = UInt8(48 + n / 10); t[o + 1] = UInt8(48 + n % 10) }
            var o = 0
            for year in 1900..<2200 {
                for month in 1...12 {
                    for day in 1...Day.daysIn(month: month, year: year) {
                        two(year / 100, at: o); two(year % 100, at: o + 2); t[o + 4] = 0x2D
                        two(month, at: o + 5); t[o + 7] = 0x2D; two(day, at: o + 8)
                        o += 10
                    }
                }
            }
            precondition(o == t.count)
        }
        return text
    }()
}
