import Evaluation
import Pipeline

/// The evaluation panel transform wrote (`FactFile.evaluationPanel`: every institution ×
/// every period 1…T, in institution then period order), read for the estimator.
struct EvaluationPanelFile {
    struct Institution {
        var number: String
        var group: Int
        /// Per period (index 0 is period 1).
        var exposureDays: [Int]
        /// [metric][period]
        var events: [[Int]]
    }

    var institutions: [Institution] = []
    /// T.
    var periods = 0
    /// First day of each period.
    var periodStarts: [Day] = []
    /// nil when there are no periods.
    var length: EvaluationPeriodLength?

    init(institutions: [Institution], periodStarts: [Day], length: EvaluationPeriodLength?) {
        self.institutions = institutions
        self.periods = periodStarts.count
        self.periodStarts = periodStarts
        self.length = length
    }

    init(path: String) throws {
        var rows: [Institution] = []
        var starts: [Day] = []
        var firstPeriod: ClosedRange<Day>?
        try StageFileReader.forEach(path: path) { f, line in
            func bad(_ message: String) -> StageFileError {
                StageFileError(path: path, line: line, message: "\(message); rerun transform for this run")
            }
            guard f.count == 10, let number = StageField.string(f[0]), let period = StageField.int(f[1]),
                  let from = StageField.day(f[2]), let to = StageField.day(f[3]), from <= to, let group = StageField.int(f[4]),
                  let days = StageField.int(f[5]), StageField.int(f[6]) != nil,
                  let detected = StageField.int(f[7]), let investigated = StageField.int(f[8]), let measured = StageField.int(f[9])
            else { throw bad("not an evaluation panel row (institution, period, period_start, period_end, grp, exposure_days, children, detected, investigated, measured)") }
            if period == 1 {
                rows.append(Institution(number: number, group: group, exposureDays: [], events: [[], [], []]))
                firstPeriod = firstPeriod ?? from...to
            }
            guard var row = rows.last, row.number.utf8.elementsEqual(number.utf8), row.exposureDays.count == period - 1 else {
                throw bad("institution \(number) period \(period) out of order")
            }
            if rows.count == 1 { starts.append(from) } else if period > starts.count || starts[period - 1] != from {
                throw bad("period \(period) of institution \(number) starts \(from), not as the first institution's")
            }
            row.exposureDays.append(days)
            row.events[0].append(detected); row.events[1].append(investigated); row.events[2].append(measured)
            rows[rows.count - 1] = row
        }
        guard rows.allSatisfy({ $0.exposureDays.count == starts.count }) else {
            throw StageFileError(path: path, message: "institutions with different numbers of periods; rerun transform for this run")
        }
        self.init(institutions: rows, periodStarts: starts, length: firstPeriod.flatMap { p in
            let (y, m, _) = p.lowerBound.civil, (ly, lm, _) = p.upperBound.civil
            return EvaluationPeriodLength(months: (ly - y) * 12 + lm - m + 1)
        })
    }

    /// The estimator's panel of one metric (index into `Estimation.metrics`).
    func panel(metric: Int) -> EvaluationPanel {
        EvaluationPanel(periods: periods, institutions: institutions.map {
            .init(id: $0.number, group: $0.group, exposureDays: $0.exposureDays, events: $0.events[metric])
        })
    }

    /// An institution not estimated, whatever the metric or control group.
    struct LeftOut: Equatable {
        var number: String
        var group: Int
        var reason: LeftOutReason
    }

    /// The estimator's rule, so the reasons are recorded when no estimate can be made.
    var leftOut: [LeftOut] {
        institutions.compactMap { i in
            LeftOutReason.of(exposureDays: i.exposureDays, group: i.group).map { LeftOut(number: i.number, group: i.group, reason: $0) }
        }
    }
}
