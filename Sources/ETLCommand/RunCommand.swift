import ArgumentParser
import Foundation
import Operations
import Pipeline

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the pipeline: extract, transform, load and publish one drop.",
        discussion: """
            Takes the newest complete drop of --inbox (or the --drop given), and prints one summary line.
            A drop already loaded successfully (same checksums) is not loaded again unless --force.
            Newer folders of the inbox that are not complete drops are reported (exit 66), even when
            an older drop was loaded.
            With --from STAGE --run ID, reruns an existing run from that stage on, and publishes it.
            A run is not published over a newer one (with data of a later day, or of the same day
            and started later) unless --force; a new run of a drop of an earlier day than the
            published run's is refused before any work.

            \(exitStatusHelp)
            """)

    @Option(help: "The municipality's pipeline file (pipelines/*.yaml): required for a new run; a rerun (--from) uses the one its run's newest stage files were made with unless given.")
    var pipeline: String?

    @Option(help: "One drop folder to run on.")
    var drop: String?

    @Option(help: "An inbox of drop folders; the newest complete one is run.")
    var inbox: String?

    @Flag(help: "Load the drop even if it was loaded before, and publish it even over a newer published run.")
    var force = false

    @Flag(help: "Start over under the pseudonymisation key now given, though the warehouse's and the state directory's runs were extracted under another: every child gets a new pseudonym and no longer links to earlier runs.")
    var newKey = false

    @Option(help: "The as-of date (yyyy-mm-dd). Default: the pipeline file's as_of, else the drop's export date (udtraeksdato), else its folder name, else today.")
    var asOf: Day?

    @Option(help: "Rerun an existing run (with --run) from this stage: extract, transform or load.")
    var from: Stage?

    @Option(name: .customLong("run"), help: "The run to rerun with --from.")
    var runID: RunID?

    @OptionGroup var global: GlobalOptions

    /// Checked as the run starts, not in `validate()`: ArgumentParser names a misspelt option
    /// (`--inbx`) only after `validate()` passes, and "name a drop or an inbox" hid it (a review).
    func checkOptions() throws {
        try GlobalOptions.refuseBlank(drop, "--drop", "name the drop folder")
        try GlobalOptions.refuseBlank(inbox, "--inbox", "name the inbox folder")
        try GlobalOptions.refuseBlank(pipeline, "--pipeline", "name the pipeline file")
        if from != nil, runID == nil { throw ValidationError("--from needs --run ID") }
        if from == nil, runID != nil { throw ValidationError("--run needs --from STAGE (or use `etl \(Stage.extract.rawValue) --run ID`)") }
        if from == nil, drop == nil, inbox == nil { throw ValidationError("name a drop (--drop DIR) or an inbox (--inbox DIR)") }
        if drop != nil, inbox != nil { throw ValidationError("name a drop (--drop DIR) or an inbox (--inbox DIR), not both") }
        if from != nil, drop != nil || inbox != nil { throw ValidationError("a rerun (--from) reads the run's own drop: leave out --drop and --inbox") }
        if from != nil, newKey { throw ValidationError("--new-key starts a new run: a rerun (--from) keeps its run's key") }
        if from == nil, pipeline == nil { throw ValidationError("name the pipeline file (--pipeline FILE)") }
    }

    func run() throws {
        do { try checkOptions() } catch {   // said as ArgumentParser says its own, with this command's usage
            FileHandle.standardError.write(Data("Error: \(error)\nUsage: \(ETL.usageString(for: Self.self))\n  See 'etl run --help' for more information.\n".utf8))
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        try withExitStatus {
            if let runID, from != nil { StopSignals.record(.init(run: runID)) }   // a stop from the start names the run
            var runner = try makeRunner(pipeline: pipeline, run: runID, global: global, mayCreateCluster: true)
            runner.newKey = newKey
            let summary: RunSummary
            if let from, let runID {
                summary = try runner.rerun(runID, from: from, force: force)
            } else {
                summary = try runner.runNew(drop: drop.map { URL(fileURLWithPath: $0) }, inbox: inbox.map { URL(fileURLWithPath: $0) },
                                            force: force, asOf: asOf)
            }
            print(global.hints.completing(summary.line))
            if !summary.newerIncomplete.isEmpty {
                throw OperationsError.newerDropsIncomplete(ran: summary.drop, drops: summary.newerIncomplete)
            }
            if let message = summary.reportError { throw OperationsError.reportNotWritten(run: summary.run, message: message) }
        }
    }
}

/// A runner for a pipeline file, or for the one a run's newest stage files were made with.
/// Of the stage commands only `etl run` may create the embedded cluster (`mayCreateCluster`).
func makeRunner(pipeline: String?, run: RunID?, global: GlobalOptions, mayCreateCluster: Bool = false) throws -> PipelineRunner {
    let state = global.state
    var path = pipeline
    if path == nil, let run { path = try RunInfo.pipelineInPlace(state.run(run)) }
    guard let path else { throw OperationsError.usage("name the pipeline file (--pipeline FILE)") }
    let config = try PipelineConfig.loadTrusted(path: path)
    return PipelineRunner(config: config, state: state, target: global.target(config, mayCreateCluster: mayCreateCluster), logger: global.logger(),
                          showProgress: global.logFormat == .text && isatty(STDERR_FILENO) == 1)
}
