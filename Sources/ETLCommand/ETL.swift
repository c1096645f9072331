import ArgumentParser
import CGlibcExtras
import Extract
import Foundation
import Logging
import Operations
import Pipeline
import Postgres

@main
struct ETL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etl",
        abstract: "The early-intervention warehouse: exports in, cohorts and metrics out.",
        discussion: exitStatusHelp,
        version: ProgramVersion.current,
        subcommands: [
            RunCommand.self, CheckCommand.self, ExtractCommand.self, TransformCommand.self, LoadCommand.self,
            RunsCommand.self, RejectsCommand.self, PublishCommand.self,
            MigrateCommand.self, WarehouseCommand.self, ReportCommand.self, NationalCommand.self, GenerateCommand.self,
            DemoCommand.self, BenchCommand.self,
        ])

    /// `etl national publish`: the subcommands the arguments name, none of their values (a
    /// password in `--database`, a CPR number typed by mistake).
    static func commandPath(_ arguments: [String]) -> String {
        var path = ["etl"], level = configuration.subcommands
        for word in arguments.dropFirst() {
            guard let next = level.first(where: { $0._commandName == word }) else { break }
            path.append(word)
            level = next.configuration.subcommands
        }
        return path.joined(separator: " ")
    }

    /// What every command does first: files private to their owner (umask 077), big buffers
    /// given back to the system when freed, every log line in one layout (`--log-format`), a
    /// line for a run a signal stops (`StopSignals`) or a crash ends (`CrashSignals`), and
    /// a state directory found open to others closed before anything is read from or written to it.
    static func main() {
        // Started with its standard streams closed (`>&- 2>&-`), the next files opened took
        // their numbers: the stop signals' pipe became 1 and 2, log lines were read as signals,
        // and a SIGTERM then hung the run holding its lock (an adversarial review).
        for fd in Int32(0)...2 where fcntl(fd, F_GETFD) < 0 { _ = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) }
        umask(StateDirectory.umask)
        CrashSignals.install()
        // A log pipe whose reader went away (`etl run | tee`, `| logger`) ended a run by SIGPIPE,
        // mid-stage and in silence (an adversarial review): a write to it fails instead, and the
        // run goes on. The server programs etl starts get the default back (`Subprocess`).
        signal(SIGPIPE, SIG_IGN)
        // glibc raises its mmap threshold each time a big block is freed, after which blocks of
        // that size come from the heap and stay resident once freed: a national transform peaked
        // at 625–640 MiB or 563 MiB depending on the order its threads freed in. Fixed at
        // 1 MiB, it peaks at 490 MiB, no slower (docs/benchmarks.md).
        mallopt(M_MMAP_THRESHOLD, 1 << 20)
        do {
            var command = try parseAsRoot()
            let global = globalOptions(of: command)
            let format = global?.logFormat ?? .text
            // The demo's state directory is its own: hints of another would mislead.
            let hints = command is DemoCommand ? nil : global?.hints.with(nationalFile: nationalFile(of: command))
            LoggingSystem.bootstrap { ETLLogHandler(label: $0, format: format, hints: hints) }
            StopSignals.install(logger: Logger(label: "etl"), command: commandPath(CommandLine.arguments))
            if let url = global?.database, let info = ConnectionInfo.parse(url), ConnectionInfo.secrets.contains(where: { info[$0] != nil }) {
                Logger(label: "etl").warning("""
                    the --database given holds a password, which other users of this machine see in the process list while etl runs: \
                    give it in DATABASE_URL or ~/.pgpass (PGPASSFILE) instead
                    """)
            }
            if let global {
                let state = (command as? DemoCommand)?.state ?? global.state
                try withExitStatus { try StateDirectory.secure(state, logger: global.logger()) }
            }
            try command.run()
            try checkStandardOutput(of: command)
        } catch {
            // As `exit(withError:)`, but a value given by mistake (a CPR number as a run id or a
            // date) is not echoed in clear: cron keeps standard error in its log and mails it.
            let code = exitCode(for: error), message = CPRInText.masking(fullMessage(for: error))
            if !message.isEmpty {
                if code == .success { print(message) } else { try? FileHandle.standardError.write(contentsOf: Data((message + "\n").utf8)) }
            }
            Foundation.exit(code.rawValue)
        }
    }

    /// What a command printed reached its file: `etl rejects RUN > copy.csv` on a full disk
    /// kept 40 of 98 lines and exited 0 (an adversarial review). A command whose output is its
    /// product (a listing, a copy) fails; one whose work is done (a run published, a server
    /// started) says so and keeps its status, which "run it again" would have misled (a
    /// review). A reader that went away (`| head`) is no failure: a pipe with no reader says so
    /// to `poll` (POLLERR), unless what was lost is a password shown once.
    private static func checkStandardOutput(of command: ParsableCommand) throws {
        let failed = etl_flush_standard_output()
        guard failed != 0 else { return }
        var reader = pollfd(fd: STDOUT_FILENO, events: 0, revents: 0)
        let readerGone = failed == EPIPE || (poll(&reader, 1, 0) == 1 && reader.revents & Int16(POLLERR) != 0)
        let secret = command is PrintsASecret
        if readerGone && !secret { return }
        let why = readerGone ? "its reader went away" : String(cString: strerror(failed))
        if command is PrintsItsProduct {
            throw OperationsError.io(path: "standard output", message: "not all of what this command printed could be written (\(why)); "
                                     + "the copy is incomplete: free space, or write it elsewhere, and run it again")
        }
        let lost = secret ? ", but a password it generated and printed is lost: run it again with --new-password" : ""
        Logger(label: "etl").warning("not all of what this command printed could be written (\(why)); its work is done\(lost)")
    }

    /// The national file a coordinator's command was given as `--file`, if any.
    private static func nationalFile(of command: ParsableCommand) -> String? {
        Mirror(reflecting: command).children.lazy.compactMap { ($0.value as? OptionGroup<NationalCommand.CoordinatorOptions>)?.wrappedValue.path }.first
    }

    /// The command's `@OptionGroup var global: GlobalOptions`, if it has one.
    private static func globalOptions(of command: ParsableCommand) -> GlobalOptions? {
        Mirror(reflecting: command).children.lazy.compactMap { ($0.value as? OptionGroup<GlobalOptions>)?.wrappedValue }.first
    }
}

/// A command whose standard output is its product (a listing, a copy): output that cannot be
/// written fails it (`ETL.checkStandardOutput`).
protocol PrintsItsProduct {}

/// A command that prints a password it generated, once: output lost says to make a new one.
protocol PrintsASecret {}
