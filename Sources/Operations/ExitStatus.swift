import Extract
import Pipeline
import Postgres

/// The exit statuses of `etl`, for cron and the wrapper in `cron/` (docs/operations.md).
/// Numbers follow sysexits.h where one fits.
package enum ExitStatus: Int32, Sendable, CaseIterable {
    case success = 0
    case failure = 1
    case usage = 64
    case rejectThresholdExceeded = 65
    case dropIncomplete = 66
    case databaseUnreachable = 69
    case reportFailed = 73
    case locked = 75

    package var meaning: String {
        switch self {
        case .success: "success"
        case .failure: "failure (see the message and the run's log)"
        case .usage: "usage error (bad arguments or pipeline file)"
        case .rejectThresholdExceeded: "reject threshold exceeded: too many bad records in a file; warehouse unchanged"
        case .dropIncomplete: "drop incomplete (MANIFEST mismatch, an export missing or not a file) or no inbox; newer incomplete drops are reported even when an older one was loaded"
        case .databaseUnreachable: "database unreachable (after retries); warehouse unchanged"
        case .reportFailed: "published, but the committee's report could not be written (see the log); `etl report` writes it"
        case .locked: "another run holds the lock; nothing done"
        }
    }

    /// The table printed by `--help` and written in docs/operations.md.
    package static var table: String {
        allCases.map { "  \($0.rawValue)\t\($0.meaning)" }.joined(separator: "\n")
    }
}

/// An error that knows which exit status it means.
package protocol ExitStatusProviding: Error {
    var exitStatus: ExitStatus { get }
}

extension ExitStatus {
    /// The status an error means; anything unknown is a plain failure.
    package static func of(_ error: Error) -> ExitStatus {
        switch error {
        case let e as ExitStatusProviding: e.exitStatus
        case is PipelineConfigError: .usage
        case ExtractError.rejectThresholdExceeded: .rejectThresholdExceeded
        case ExtractError.sourceMissing, ExtractError.dropIncomplete, ExtractError.manifestUnreadable,
             ExtractError.sourceNotAFile, ExtractError.sourceOutsideDrop: .dropIncomplete
        case ExtractError.missingColumn: .usage
        case let e as PostgresError where e.kind == .connection: .databaseUnreachable
        default: .failure
        }
    }
}
