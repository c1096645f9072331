/// What a drop holds, and every bad record put in on purpose.
package struct DropSummary: Sendable, Equatable {
    package struct File: Sendable, Equatable {
        package var name: String
        /// Data records, bad ones included: the MANIFEST's count.
        package var rows: Int
        package var bytes: Int
        package var sha256: String
    }

    /// One injected bad record.
    package struct Injected: Sendable, Equatable {
        package var file: String
        package var kind: DirtyKind
        /// 1-based among the file's data records (CSV) or record elements (XML).
        package var record: Int
        /// The physical line the record starts on (header = line 1); nil for XML.
        package var line: Int?
    }

    package struct CohortCounts: Sendable, Equatable {
        package var treatment = 0
        package var control = 0

        mutating func add(_ treated: Bool) { if treated { treatment += 1 } else { control += 1 } }
    }

    /// The figures `metrics.md` must give over the window `[windowFrom, asOf]`, known to the
    /// generator from its own records: for end-to-end checks of the warehouse.
    package struct Truth: Sendable, Equatable {
        package var exposureDays = CohortCounts()
        package var childrenExposed = CohortCounts()
        /// Children whose first case / investigation / measure is attributed to the cohort.
        package var detected = CohortCounts()
        package var investigated = CohortCounts()
        package var measured = CohortCounts()
        /// Detected, investigated and measured (in `Metric` order) as they would have been
        /// without the social workers' effect: the same children, days and random numbers
        /// (the first case's draw laid out so the two differ only on covered days). The
        /// control counts are therefore the same; the treatment counts' difference is the
        /// effect, exactly.
        package var withoutEffect = [CohortCounts](repeating: CohortCounts(), count: 3)

        /// The count of `metric` with the effect.
        package func count(_ metric: Metric) -> CohortCounts {
            switch metric {
            case .detection: detected
            case .investigation: investigated
            case .measure: measured
            }
        }
    }

    /// The evaluation's three outcomes (`evaluation.md`).
    package enum Metric: String, Sendable, CaseIterable {
        case detection, investigation, measure
    }

    /// Children simulated, including those never enrolled and never in a case.
    package var children = 0
    /// Good records per kind (the injected bad ones are not counted here).
    package var institutions = 0
    package var assignments = 0
    package var spells = 0
    package var cases = 0
    package var events = 0
    /// The files in the order written, `MANIFEST` excluded.
    package var files: [File] = []
    package var injected: [Injected] = []
    package var truth = Truth()
    /// The selection the drop was made with, and the institutions ever covered, whose
    /// children carry it.
    package var selection = 1.0
    package var institutionsEverCovered = 0
    /// The effect as asked for.
    package var effectAsked = DropGenerator.Effect.none
    /// First cases on covered days with the effect against without, over the covered
    /// exposure (solved from the naive target, or as asked).
    package var caseRatio = 1.0
    /// Exposure and first events per institution and month, with and without the effect.
    package var panel = EffectPanel()

    /// The selection and the effect, in words, for `etl generate` and the demo.
    package var injectedEffect: String {
        func f(_ x: Double) -> String { String(format: "%+.1f", x) }
        let selected = selection == 1 ? "selection: none (ever-covered institutions' children carry the baseline risk)"
            : "selection: the children of the \(institutionsEverCovered) institutions ever covered carry "
                + String(format: "%.2g", selection) + "× the baseline risk, before and after coverage"
        let added = Metric.allCases.map { "\($0.rawValue) \(f(trueEffect($0)))" }.joined(separator: ", ")
        let effect = Metric.allCases.allSatisfy({ trueEffect($0) == 0 }) && abs(caseRatio - 1) < 1e-12
            ? "effect: none (covered days are as they would be without the social worker)"
            : "effect on covered days: first cases " + String(format: "×%.2f", caseRatio)
                + "; first events added per 1,000 child-years on covered days: " + added
        var naive = ""
        if case .naiveRatio(let r) = effectAsked.caseRate {
            naive = "\nnaive comparison (metrics.md), selection and effect together: detection rate ratio about "
                + String(format: "%.2g", r) + String(format: ", first investigation %+.1f and first measure %+.1f months",
                                                      effectAsked.investigationShiftMonths, effectAsked.measureShiftMonths)
        }
        return selected + "\n" + effect + naive
    }

    /// The effect injected: first events of `metric` added per 1,000 child-years on covered
    /// exposure days, counted exactly (with against without the effect, same random numbers).
    package func trueEffect(_ metric: Metric) -> Double {
        let added = truth.count(metric).treatment - truth.withoutEffect[Metric.allCases.firstIndex(of: metric)!].treatment
        return truth.exposureDays.treatment > 0 ? 1000 * Double(added) / (Double(truth.exposureDays.treatment) / 365.25) : 0
    }

    package func injectedCount(kind: DirtyKind? = nil, file: String? = nil) -> Int {
        injected.reduce(0) { n, i in n + ((kind == nil || i.kind == kind) && (file == nil || i.file == file) ? 1 : 0) }
    }
}
