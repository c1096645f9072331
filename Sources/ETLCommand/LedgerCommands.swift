import ArgumentParser
import Foundation
import Load
import Operations
import Pipeline

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List the runs, or show one.", discussion: exitStatusHelp,
        subcommands: [List.self, Show.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The runs, newest first; * marks the published one.", discussion: exitStatusHelp)
        @OptionGroup var global: GlobalOptions
        @Option(help: "How many.") var limit = 30

        func run() throws {
            try withExitStatus {
                let db = try global.target(nil).connect(logger: global.logger())
                print(try RunReports(connection: db, state: global.state).list(limit: limit), terminator: "")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A run's stages, files with checksums, counts, rejects by reason and errors.",
                                                        discussion: exitStatusHelp)
        @Argument(help: "The run.") var runID: RunID
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try withExitStatus {
                let db = try global.target(nil).connect(logger: global.logger())
                print(try RunReports(connection: db, state: global.state).show(runID), terminator: "")
            }
        }
    }
}

struct RejectsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rejects", abstract: "A run's rejected records: file, line, field, reason, message (CPR numbers masked).",
        discussion: exitStatusHelp)
    @Argument(help: "The run.") var runID: RunID
    @Option(help: "Only this export file.") var file: String?
    @Option(help: "Only this reason (e.g. invalid_cpr).") var reason: String?
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try withExitStatus {
            let db = try global.target(nil).connect(logger: global.logger())
            let rejects = try RunReports(connection: db, state: global.state).rejects(runID, file: file, reason: reason)
            print(Table.render(header: ["file", "line", "field", "reason", "message"], rows: rejects.map {
                [$0.file, String($0.line), $0.field ?? "", $0.reason.rawValue, $0.message]
            }), terminator: "")
        }
    }
}

struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish", abstract: "Publish an earlier, still-kept run again: the metrics views read it from now on.",
        discussion: exitStatusHelp)
    @Argument(help: "The run.") var runID: RunID
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try withExitStatus {
            let db = try global.target(nil).connect(logger: global.logger())
            let load = try Publisher(connection: db).publish(run: runID)
            print("published run \(runID) (load \(load))")
        }
    }
}

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply the schema migrations of sql/ not yet applied.", discussion: exitStatusHelp)
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try withExitStatus {
            _ = try global.target(nil).connect(logger: global.logger())
            print("the warehouse is migrated")
        }
    }
}
