/// The exit statuses of `etl`, for cron and the wrapper in `cron/` (docs/operations.md).
/// Numbers follow sysexits.h where one fits. Each error type declares its own
/// (`StewardError`); any other error is a plain failure.
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
        case .failure: "failure (see the message; `etl runs show RUN` keeps each attempt's error)"
        case .usage: "refused: bad arguments (a run id that names no run too) or pipeline file, another municipality's warehouse, a warehouse a newer etl migrated, an older run over a newer without --force"
        case .rejectThresholdExceeded: "reject threshold exceeded: too many bad records in a file; warehouse unchanged"
        case .dropIncomplete: "drop incomplete (MANIFEST mismatch, an export missing or not a file) or no inbox; newer incomplete drops are reported even when an older one was loaded"
        case .databaseUnreachable: "database unreachable (after retries); warehouse unchanged, unless the message says a publish's outcome is not known"
        case .reportFailed: "published, but the committee's report could not be written (see the log); `etl report` writes it"
        case .locked: "another run holds the lock; nothing done"
        }
    }

    /// The table printed by `--help`; docs/operations.md says each status's cases in full, and what to do.
    package static var table: String {
        allCases.map { "  \($0.rawValue)\t\($0.meaning)" }.joined(separator: "\n")
    }

    /// The status an error declares (`StewardError`); any other is a plain failure.
    package static func of(_ error: any Error) -> ExitStatus {
        (error as? any StewardError)?.exitStatus ?? .failure
    }
}
