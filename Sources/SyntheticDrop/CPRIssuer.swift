import Pipeline

/// CPR numbers that exist, and are unique (`exports.md`, "The CPR number").
struct CPRIssuer {
    private var issued = Set<Int64>()

    /// 7th digits whose century matches `year` for its two-digit year.
    static func centuryDigits(for year: Int) -> [Int] {
        let yy = year % 100
        switch year / 100 {
        case 18: return yy >= 58 ? [5, 6, 7, 8] : []
        case 19: return yy <= 36 ? [0, 1, 2, 3] : [0, 1, 2, 3, 4, 9]
        case 20: return yy <= 36 ? [4, 5, 6, 7, 8, 9] : yy <= 57 ? [5, 6, 7, 8] : []
        default: return []
        }
    }

    /// A new number for a child born on `birth`; the last digit is odd for boys.
    mutating func issue(birth: Day, male: Bool, rng: inout SeededRandom) -> Int64 {
        let (y, m, d) = birth.civil
        let centuries = Self.centuryDigits(for: y)
        precondition(!centuries.isEmpty, "no CPR century digit for \(y)")
        let head = Int64(d * 10_000 + m * 100 + y % 100) * 10_000
        while true {
            let last = 2 * rng.below(5) + (male ? 1 : 0)
            let serial = rng.element(centuries) * 1000 + rng.below(100) * 10 + last
            let cpr = head + Int64(serial)
            if issued.insert(cpr).inserted { return cpr }
        }
    }
}
