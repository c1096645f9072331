import Foundation

/// Ages in whole months (`age in days / 30.4375`, `metrics.md`), below 7 years.
enum AgeMonths {
    static let count = 84
    static let daysPerMonth = 30.4375
    /// The month of each age in days 0..<2557.
    static let ofDay: [UInt8] = (0..<Int(ageLimitDays)).map { UInt8(Double($0) / daysPerMonth) }
    /// The first age in days of each month, and 2557 at the end.
    static let firstDay: [Int32] = {
        var first = [Int32](repeating: ageLimitDays, count: count + 1)
        for a in stride(from: Int(ageLimitDays) - 1, through: 0, by: -1) { first[Int(ofDay[a])] = Int32(a) }
        return first
    }()
}

/// Exposure days in the window by kind of day and age month, with the sum of their ages:
/// what the metrics will divide by, gathered before any case is drawn.
struct ExposureHistogram {
    /// Kinds of exposure day: covered; not covered at an institution covered at some time
    /// (which carries the selection); at one never covered.
    static let classes = 3
    /// [class][month]
    var days = [[Double]](repeating: [Double](repeating: 0, count: AgeMonths.count), count: classes)
    var ageDaySums = [[Double]](repeating: [Double](repeating: 0, count: AgeMonths.count), count: classes)

    mutating func add(_ p: Piece, birth: Int32) {
        guard p.exposed else { return }
        let c = p.kind == .covered ? 0 : (p.selected ? 1 : 2)
        var a = p.start - birth
        let last = p.end - birth
        while a <= last {
            let m = Int(AgeMonths.ofDay[Int(a)])
            let hi = min(last, AgeMonths.firstDay[m + 1] - 1)
            let n = Double(hi - a + 1)
            days[c][m] += n
            ageDaySums[c][m] += n * Double(a + hi) / 2
            a = hi + 1
        }
    }
}
