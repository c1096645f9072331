import Foundation
import Pipeline

/// Numbers and dates as the administration writes them (glossary): `1,94`, `12.345`,
/// `21. november 2026` in Danish; `1.94`, `12,345`, `21 November 2026` in English.
/// Written out here, not taken from the platform's locale data, so every machine prints the same.
package struct NumberFormat: Sendable {
    package let language: ReportLanguage

    package init(_ language: ReportLanguage) { self.language = language }

    var decimalMark: String { language == .da ? "," : "." }
    var groupMark: String { language == .da ? "." : "," }
    /// The typographic minus, as in print.
    static let minus = "\u{2212}"

    /// `value` rounded to `decimals` places, with thousands grouped; never "−0".
    package func number(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "–" }
        let factor = pow10(decimals)
        var scaled = (abs(value) * factor).rounded(.toNearestOrAwayFromZero)
        let negative = value < 0 && scaled > 0
        // Integer and fraction digits from the rounded integer: no binary surprises like 2.675.
        if scaled > 9e15 { scaled = 9e15 }
        let whole = Int64(scaled)
        let unit = Int64(factor)
        let integerPart = grouped(String(whole / unit))
        var text = integerPart
        if decimals > 0 {
            let fraction = String(whole % unit)
            text += decimalMark + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return (negative ? Self.minus : "") + text
    }

    /// A count: no decimals, thousands grouped.
    package func integer(_ value: Int) -> String {
        (value < 0 ? Self.minus : "") + grouped(String(value.magnitude))
    }

    /// A signed number: `+3,1`, `−0,4`, `0,0`.
    package func signed(_ value: Double, decimals: Int) -> String {
        let text = number(value, decimals: decimals)
        return text.hasPrefix(Self.minus) || text.allSatisfy({ $0 == "0" || String($0) == decimalMark }) ? text : "+" + text
    }

    /// `21. november 2026` / `21 November 2026`.
    package func date(_ day: Day) -> String {
        let (y, m, d) = day.civil
        return language == .da ? "\(d). \(Self.danishMonths[m - 1]) \(y)" : "\(d) \(Self.englishMonths[m - 1]) \(y)"
    }

    /// A date written `yyyy-mm-dd` (as PostgreSQL prints a `date`), or the text itself when it is not one.
    package func date(iso text: String) -> String {
        Day(iso: String(text.prefix(10))).map { date($0) } ?? text
    }

    /// Parses what `number` prints (for tests and for reading back); nil when it is not a number.
    package func parse(_ text: String) -> Double? {
        var t = text.replacingOccurrences(of: Self.minus, with: "-").replacingOccurrences(of: "+", with: "")
        t = t.replacingOccurrences(of: groupMark, with: "").replacingOccurrences(of: decimalMark, with: ".")
        return Double(t.trimmingCharacters(in: .whitespaces))
    }

    private func grouped(_ digits: String) -> String {
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += groupMark }
            out.append(c)
        }
        return out
    }

    private func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * 10 } }

    static let danishMonths = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
                               "september", "oktober", "november", "december"]
    static let englishMonths = ["January", "February", "March", "April", "May", "June", "July", "August",
                                "September", "October", "November", "December"]
}
