import ArgumentParser
import Operations
import Pipeline

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List the runs, or show one.", discussion: exitStatusHelp,
        subcommands: [List.self, Show.self], defaultSubcommand: List.self)

    struct List: ParsableCommand, PrintsItsProduct {
        static let configuration = CommandConfiguration(
            abstract: "The runs, newest first; * marks the published one.",
            discussion: """
                A run whose process died (kill -9, a crash) is marked dead here once no process holds the run lock.
                --json gives each run as `etl runs show --json` does.
                """ + "\n\n" + exitStatusHelp)
        @OptionGroup var global: GlobalOptions
        @Option(help: "How many.") var limit = 30
        @Flag(help: "JSON (the shape of dbt's run_results.json) instead of a table.") var json = false

        func run() throws {
            try withExitStatus {
                let db = try global.target(nil).connect(logger: global.logger())
                try Ledger(connection: db).markDead(lockHeld: false, by: "etl runs", state: global.state)
                let reports = RunReports(connection: db, state: global.state)
                print(json ? try reports.listJSON(limit: limit) : try reports.list(limit: limit), terminator: "")
            }
        }
    }

    struct Show: ParsableCommand, PrintsItsProduct {
        static let configuration = CommandConfiguration(
            abstract: "A run's attempts, every stage of each (times, counts, errors), files with checksums, loads and rejects by reason.",
            discussion: """
                --json gives what dbt's run_results.json gives (metadata, args, elapsed_time, and a result for every
                attempt of every stage: status, thread_id, execution_time, timing, adapter_response, message, failures),
                and the run's ledger under "run".
                """ + "\n\n" + exitStatusHelp)
        @Argument(help: runIDHelp) var runID: RunID
        @Flag(help: "JSON instead of text.") var json = false
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try withExitStatus {
                let db = try global.target(nil).connect(logger: global.logger())
                try Ledger(connection: db).markDead(lockHeld: false, by: "etl runs show", state: global.state)
                let reports = RunReports(connection: db, state: global.state)
                print(json ? try reports.showJSON(runID) : global.hints.completing(try reports.show(runID)), terminator: "")
            }
        }
    }
}
