import Pipeline
import Testing
@testable import Extract

@Suite struct DayCacheTests {
    /// Over 30,000 random texts in a table of 16,384 slots, many sharing a slot: a lookup
    /// gives the day kept for that very text or nothing, never another text's day.
    @Test func aTextFindsItsOwnDayOrNone() {
        var cache = DayCache()
        var kept: [[UInt8]: Day] = [:]
        var state: UInt64 = 3
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        for round in 0..<30_000 {
            let text = (0..<10).map { _ in UInt8(0x30 + next(12)) }   // digits and two others
            let day = Day(rawValue: Int32(round))
            text.withUnsafeBytes { cache.keep($0, as: day) }
            kept[text] = day
        }
        var found = 0
        for (text, day) in kept {
            guard let got = text.withUnsafeBytes({ cache.day($0) }) else { continue }
            found += 1
            #expect(got == day, "\(text)")
        }
        #expect(found > 8_000, "most of the last texts are still in their slots")
        // Texts of other lengths are neither kept nor found.
        let short = Array("1-2-2020".utf8)
        short.withUnsafeBytes { cache.keep($0, as: Day(rawValue: 1)) }
        #expect(short.withUnsafeBytes { cache.day($0) } == nil)
    }
}
