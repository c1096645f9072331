import ArgumentParser
import Logging
import Pipeline
import Postgres

/// The end of every command's `--help`: the statuses in short, and where operations.md says what to do for each.
let exitStatusHelp = "Exit statuses:\n" + ExitStatus.table
    + "\nWhat to do for each: docs/operations.md, \"Exit statuses, and what to do\"."

/// Runs a command body and turns what it throws into an error log line (the same layout
/// as every other line, text or JSON), naming the run and stage of a run's failure, and the
/// exit status the error declares.
func withExitStatus(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        // Being stopped, its failure is the stop's doing (its folder removed under it, say): the stop ends it, by its signal.
        CommitGate.pass()
        let status = ExitStatus.of(error)
        var metadata: Logger.Metadata = ["exit_status": .stringConvertible(Int(status.rawValue))]
        if let failure = error as? RunFailure {
            metadata["run"] = "\(failure.run)"
            metadata["stage"] = failure.step.map { "\($0.rawValue)" }
        }
        var text = "\(error)"
        // Lost outside a run's stages (at its very start, say): said with what to do, as a run's loss is (a review).
        if let lost = ((error as? RunFailure)?.error ?? error) as? PostgresError, lost.kind == .connection {
            while text.hasSuffix(".") { text.removeLast() }
            text += ". The connection to the warehouse broke; what this command had not committed was rolled back. "
                + "Check the server (`etl warehouse status`), then run the command again"
        }
        Logger(label: "etl").error("\(text)", metadata: metadata)
        throw ExitCode(status.rawValue)
    }
}
