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
    @Argument(help: "The run.") var runID: RunID
    @Flag(help: "Publish even over a newer published run.") var force = false
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try withExitStatus {
            let logger = global.logger()
            let republisher = Republisher(state: global.state, target: global.target(nil), logger: logger)
            let load = try republisher.publish(runID, force: force)
            print("published run \(runID) (load \(load))")
            // As after a nightly publish: the committee's page follows what analysts see.
            do {
                for path in try republisher.writeReport(runID) { print(path) }
            } catch {
                logger.error("report not written; the run is published: \(error). `etl report` writes it")
                throw ExitCode(ExitStatus.reportFailed.rawValue)
            }
        }
    }
}
