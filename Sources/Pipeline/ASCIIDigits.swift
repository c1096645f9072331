/// Whole numbers as ASCII decimal digits, eight at a time: a line number or id a row in
/// every stage file, and the CPR digits a child key is made of.
package enum ASCIIDigits {
    /// The eight ASCII digits of `n` (below 10⁸, zero padded), the first in the lowest byte,
    /// all lanes at once: halves of four digits in 32-bit lanes, pairs in 16-bit lanes,
    /// digits in bytes (x / 100 as x · 10486 >> 20 and x / 10 as x · 103 >> 10, exact in
    /// these ranges).
    @inline(__always)
    package static func eight(_ n: UInt64) -> UInt64 {
        let high = n / 10_000
        let halves = high | (n &- high &* 10_000) << 32
        let hundreds = ((halves &* 10_486) >> 20) & 0x0000_007F_0000_007F
        let pairs = hundreds | (halves &- hundreds &* 100) << 16
        let tens = ((pairs &* 103) >> 10) & 0x000F_000F_000F_000F
        return (tens | (pairs &- tens &* 10) << 8) &+ 0x3030_3030_3030_3030
    }

    /// How many digits `n` (below 10⁸) has; 1 for 0.
    @inline(__always)
    package static func count(_ n: UInt64) -> Int {
        n < 10_000 ? (n < 100 ? (n < 10 ? 1 : 2) : (n < 1_000 ? 3 : 4))
            : (n < 1_000_000 ? (n < 100_000 ? 5 : 6) : (n < 10_000_000 ? 7 : 8))
    }
}
