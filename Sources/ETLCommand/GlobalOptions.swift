import ArgumentParser
import Foundation
import Logging
import Operations
import Pipeline

/// Options every command that touches state or the warehouse takes.
struct GlobalOptions: ParsableArguments {
    @Option(help: "The state directory (runs, the embedded server, the key). Default: $ETL_STATE_DIR or ./.etl-state (etl demo: ./.etl-demo)")
    var stateDir: String?

    @Option(help: """
        The warehouse: a libpq URL or keyword string. Default: $DATABASE_URL, else the PG* variables \
        (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSERVICE), else the `database` of the pipeline file given with \
        --pipeline, else the embedded server.
        """)
    var database: String?

    @Option(help: "Log lines as text (for a terminal) or json (one object a line, for cron).")
    var logFormat: LogFormat = .text

    /// An empty value is a script's unset variable (`--state-dir "$DIR"`): refused, where it
    /// had meant the default folder, or the libpq environment (a review).
    func validate() throws {
        try Self.refuseBlank(stateDir, "--state-dir", "name the state directory, or leave the option out")
        try Self.refuseBlank(database, "--database", "name the warehouse (a libpq URL or keyword string), or leave the option out")
        // Said here, where Foundation's words ("A file with the same name already exists") came later.
        if let file = ExistingPart(of: state.root.path), !file.isFolder {
            let place = file.path == URL(fileURLWithPath: state.root.path).standardizedFileURL.path ? "is" : "lies under \(file.path),"
            throw ValidationError("the state directory \(state.root.path) \(place) a file, not a folder: name the state directory (--state-dir, ETL_STATE_DIR)")
        }
        // Named, the migrations' folder is asked for now, not after a cluster was made for it.
        if let named = ProcessInfo.processInfo.environment["ETL_SQL_DIR"], !named.isEmpty {
            do { _ = try SchemaFiles.directory() } catch { throw ValidationError("\(error)") }
        }
    }

    /// Refuses a value of only white space: a script's unset variable (`--state-dir "$DIR"`).
    static func refuseBlank(_ value: String?, _ option: String, _ fix: String) throws {
        guard let value, value.allSatisfy(\.isWhitespace) else { return }
        throw ValidationError("\(option) is empty: \(fix)")
    }

    var state: StateLayout { StateLayout.resolve(stateDir) }

    /// What the commands this one suggests need to reach the same state and warehouse.
    var hints: CommandHints { CommandHints(stateDirFlag: stateDir, databaseFlag: database, state: state) }

    /// A logger writing in `--log-format` (`ETL.main` set the logging system up).
    func logger(_ label: String = "etl") -> Logger { Logger(label: label) }

    /// The warehouse this command works on. Only `etl run`, `etl demo`, `etl warehouse
    /// start` and `etl national sync` pass `mayCreateCluster`.
    func target(_ pipeline: PipelineConfig?, mayCreateCluster: Bool = false) -> WarehouseTarget {
        WarehouseTarget.resolve(flag: database, pipeline: pipeline, state: state, mayCreateCluster: mayCreateCluster)
    }
}
