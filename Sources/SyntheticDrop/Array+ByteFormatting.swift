import Foundation
import Pipeline

/// Formatting straight into a byte buffer: the hot path writes no intermediate Strings.
extension Array where Element == UInt8 {
    mutating func ascii(_ s: StaticString) {
        s.withUTF8Buffer { append(contentsOf: $0) }
    }

    mutating func text(_ s: String) {
        append(contentsOf: s.utf8)
    }

    /// A non-negative number, zero-padded to `width` digits.
    mutating func digits(_ value: Int, width: Int) {
        precondition(value >= 0)
        var count = 1, power = 10
        while power <= value { count += 1; power *= 10 }
        if width > count { for _ in count..<width { append(48) } }
        var v = value, div = power / 10
        while div > 0 { append(UInt8(48 + v / div)); v %= div; div /= 10 }
    }

    mutating func number(_ value: Int) { digits(value, width: 1) }

    mutating func day(_ d: Day, _ format: DateFormat) {
        let (y, m, dd) = d.civil
        switch format {
        case .iso:
            digits(y, width: 4); append(45); digits(m, width: 2); append(45); digits(dd, width: 2)
        case .danish, .danishDotted:
            let sep: UInt8 = format == .danish ? 45 : 46
            digits(dd, width: 2); append(sep); digits(m, width: 2); append(sep); digits(y, width: 4)
        case .compact:
            digits(y, width: 4); digits(m, width: 2); digits(dd, width: 2)
        }
    }

    /// `DDMMYYSSSS` or `DDMMYY-SSSS` from the 10-digit number.
    mutating func cpr(_ value: Int64, dashed: Bool) {
        let head = Int(value / 10_000), serial = Int(value % 10_000)
        digits(head, width: 6)
        if dashed { append(45) }
        digits(serial, width: 4)
    }
}
