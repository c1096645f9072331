/// A run that stopped: the error, and where in the run. `etl` logs it with both (`[run
/// stage]` in a text line, `run` and `stage` in a JSON one) and exits with the error's own
/// status; its description is the error's, which already says what and what to do.
package struct RunFailure: StewardError {
    /// Where a run stops: one of its stages, or the publish that ends its load (after which
    /// the load is complete, and `etl publish RUN` can put it up).
    package enum Step: String, Sendable {
        case extract, transform, load, publish

        package init(_ stage: Stage) {
            switch stage {
            case .extract: self = .extract
            case .transform: self = .transform
            case .load: self = .load
            }
        }
    }

    package var run: RunID
    /// nil: before the first stage (or after the last), when the run as a whole failed.
    package var step: Step?
    package var error: any Error

    package init(run: RunID, step: Step?, error: any Error) {
        self.run = run; self.step = step; self.error = error
    }

    /// `error` placed in `run` at `step`; an error placed already keeps its place (a publish
    /// failure stays one when the load stage it ends passes it on).
    package static func at(_ run: RunID, _ step: Step?, _ error: any Error) -> RunFailure {
        if let placed = error as? RunFailure { return placed }
        return RunFailure(run: run, step: step, error: error)
    }

    package var exitStatus: ExitStatus { ExitStatus.of(error) }
    package var description: String { "\(error)" }
}
