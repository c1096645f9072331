/// The institution × period panel of one metric, as `evaluation.md` defines it: periods
/// numbered 1...`periods`, and per institution its group and, per period, its exposure
/// days and attributed first events.
package struct EvaluationPanel: Sendable, Equatable {
    package struct Institution: Sendable, Equatable {
        package var id: String
        /// The first period in which the institution is covered (1...periods); 0 = never.
        package var group: Int
        /// Exposure days per period; index 0 is period 1.
        package var exposureDays: [Int]
        /// First events of the metric per period; index 0 is period 1.
        package var events: [Int]

        package init(id: String, group: Int, exposureDays: [Int], events: [Int]) {
            self.id = id
            self.group = group
            self.exposureDays = exposureDays
            self.events = events
        }

        /// The outcome in `period` (1-based); `nil` without exposure.
        package func outcome(inPeriod period: Int) -> Double? {
            let days = exposureDays[period - 1]
            return days > 0 ? EvaluationPanel.outcome(events: events[period - 1], exposureDays: days) : nil
        }
    }

    /// The number of periods T.
    package var periods: Int
    package var institutions: [Institution]

    package init(periods: Int, institutions: [Institution]) {
        self.periods = periods
        self.institutions = institutions
    }

    /// `Y = 1000 × events / (exposure_days / 365.25)`: events per 1,000 child-years.
    @inlinable
    package static func outcome(events: Int, exposureDays: Int) -> Double {
        1000 * Double(events) / (Double(exposureDays) / 365.25)
    }
}

/// Which institutions a group-time effect compares the covered ones with.
package enum ControlGroup: String, Sendable, CaseIterable {
    /// Institutions never covered in the panel's periods (`G = 0`).
    case neverTreated = "never_treated"
    /// Those and the institutions not yet covered in either period of the cell (`G > t`).
    case notYetTreated = "not_yet_treated"
}
