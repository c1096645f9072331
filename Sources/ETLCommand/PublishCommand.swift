import ArgumentParser
import Operations
import Pipeline

struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish", abstract: "Publish an earlier, still-kept run again: the metrics views read it from now on.",
        discussion: "Publishing a run older than the published one replaces a newer run: that needs --force.\n\n" + exitStatusHelp)
    @Argument(help: "The run.") var runID: RunID
    @Flag(help: "Publish even over a newer published run.") var force = false
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try withExitStatus {
            let load = try Republisher(state: global.state, target: global.target(nil), logger: global.logger())
                .publish(runID, force: force)
            print("published run \(runID) (load \(load)); the committee's report still shows the run it was written for: `etl report` writes it for this one")
        }
    }
}
