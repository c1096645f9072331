import ArgumentParser
import Operations
import Pipeline

/// `etl extract|transform|load --run ID`: one stage of an existing run, again.
protocol StageCommand: ParsableCommand {
    static var stage: Stage { get }
    var stageRun: StageRunOptions { get }
    var global: GlobalOptions { get }
    /// Publish even over a newer published run: the load's alone (the others publish nothing).
    var force: Bool { get }
}

extension StageCommand {
    static func stageConfiguration(_ abstract: String) -> CommandConfiguration {
        CommandConfiguration(commandName: stage.rawValue, abstract: abstract, discussion: exitStatusHelp)
    }

    func run() throws {
        try withExitStatus {
            StopSignals.record(.init(run: stageRun.runID))   // a stop from the start names the run
            let runner = try makeRunner(pipeline: stageRun.pipeline, run: stageRun.runID, global: global)
            let summary = try runner.rerun(stageRun.runID, from: Self.stage, only: true, force: force)
            print(global.hints.completing(summary.line))
            // As `etl run`: the error line, last, with its status (cron's mail, the JSON log's exit_status).
            if let message = summary.reportError { throw OperationsError.reportNotWritten(run: summary.run, message: message) }
        }
    }

    var force: Bool { false }
}

struct StageRunOptions: ParsableArguments {
    @Option(name: .customLong("run"), help: runIDHelp) var runID: RunID
    @Option(help: "The pipeline file; default: the one the run's newest stage files were made with.") var pipeline: String?
}

struct ExtractCommand: StageCommand {
    static let stage = Stage.extract
    static let configuration = stageConfiguration("Extract a run's drop again (with the pipeline file as it is now).")
    @OptionGroup var stageRun: StageRunOptions
    @OptionGroup var global: GlobalOptions
}

struct TransformCommand: StageCommand {
    static let stage = Stage.transform
    static let configuration = stageConfiguration("Transform a run's extracted records again.")
    @OptionGroup var stageRun: StageRunOptions
    @OptionGroup var global: GlobalOptions
}

struct LoadCommand: StageCommand {
    static let stage = Stage.load
    static let configuration = stageConfiguration("Load a run's fact files again, and publish it.")
    @OptionGroup var stageRun: StageRunOptions
    @Flag(help: "Publish even over a newer published run.") var force = false
    @OptionGroup var global: GlobalOptions
}
