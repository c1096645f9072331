import ArgumentParser
import Extract
import Foundation
import Load
import National
import Operations
import Pipeline

struct NationalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "national",
        abstract: "National figures over every municipality's warehouse (postgres_fdw), and each warehouse's feed.",
        discussion: """
            On the coordinator: `sync` reads the national file and makes the coordinator read each \
            municipality's feed; `publish` makes and publishes a national snapshot (schema \
            national_metrics); `status` says what is published and whether every feed answers; \
            `analyst` makes a national analyst's role. On a municipality's warehouse: `feed-role` makes the role the coordinator reads its feed as. \
            docs/national.md has the whole picture.

            \(exitStatusHelp)
            """,
        subcommands: [Sync.self, Publish.self, Status.self, Analyst.self, FeedRoleCommand.self])

    /// The national file and the coordinator database.
    struct CoordinatorOptions: ParsableArguments {
        @Option(name: .customLong("file"), help: "The national file (national.yaml): the municipalities and their feeds. Default: $ETL_NATIONAL_FILE.")
        var path: String?

        func load() throws -> NationalFile {
            guard let path = path ?? ProcessInfo.processInfo.environment["ETL_NATIONAL_FILE"].flatMap({ $0.isEmpty ? nil : $0 }) else {
                throw OperationsError.usage("name the national file (--file national.yaml, or $ETL_NATIONAL_FILE)")
            }
            try TrustedFile.check(path, what: "the national file")
            return try NationalFile.load(path: path)
        }

        /// `--database`, `DATABASE_URL` or the libpq environment; else the national file's
        /// `database`, else the embedded server under the state directory (database `national`).
        func coordinator(_ global: GlobalOptions, mayCreateCluster: Bool = false) throws -> Coordinator {
            let file = try load()
            let url = WarehouseTarget.resolve(flag: global.database, pipeline: nil, state: global.state).url
            let logger = global.logger()
            Watchdog.process.arm { step, seconds in
                logger.error("""
                    no answer within \(seconds) s in \(step): given up. A path to a municipality's server keeps its connection \
                    but does not answer (a tunnel or proxy whose far side froze, or its PostgreSQL stopped): `etl national status` \
                    names it. The coordinator rolls back what this command had not committed once it sees it gone, so the national \
                    snapshot published before stays, unless its own commit was what hung (a synchronous standby that does not \
                    answer): `etl national status` says which snapshot is published
                    """, metadata: ["exit_status": "\(ExitStatus.databaseUnreachable.rawValue)"])
                fflush(nil)
                _exit(ExitStatus.databaseUnreachable.rawValue)
            }
            return try Coordinator.connect(file: file, url: url, state: global.state, mayCreateCluster: mayCreateCluster, logger: logger)
        }
    }

    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the coordinator read the national file's municipalities: servers, user mappings, foreign tables.",
            discussion: """
                For each municipality: a postgres_fdw server (async_capable), a user mapping with its feed role's \
                password (from the environment variable or file the national file names), and its feed's views as \
                foreign tables (national_remote.<view>_<code>, each a partition of national.<view>, whose rows are \
                named by what the feed says: publish reads each foreign table alone, named by the national file); \
                municipalities no longer listed are dropped. Then every feed \
                is read once: a feed that cannot be reached exits 69, one that cannot be used (nothing published, \
                another municipality, another feed version) exits 1; the definitions are kept either way.

                \(exitStatusHelp)
                """)
        @OptionGroup var options: CoordinatorOptions
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try withExitStatus {
                let coordinator = try options.coordinator(global, mayCreateCluster: true)
                let states = try coordinator.sync()
                try report(states, published: try coordinator.publishedSnapshot())
            }
        }
    }

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read every feed and publish a national snapshot, atomically.",
            discussion: """
                The municipalities' aggregates are summed on the coordinator (each aggregated on its own server), \
                the difference-in-differences is estimated on the union of their panels, and the snapshot replaces \
                the published one in one transaction. A municipality that cannot be reached stops it (exit 69), one \
                whose feed cannot be used stops it too (exit 1), and the last snapshot stays published; with \
                --partial the snapshot is made of the others and names those missing.

                \(exitStatusHelp)
                """)
        @Flag(help: "Publish from the municipalities that answer; the snapshot names those left out.") var partial = false
        @OptionGroup var options: CoordinatorOptions
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try withExitStatus {
                let coordinator = try options.coordinator(global)
                let s = try coordinator.publish(partial: partial)
                let asOf = s.municipalities.map { "\($0.name) \($0.asOf)" }.joined(separator: ", ")
                print(Echo.showable("published national snapshot \(s.snapshotID): \(s.municipalities.count) municipalities (as of: \(asOf)); "
                      + "evaluation: \(s.inEvaluation) municipalities, \(s.periods) \(s.periodLength.rawValue)s, "
                      + "\(s.estimated) of 6 estimates; \(String(format: "%.2f", s.seconds)) s"
                      + (s.missing.isEmpty ? "" : "; left out: " + s.missing.map(\.description).joined(separator: "; "))))
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The published national snapshot, and whether every municipality's feed answers (exit 69 when one does not).",
            discussion: exitStatusHelp)
        @OptionGroup var options: CoordinatorOptions
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try withExitStatus {
                let coordinator = try options.coordinator(global)
                let published = try coordinator.publishedSnapshot()
                print(published.map { "published national snapshot: \($0)" } ?? "no national snapshot published yet")
                try report(try coordinator.file.municipalities.map(coordinator.probe), published: published)
            }
        }
    }

    struct Analyst: ParsableCommand, PrintsASecret {
        static let configuration = CommandConfiguration(
            abstract: "On the coordinator: make a login role that reads national_metrics and nothing else, and print its connection string.",
            discussion: """
                As `etl warehouse analyst`, on the coordinator's database: the role is a member of etl_analyst, \
                which reads schema national_metrics there; the password: --prompt, else $\(WarehouseCommand.Analyst.passwordVariable), \
                else generated and shown once. Analysts connect over TCP: start the coordinator's embedded server \
                with `etl warehouse start --listen HOST:PORT`.

                \(exitStatusHelp)
                """)
        @Argument(help: "The role's name.") var name: String
        @Flag(help: "Ask for the password on the terminal (twice, not shown).") var prompt = false
        @Flag(help: "Give an analyst role made earlier a new, generated password.") var newPassword = false
        @Option(help: "The host name analysts reach the coordinator by. Default: the --listen address.") var host: String?
        @OptionGroup var options: CoordinatorOptions
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            try WarehouseCommand.Analyst.checkName(name)
            try PasswordPrompt.checkOneWay(variable: WarehouseCommand.Analyst.passwordVariable, prompt: prompt, newPassword: newPassword)
        }

        func run() throws {
            try withExitStatus {
                let logger = global.logger()
                let coordinator = try options.coordinator(global)
                let given = try PasswordPrompt.given(for: name, variable: WarehouseCommand.Analyst.passwordVariable, prompt: prompt)
                let generated = given == nil ? PasswordPrompt.generate() : nil
                let outcome = try AnalystRole.grant(name, password: given ?? generated!, keepExisting: given == nil && !newPassword,
                                                    on: coordinator.db)
                let shown = outcome == .unchanged ? nil : generated
                let url = WarehouseTarget.resolve(flag: global.database, pipeline: nil, state: global.state).url ?? coordinator.file.database
                var access = WarehouseTarget(url: url, state: global.state).analystAccess(role: name, password: shown, host: host)
                if url == nil { access.url.database = Coordinator.embeddedDatabase }
                for warning in access.warnings { logger.warning("\(warning)") }
                if outcome == .unchanged {
                    logger.info("the analyst role exists; its password is unchanged (--new-password makes one)", metadata: ["role": "\(name)"])
                }
                print(access.url.text)
            }
        }
    }

    struct FeedRoleCommand: ParsableCommand, PrintsASecret {
        static let configuration = CommandConfiguration(
            commandName: "feed-role",
            abstract: "On a municipality's warehouse: make the role the national coordinator reads the feed as, and print its connection.",
            discussion: """
                The role national_feed reads the views of schema national_feed (aggregates of the published load) \
                and nothing else, in read-only transactions; the embedded server lets it in over TCP with its \
                password (`etl warehouse start --listen HOST:PORT`). The password: --prompt asks for it, else \
                $\(Self.passwordVariable), else one is generated and printed once. A role made earlier keeps its \
                password unless one of these is given or --new-password. Give the coordinator the connection \
                (its national file's feed:) and the password (an environment variable or a file it names).

                \(exitStatusHelp)
                """)
        static let passwordVariable = "ETL_NATIONAL_FEED_PASSWORD"

        @Flag(help: "Ask for the password on the terminal (twice, not shown).") var prompt = false
        @Flag(help: "Give the role made earlier a new, generated password.") var newPassword = false
        @Option(help: "The host name the coordinator reaches this server by. Default: the --listen address.") var host: String?
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            try PasswordPrompt.checkOneWay(variable: Self.passwordVariable, prompt: prompt, newPassword: newPassword)
        }

        func run() throws {
            try withExitStatus {
                let logger = global.logger()
                let target = global.target(nil)
                let given = try PasswordPrompt.given(for: FeedRole.name, variable: Self.passwordVariable, prompt: prompt)
                let generated = given == nil ? PasswordPrompt.generate() : nil
                let db = try target.connect(logger: logger)
                let outcome = try FeedRole.grant(password: given ?? generated!, keepExisting: given == nil && !newPassword, on: db)
                let access = target.analystAccess(role: FeedRole.name, password: nil, host: host)
                switch outcome {
                case .created: logger.info("created the national feed role: it reads schema national_feed only", metadata: ["role": "\(FeedRole.name)"])
                case .passwordSet: logger.info("set the national feed role's password", metadata: ["role": "\(FeedRole.name)"])
                case .unchanged: logger.info("the national feed role exists; its password is unchanged (--new-password makes one)", metadata: ["role": "\(FeedRole.name)"])
                }
                for warning in access.warnings { logger.warning("\(warning.replacingOccurrences(of: "analysts", with: "the coordinator"))") }
                print("feed: \(access.url.text)")
                if outcome != .unchanged, let generated {
                    logger.notice("the generated password is printed once and stored nowhere: give it to the coordinator now (an environment variable or a file its national file names)")
                    print("password: \(generated)")
                }
            }
        }
    }
}

/// One line per municipality; throws when one cannot be reached (69) or used (1).
private func report(_ states: [FeedState], published: Int64?) throws {
    for state in states {
        let m = state.member
        let line = switch state.outcome {
        case .ready(let load):
            "run \(load.runID) as of \(load.asOf), window \(load.windowFrom)–\(load.windowTo), \(load.periods) "
                + "\(load.periodLength ?? "period")s, \(load.institutionsWithheld) of \(load.panelInstitutions) institutions withheld"
        case .unreachable(let why): "UNREACHABLE: \(why)"
        case .unusable(let why): "NOT USABLE: \(why)"
        }
        // Names and feed text shown as a terminal may (a feed's text could move the cursor).
        print(Echo.showable("\(m.name) (\(m.code)): \(line)"))
    }
    try NationalError.check(states, published: published, publishing: false)
}
