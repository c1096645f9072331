/// A calendar day as a compact number: days since 1970-01-01 (negative before).
///
/// Every date in the pipeline is a `Day`; intervals are inclusive at both ends
/// (`metrics.md`), so arithmetic on days is plain integer arithmetic.
package struct Day: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    package var rawValue: Int32

    package init(rawValue: Int32) { self.rawValue = rawValue }

    /// The day for a proleptic Gregorian date, or nil when that date does not exist.
    package init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Day.daysIn(month: month, year: year) else { return nil }
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        self.rawValue = Int32(era * 146097 + doe - 719468)
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

    package static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    package static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    package static func < (a: Day, b: Day) -> Bool { a.rawValue < b.rawValue }
    package static func + (a: Day, n: Int32) -> Day { Day(rawValue: a.rawValue + n) }
    package static func - (a: Day, n: Int32) -> Day { Day(rawValue: a.rawValue - n) }
    /// Days from `b` to `a`.
    package static func - (a: Day, b: Day) -> Int32 { a.rawValue - b.rawValue }

    /// ISO `yyyy-mm-dd`, the form of every stage file and of PostgreSQL's `date`.
    package var iso: String {
        let (y, m, d) = civil
        return String(y) + "-" + (m < 10 ? "0" : "") + String(m) + "-" + (d < 10 ? "0" : "") + String(d)
    }

    package var description: String { iso }

    /// Parses ISO `yyyy-mm-dd`.
    package init?(iso text: some StringProtocol) {
        guard let day = DateFormat.iso.parse(Array(text.utf8)[...]) else { return nil }
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
        let s = b.startIndex
        func num(_ from: Int, _ count: Int) -> Int? {
            var v = 0
            for i in 0..<count {
                let c = b[s + from + i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        switch self {
        case .danish, .danishDotted:
            let sep: UInt8 = self == .danish ? 45 : 46
            guard b.count == 10, b[s + 2] == sep, b[s + 5] == sep,
                  let d = num(0, 2), let m = num(3, 2), let y = num(6, 4) else { return nil }
            return Day(year: y, month: m, day: d)
        case .iso:
            guard b.count == 10, b[s + 4] == 45, b[s + 7] == 45,
                  let y = num(0, 4), let m = num(5, 2), let d = num(8, 2) else { return nil }
            return Day(year: y, month: m, day: d)
        case .compact:
            guard b.count == 8, let y = num(0, 4), let m = num(4, 2), let d = num(6, 2) else { return nil }
            return Day(year: y, month: m, day: d)
        }
    }

    /// Whether the bytes have this layout's shape, whether or not the day exists.
    /// Tells "not a date" from "a date that does not exist" in reject reasons.
    package func matchesShape(_ b: ArraySlice<UInt8>) -> Bool {
        let digits: (UInt8) -> Bool = { $0 >= 48 && $0 <= 57 }
        let pattern: [Bool?]  // true: digit, nil: separator position
        switch self {
        case .danish, .danishDotted: pattern = [true, true, nil, true, true, nil, true, true, true, true]
        case .iso: pattern = [true, true, true, true, nil, true, true, nil, true, true]
        case .compact: pattern = Array(repeating: true, count: 8)
        }
        guard b.count == pattern.count else { return false }
        let sep: UInt8 = self == .danishDotted ? 46 : 45
        for (i, p) in pattern.enumerated() {
            let c = b[b.startIndex + i]
            if p == nil ? c != sep : !digits(c) { return false }
        }
        return true
    }
}
