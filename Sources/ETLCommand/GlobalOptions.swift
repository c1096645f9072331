import ArgumentParser
import Foundation
import Logging
import Operations
import Pipeline

/// Options every command that touches state or the warehouse takes.
struct GlobalOptions: ParsableArguments {
    @Option(help: "The state directory (runs, the embedded server, the key). Default: $ETL_STATE_DIR or ./.etl-state")
    var stateDir: String?

    @Option(help: "The warehouse: a libpq URL or keyword string. Default: $DATABASE_URL, the pipeline file's, else the embedded server.")
    var database: String?

    @Option(help: "Log lines as text (for a terminal) or json (one object a line, for cron).")
    var logFormat: LogFormat = .text

    var state: StateLayout { StateLayout.resolve(stateDir) }

    func logger(_ label: String = "etl") -> Logger {
        let format = logFormat
        LoggingSystem.bootstrapOnce { ETLLogHandler(label: $0, format: format) }
        return Logger(label: label)
    }

    func target(_ pipeline: PipelineConfig?) -> WarehouseTarget {
        WarehouseTarget.resolve(flag: database, pipeline: pipeline, state: state)
    }
}

extension LogFormat: ExpressibleByArgument {}

extension Stage: ExpressibleByArgument {}

extension RunID: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension Day: ExpressibleByArgument {
    public init?(argument: String) { self.init(iso: argument) }
}

extension LoggingSystem {
    nonisolated(unsafe) private static var done = false

    /// Bootstraps logging the first time only (commands may ask more than once).
    static func bootstrapOnce(_ factory: @escaping @Sendable (String) -> any LogHandler) {
        guard !done else { return }
        done = true
        bootstrap(factory)
    }
}

/// Runs a command body and turns what it throws into a message on standard error and the
/// documented exit status.
func withExitStatus(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        let status = ExitStatus.of(error)
        FileHandle.standardError.write(Data("etl: error: \(error)\n".utf8))
        throw ExitCode(status.rawValue)
    }
}
