import ArgumentParser
import Operations
import Pipeline

struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish", abstract: "Publish an earlier, still-kept run again: the metrics views read it from now on.",
        discussion: """
            Then writes the committee's report for it, as the nightly run does (its folder, and report.out of its pipeline file).
            Publishing a run older than the published one (with data of an earlier day, or of the same day and started earlier) needs --force.
            """ + "\n\n" + exitStatusHelp)
    @Argument(help: runIDHelp) var runID: RunID
    @Flag(help: "Publish even over a newer published run.") var force = false
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try withExitStatus {
            let logger = global.logger()
            StopSignals.record(.init(run: runID, stage: "publish"))   // a stop names the run, and says once it is published
            let published = try Republisher(state: global.state, target: global.target(nil), logger: logger).publish(runID, force: force)
            print("published run \(runID) (load \(published.load))")
            switch published.report {
            case .success(let paths): for path in paths { print(path) }
            case .failure(let error): throw OperationsError.reportNotWritten(run: runID, message: "\(error)")
            }
        }
    }
}
