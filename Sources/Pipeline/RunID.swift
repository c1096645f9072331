import Foundation

/// A run's identity: its start time in UTC to the millisecond, `yyyymmddhhmmssSSS`, a
/// number that sorts by time. Ids of runs made before milliseconds were added have 14 digits
/// (`yyyymmddhhmmss`) and sort before every newer one. A new id is never one the ledger or
/// the state directory already holds (`PipelineRunner`), so an id is never used twice.
package struct RunID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    package var rawValue: Int64
    package init(rawValue: Int64) { self.rawValue = rawValue }

    /// 17 digits, or 14 for a run made before milliseconds were added.
    package init?(_ text: String) {
        guard text.count == 17 || text.count == 14, text.allSatisfy(\.isASCII), let v = Int64(text), v > 0 else { return nil }
        rawValue = v
    }

    /// The id of a run started at `date` (the millisecond it falls in).
    package static func at(_ date: Date) -> RunID {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let (days, second) = seconds.quotient.quotientAndRemainder(dividingBy: 86_400)
        let civil = Day(rawValue: Int32(days)).civil
        let hms = (second / 3600) * 10_000 + (second % 3600 / 60) * 100 + second % 60
        let ymd = (Int64(civil.year) * 100 + Int64(civil.month)) * 100 + Int64(civil.day)
        return RunID(rawValue: (ymd * 1_000_000 + hms) * 1000 + seconds.remainder)
    }

    /// The time the id names, or nil for one that names no time.
    package var date: Date? {
        let digits = description
        guard digits.count == 17 || digits.count == 14 else { return nil }
        func part(_ from: Int, _ length: Int) -> Int64? {
            let start = digits.index(digits.startIndex, offsetBy: from)
            return Int64(digits[start..<digits.index(start, offsetBy: length)])
        }
        guard let y = part(0, 4), let mo = part(4, 2), let d = part(6, 2), let h = part(8, 2), let mi = part(10, 2),
              let s = part(12, 2), h < 24, mi < 60, s < 60,
              let day = Day(year: Int(y), month: Int(mo), day: Int(d)) else { return nil }
        let ms = digits.count == 17 ? (part(14, 3) ?? 0) : 0
        let total = ((Int64(day.rawValue) * 86_400 + h * 3600 + mi * 60 + s) * 1000) + ms
        return Date(timeIntervalSince1970: Double(total) / 1000)
    }

    package var description: String { String(rawValue) }
    package static func < (a: RunID, b: RunID) -> Bool { a.rawValue < b.rawValue }
}
