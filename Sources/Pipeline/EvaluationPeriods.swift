/// The length of the evaluation's periods (pipeline `evaluation.period`, `evaluation.md`).
package enum EvaluationPeriodLength: String, Sendable, CaseIterable, Codable {
    case quarter
    case halfYear = "half_year"
    case year

    /// Calendar months per period; periods start in January and every `months` after.
    package var months: Int {
        switch self {
        case .quarter: 3
        case .halfYear: 6
        case .year: 12
        }
    }

    package init?(months: Int) {
        guard let length = Self.allCases.first(where: { $0.months == months }) else { return nil }
        self = length
    }
}

/// Which institutions the evaluation's headline compares the covered ones with (pipeline
/// `evaluation.control_group`). Both are always estimated; this one is shown first.
package enum EvaluationControlGroup: String, Sendable, CaseIterable, Codable {
    case neverTreated = "never_treated"
    case notYetTreated = "not_yet_treated"
}

/// The evaluation's periods: the calendar quarters (half-years, years) lying wholly inside
/// the evaluation window, numbered 1...T in order (`evaluation.md`, *The panel*). A window
/// shorter than one whole period has none.
package struct EvaluationPeriods: Sendable, Equatable {
    package let length: EvaluationPeriodLength
    /// First and last day of period p at index p − 1.
    package let periods: [ClosedRange<Day>]

    package init(window: ClosedRange<Day>, length: EvaluationPeriodLength) {
        self.length = length
        // The first period start on or after the window's first day.
        let (y, m, d) = window.lowerBound.civil
        var index = y * 12 + (m - 1)                       // months since year 0
        index = (index + length.months - 1) / length.months * length.months
        if d > 1 && (y * 12 + m - 1) % length.months == 0 { index += length.months }
        var periods: [ClosedRange<Day>] = []
        while true {
            let first = Day(year: index / 12, month: index % 12 + 1, day: 1)!
            let next = index + length.months
            let last = Day(year: next / 12, month: next % 12 + 1, day: 1)! - 1
            guard last <= window.upperBound else { break }
            periods.append(first...last)
            index = next
        }
        self.periods = periods
    }

    /// T.
    package var count: Int { periods.count }

    /// Period p (1-based).
    package subscript(_ p: Int) -> ClosedRange<Day> { periods[p - 1] }

    /// The first day of period 1 to the last of period T; nil without periods.
    package var span: ClosedRange<Day>? {
        guard let first = periods.first, let last = periods.last else { return nil }
        return first.lowerBound...last.upperBound
    }

    /// The period (1-based) holding `day`, nil outside every period.
    package func period(of day: Day) -> Int? {
        guard let span, span.contains(day) else { return nil }
        let (y, m, _) = day.civil, (y0, m0, _) = span.lowerBound.civil
        return ((y - y0) * 12 + (m - m0)) / length.months + 1
    }
}
