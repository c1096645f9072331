import Pipeline

/// Why a report was not written, and what to do.
package enum ReportError: StewardError, Equatable {
    /// The reader role is missing, or the warehouse user cannot switch to it.
    case readerRoleUnavailable(role: String, user: String, message: String)
    /// The reader role can read more than the metrics views: refuse rather than risk a leak.
    case readerRoleTooWide(role: String, readable: [String])
    case nothingPublished
    case runNotKept(RunID)
    case write(path: String, message: String)

    package var exitStatus: ExitStatus { .failure }

    package var description: String {
        switch self {
        case .readerRoleUnavailable(let role, let user, let message):
            "cannot read as role \(role) (\(message)); the report reads the metrics views through it only. "
                + "Ask a superuser to run: CREATE ROLE \(role) NOLOGIN IN ROLE etl_analyst; GRANT \(role) TO \(user);"
        case .readerRoleTooWide(let role, let readable):
            "role \(role) can read more than the metrics views (\(readable.prefix(5).joined(separator: ", "))"
                + "\(readable.count > 5 ? ", …" : "")); no report is written that could show it. "
                + "Revoke those grants (REVOKE … FROM \(role) / etl_analyst) and try again"
        case .nothingPublished:
            "nothing is published in this warehouse yet; run `etl run` first (or name a kept run with --run)"
        case .runNotKept(let run):
            "run \(run) has no complete load in the warehouse (never loaded, or dropped after keep_runs); `etl runs` lists the runs"
        case .write(let path, let message):
            "\(path): the report cannot be written: \(message). Check the folder exists and is writable, or name another (`report.out` in the pipeline file, `etl report --out`)"
        }
    }
}
