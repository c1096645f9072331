import ArgumentParser
import Extract
import Foundation
import Load
import Operations
import Postgres

struct WarehouseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warehouse", abstract: "The embedded PostgreSQL server, and analysts' access.",
        discussion: exitStatusHelp,
        subcommands: [Start.self, Stop.self, Status.self, PsqlURL.self, Analyst.self])

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the embedded server (creating it on first use) and migrate it.",
            discussion: """
                Analysts connect over TCP only, and only when --listen is given: as the roles \
                `etl warehouse analyst` makes, with their passwords (SCRAM). The superuser connects \
                through the Unix socket in the state directory only.

                \(exitStatusHelp)
                """)
        @Option(help: ArgumentHelp(
            "Accept analysts' connections over TCP at this address (0.0.0.0:5432 for every interface, 127.0.0.1:6543, [::1]:5432), or `off` for the socket only. Kept for later starts; default: as the last start left it (off at first). A running server that listens otherwise is restarted.",
            valueName: "host:port|off"))
        var listen: ListenSetting?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try withExitStatus {
                let target = global.target(nil, mayCreateCluster: true)
                if target.url == nil {
                    try? FileManager.default.removeItem(at: target.stoppedByHandFile)
                    try target.startEmbedded(listen: listen?.change ?? .keep, logger: global.logger())
                } else if listen != nil {
                    throw WarehouseError.notEmbedded(option: "--listen", target: target.displayName)
                }
                _ = try target.connect(logger: global.logger())
                print("warehouse running: psql '\(target.psqlURL)'")
                if target.url == nil {
                    print(target.embeddedServer.listen.map {
                        "analysts connect over TCP at \($0); `etl warehouse analyst NAME` makes a role and prints its connection string"
                    } ?? "no TCP: analysts cannot connect (start with --listen HOST:PORT to let them)")
                }
            }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop the embedded server; refused (exit 75) while a run or stage rerun holds the lock.",
            discussion: exitStatusHelp)
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try withExitStatus {
                let target = global.target(nil), server = target.embeddedServer
                // A named warehouse is another server: it is not stopped, and not silently left running either.
                if global.database != nil, target.url != nil {
                    throw WarehouseError.notEmbedded(option: "`etl warehouse stop`", target: target.displayName)
                }
                guard server.clusterExists else {
                    print("no embedded warehouse in \(global.state.root.path): nothing to stop")
                    return
                }
                // Under the run lock: a run's connection is not cut mid-stage (a steward's trial).
                let lock = try RunLock(path: global.state.lockFile.path, holder: "etl warehouse stop")
                defer { withExtendedLifetime(lock) {} }
                try server.stop()
                // Stopped on purpose: no other command starts it again behind the steward's back.
                try ISO8601DateFormatter().string(from: Date()).write(to: target.stoppedByHandFile, atomically: true, encoding: .utf8)
                let named = target.url == nil ? "" : " (those run now use \(target.displayName), from the environment, which is not stopped)"
                print("warehouse stopped; commands that need it refuse until `etl warehouse start`" + named)
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Whether the embedded server runs (exit 0) or not (exit 1), and where it listens; a named warehouse (--database), whether it answers (0) or not (69).",
            discussion: exitStatusHelp)
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try withExitStatus {
                let target = global.target(nil)
                if target.url != nil {
                    // Asked as a command that needs it would ask, once: what a lost connection's message sends the steward here for.
                    let db = try target.connect(logger: global.logger(), retries: 0, migrate: false)
                    let version = try db.query("SELECT current_setting('server_version')").first?.string(0) ?? "?"
                    print("warehouse answers: \(target.displayName) (PostgreSQL \(version))")
                    return
                }
                let server = target.embeddedServer
                guard server.clusterExists else { throw WarehouseError.noCluster(state: global.state.root.path) }
                let status = try server.status()
                // Stopped, the address is what the next start takes, not one that answers now.
                let tcp = server.listen.map { status.isRunning ? "at \($0) (analysts)" : "\($0) when started (analysts)" } ?? "off"
                print("\(status); socket in \(server.socketDirectory); TCP \(tcp)")
                if !status.isRunning { throw ExitCode.failure }
            }
        }
    }

    struct PsqlURL: ParsableCommand, PrintsItsProduct {
        static let configuration = CommandConfiguration(
            commandName: "psql-url", abstract: "The owner's connection string to paste into psql.", discussion: exitStatusHelp)
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try withExitStatus {
                let target = global.target(nil)
                if target.url == nil, !target.embeddedServer.clusterExists {
                    throw WarehouseError.noCluster(state: global.state.root.path)
                }
                print(target.psqlURL)
            }
        }
    }

    struct Analyst: ParsableCommand, PrintsASecret {
        static let configuration = CommandConfiguration(
            abstract: "Make a login role that reads the metrics views and nothing else, and print its connection string.",
            discussion: """
                The password: --prompt asks for it, else $\(Self.passwordVariable), else one is generated \
                and shown once, in the connection string (it is stored nowhere). An analyst role made \
                earlier keeps its password unless one of these is given or --new-password. Roles \
                the tool did not make (the superuser, etl_analyst, anyone's own) are refused and left \
                as they are. docs/analysts.md: connecting from psql and BI tools.

                \(exitStatusHelp)
                """)
        static let passwordVariable = "ETL_ANALYST_PASSWORD"

        /// A role's name is kept in the server's catalogue and logs and shown in messages: one
        /// that holds a CPR number (a person's, as a login) or control characters is refused.
        static func checkName(_ name: String) throws {
            guard !Echo.unfitAsName(name) else {
                throw ValidationError("\(Echo.name(name)): a role's name may hold no CPR number and no control characters")
            }
        }

        @Argument(help: "The role's name.") var name: String
        @Flag(help: "Ask for the password on the terminal (twice, not shown).") var prompt = false
        @Flag(help: "Give an analyst role made earlier a new, generated password.") var newPassword = false
        @Option(help: "The password itself; other users see it in the process list: prefer --prompt or $\(Self.passwordVariable).")
        var password: String?
        @Option(help: "The host name analysts reach the server by, for the connection string. Default: the --listen address (this machine's name when that is every interface).")
        var host: String?
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            try Self.checkName(name)
            try PasswordPrompt.checkOneWay(variable: Self.passwordVariable, password: password, prompt: prompt, newPassword: newPassword)
        }

        func run() throws {
            try withExitStatus {
                let logger = global.logger()
                let target = global.target(nil)
                let given = try PasswordPrompt.given(for: name, variable: Self.passwordVariable, password: password, prompt: prompt)
                let generated = given == nil ? PasswordPrompt.generate() : nil
                let db = try target.connect(logger: logger)
                let outcome = try AnalystRole.grant(name, password: given ?? generated!, keepExisting: given == nil && !newPassword, on: db)
                let shown = outcome == .unchanged ? nil : generated
                let access = target.analystAccess(role: name, password: shown, host: host)
                switch outcome {
                case .created: logger.info("created the analyst role: it reads schema metrics only", metadata: ["role": "\(name)"])
                case .passwordSet: logger.info("set the analyst role's password", metadata: ["role": "\(name)"])
                case .unchanged: logger.info("the analyst role exists; its password is unchanged (--new-password makes one)", metadata: ["role": "\(name)"])
                }
                for warning in access.warnings { logger.warning("\(warning)") }
                if shown != nil { logger.notice("the generated password is in the connection string and stored nowhere: pass it on now") }
                print(access.url.text)
            }
        }
    }
}
