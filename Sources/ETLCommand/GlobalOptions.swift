import ArgumentParser
import Foundation
import Logging
import Operations
import Pipeline

/// Options every command that touches state or the warehouse takes.
struct GlobalOptions: ParsableArguments {
    @Option(help: "The state directory (runs, the embedded server, the key). Default: $ETL_STATE_DIR or ./.etl-state")
    var stateDir: String?

    @Option(help: """
        The warehouse: a libpq URL or keyword string. Default: $DATABASE_URL, else the PG* variables \
        (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSERVICE), else the pipeline file's, else the embedded server.
        """)
    var database: String?

    @Option(help: "Log lines as text (for a terminal) or json (one object a line, for cron).")
    var logFormat: LogFormat = .text

    var state: StateLayout { StateLayout.resolve(stateDir) }

    /// A logger writing in `--log-format` (`ETL.main` set the logging system up).
    func logger(_ label: String = "etl") -> Logger { Logger(label: label) }

    /// The warehouse this command works on. Only `etl run`, `etl demo` and `etl warehouse
    /// start` pass `mayCreateCluster`.
    func target(_ pipeline: PipelineConfig?, mayCreateCluster: Bool = false) -> WarehouseTarget {
        WarehouseTarget.resolve(flag: database, pipeline: pipeline, state: state, mayCreateCluster: mayCreateCluster)
    }
}

extension LogFormat: ExpressibleByArgument {}

extension Stage: ExpressibleByArgument {}

extension RunID: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension Day: ExpressibleByArgument {
    public init?(argument: String) { self.init(iso: argument) }
    /// A date in `--help`, not the day number it is stored as.
    public var defaultValueDescription: String { iso }
}

/// The end of every command's `--help` (docs/operations.md has the same table).
let exitStatusHelp = "Exit statuses:\n" + ExitStatus.table

/// Runs a command body and turns what it throws into an error log line (the same layout
/// as every other line, text or JSON), naming the run and stage of a run's failure, and the
/// exit status the error declares.
func withExitStatus(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        let status = ExitStatus.of(error)
        var metadata: Logger.Metadata = ["exit_status": .stringConvertible(Int(status.rawValue))]
        if let failure = error as? RunFailure {
            metadata["run"] = "\(failure.run)"
            metadata["stage"] = failure.step.map { "\($0.rawValue)" }
        }
        Logger(label: "etl").error("\(error)", metadata: metadata)
        throw ExitCode(status.rawValue)
    }
}
