import ArgumentParser
import Foundation
import Load
import Operations
import Postgres

struct WarehouseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warehouse", abstract: "The embedded PostgreSQL server, and analysts' access.",
        subcommands: [Start.self, Stop.self, Status.self, PsqlURL.self, Analyst.self])

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start the embedded server (creating it on first use) and migrate it.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try withExitStatus {
                let target = global.target(nil)
                _ = try target.connect(logger: global.logger())
                print("warehouse running: psql '\(target.psqlURL)'")
            }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the embedded server.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try withExitStatus {
                try global.target(nil).embeddedServer.stop()
                print("warehouse stopped")
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Whether the embedded server runs (exit 0) or not (exit 1).")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let status = try global.target(nil).embeddedServer.status()
            print(status)
            if !status.isRunning { throw ExitCode.failure }
        }
    }

    struct PsqlURL: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "psql-url", abstract: "The connection string to paste into psql.")
        @OptionGroup var global: GlobalOptions

        func run() throws { print(global.target(nil).psqlURL) }
    }

    struct Analyst: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create (or update) a login role that can read the metrics views and nothing else.")
        @Argument(help: "The role's name.") var name: String
        @Option(help: "Its password (for TCP connections; the embedded server's socket trusts local users).") var password: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try withExitStatus {
                let db = try global.target(nil).connect(logger: global.logger())
                try AnalystRole.grant(name, password: password, on: db)
                print("role \(name) can read schema metrics only")
            }
        }
    }
}
