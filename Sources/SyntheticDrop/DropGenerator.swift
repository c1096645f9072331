import Foundation
import Pipeline

/// Writes a complete, deterministic nightly drop (`exports.md`) with a known effect of the
/// social workers injected, so the pipeline's figures (`metrics.md`) can be checked
/// against what was put in. Same options, same bytes.
package struct DropGenerator: Sendable {
    package enum Variant: String, Sendable, CaseIterable {
        /// The default contract of `exports.md`.
        case copenhagen
        /// A municipality whose exports differ; see `DropLayout`.
        case other
    }

    /// What the social workers do on the days they are there (the effect), as Copenhagen's
    /// evaluation reported it (`metrics.md`). It acts on covered days only, against the same
    /// days without a worker. The generator calibrates to the drop's own exposure, so the
    /// naive comparison of `metrics.md` shows the figures asked for (up to sampling noise)
    /// for any sensible values; extreme ones (a ratio far above 5, shifts beyond about a
    /// year) saturate the daily probabilities and fall short.
    package struct Effect: Sendable, Equatable {
        /// First cases on covered days.
        package var caseRate: CaseRate
        /// Mean age at first § 50 investigation, treatment minus control, in months, as the
        /// naive comparison shows it (which, the cohorts' age mixes being alike, is the
        /// effect). 0: no effect on ages at all.
        package var investigationShiftMonths: Double
        /// Mean age at first measure, treatment minus control, in months; likewise.
        package var measureShiftMonths: Double
        /// Share of closed treatment cases closed with `bekymring_ophoert` or `familien_selv`.
        package var resolvedShare: Double

        package enum CaseRate: Sendable, Equatable {
            /// The rate of first cases on a covered day is this many times what it would be
            /// without the worker.
            case ratio(Double)
            /// Whatever ratio makes the naive comparison (covered days against all other
            /// exposure days, the selection included) show this detection rate ratio.
            case naiveRatio(Double)
        }

        package init(caseRate: CaseRate, investigationShiftMonths: Double, measureShiftMonths: Double, resolvedShare: Double) {
            self.caseRate = caseRate
            self.investigationShiftMonths = investigationShiftMonths
            self.measureShiftMonths = measureShiftMonths
            self.resolvedShare = resolvedShare
        }

        /// The share of control cases closed as resolved; also the treatment share under `.none`.
        package static let baselineResolvedShare = 0.45

        /// The figures of Copenhagen's evaluation, as the naive comparison shows them: detection
        /// rate ratio 2 (the selection's part included), −4 and −7.5 months, ¾ closed as resolved.
        package static let evaluation = Effect(caseRate: .naiveRatio(2.0), investigationShiftMonths: -4,
                                              measureShiftMonths: -7.5, resolvedShare: 0.75)
        /// No effect at all: on covered days children fare exactly as without the worker.
        package static let none = Effect(caseRate: .ratio(1), investigationShiftMonths: 0,
                                        measureShiftMonths: 0, resolvedShare: baselineResolvedShare)
    }

    /// The selection of Copenhagen's scheme, which placed its workers in the most burdened
    /// institutions: their children carry this many times the risk of the others.
    package static let defaultSelection = 1.5

    package struct Options: Sendable {
        package var children: Int
        /// Register size; nil means `children / 200`, at least 10.
        package var institutions: Int?
        package var seed: UInt64
        /// The export date: `udtraeksdato`, and the end of every open interval.
        package var asOf: Day
        /// Start of the evaluation window the pipeline will use; births start 7 years before.
        package var windowFrom: Day
        /// Share of extra malformed records per file (0 = a clean drop).
        package var dirtyRate: Double
        package var variant: Variant
        package var effect: Effect
        /// Children at institutions that are ever covered carry this many times the baseline
        /// risk of a first case (so of a first investigation and measure too), before and
        /// after coverage: a constant added to the daily probability of every day they are
        /// there, (R − 1) × the baseline's mean, so a fixed difference between institutions
        /// (`CaseModel`). 1: no selection.
        package var selection: Double

        package init(children: Int, institutions: Int? = nil, seed: UInt64, asOf: Day,
                    windowFrom: Day = Day(year: 2012, month: 1, day: 1)!, dirtyRate: Double = 0,
                    variant: Variant = .copenhagen, effect: Effect = .evaluation,
                    selection: Double = DropGenerator.defaultSelection) {
            self.children = children
            self.institutions = institutions
            self.seed = seed
            self.asOf = asOf
            self.windowFrom = windowFrom
            self.dirtyRate = dirtyRate
            self.variant = variant
            self.effect = effect
            self.selection = selection
        }

        var institutionCount: Int { institutions ?? max(10, children / 200) }
    }

    package enum Failure: StewardError {
        case cannotWrite(String)
        case invalidOptions(String)

        package var exitStatus: ExitStatus {
            switch self {
            case .cannotWrite: .failure
            case .invalidOptions: .usage
            }
        }

        package var description: String {
            switch self {
            case .cannotWrite(let path): return "cannot create \(path): check that the folder is writable"
            case .invalidOptions(let why): return "invalid generator options: \(why)"
            }
        }
    }

    package var options: Options

    package init(_ options: Options) { self.options = options }

    /// Writes the four exports and, last, `MANIFEST` into `directory` (created if missing;
    /// files of an earlier drop there are overwritten).
    package func write(to directory: URL) throws -> DropSummary {
        let o = options
        guard o.children >= 0, o.institutionCount >= 1 else { throw Failure.invalidOptions("counts must be positive") }
        guard o.windowFrom < o.asOf else { throw Failure.invalidOptions("windowFrom must be before asOf") }
        guard o.windowFrom.year - 7 >= 1858, o.asOf.year <= 2057 else {
            throw Failure.invalidOptions("CPR numbers only exist for births 1858–2057")
        }
        guard (0...0.5).contains(o.dirtyRate) else { throw Failure.invalidOptions("dirtyRate must be within 0…0.5") }
        let ratio: Double
        switch o.effect.caseRate { case .ratio(let r), .naiveRatio(let r): ratio = r }
        guard ratio > 0, ratio.isFinite, (0...1).contains(o.effect.resolvedShare) else {
            throw Failure.invalidOptions("the case rate ratio must be positive and resolvedShare a share")
        }
        guard o.selection > 0, o.selection <= 10 else { throw Failure.invalidOptions("selection must be within 0…10") }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var run = DropRun(options: o, directory: directory)
        return try run.run()
    }
}
