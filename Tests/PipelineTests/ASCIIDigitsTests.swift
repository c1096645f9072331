import Foundation
import Testing
@testable import Pipeline

@Suite struct ASCIIDigitsTests {
    /// Eight digits at once are `%08llu` for every number where a lane's digit changes, and
    /// for a spread of others; the count is the unpadded length.
    @Test func eightDigitsAtOnceArePrintfs() {
        var numbers: [UInt64] = [0, 99_999_999]
        var p: UInt64 = 1
        for _ in 0..<8 { numbers += [p - 1, p, p + 1, 9 * p, 10 * p - 1]; p *= 10 }
        numbers += stride(from: 0, to: 100_000_000, by: 9_973).map(UInt64.init)
        for n in numbers where n < 100_000_000 {
            let digits = withUnsafeBytes(of: ASCIIDigits.eight(n)) { Array($0) }
            guard digits == Array(String(format: "%08llu", n).utf8), ASCIIDigits.count(n) == String(n).count else {
                Issue.record("\(n): \(digits), count \(ASCIIDigits.count(n))"); return
            }
        }
    }
}
