/// The three outcomes the scheme is judged on, and where each lives in the views.
enum Outcome: String, CaseIterable {
    case detection, investigation, measure

    /// `metric` in the difference-in-differences views.
    var didMetric: String { rawValue }
    /// The count and rate columns of `metrics.cohort_summary*`.
    var count: String { ["detected", "investigated", "measured"][index] }
    var rate: String { ["detection_rate_per_1000", "investigation_rate_per_1000", "measure_rate_per_1000"][index] }
    var share: String { ["detection_share", "investigation_share", "measure_share"][index] }
    /// Mean and median ages (investigation and measure only).
    var meanAge: String? { [nil, "mean_age_first_investigation_months", "mean_age_first_measure_months"][index] }
    var medianAge: String? { [nil, "median_age_first_investigation_months", "median_age_first_measure_months"][index] }

    private var index: Int { Self.allCases.firstIndex(of: self)! }

    /// Its short name, for a chart's row label.
    var short: Phrase { [.detectionShort, .investigationShort, .measureShort][index] }
}
