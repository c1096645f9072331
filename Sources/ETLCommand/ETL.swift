import ArgumentParser
import Operations

@main
struct ETL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etl",
        abstract: "The early-intervention warehouse: exports in, cohorts and metrics out.",
        discussion: """
            Exit statuses:
            \(ExitStatus.table)
            """,
        subcommands: [
            RunCommand.self, ExtractCommand.self, TransformCommand.self, LoadCommand.self,
            RunsCommand.self, RejectsCommand.self, PublishCommand.self,
            MigrateCommand.self, WarehouseCommand.self, ReportCommand.self, GenerateCommand.self, DemoCommand.self, BenchCommand.self,
        ])
}
