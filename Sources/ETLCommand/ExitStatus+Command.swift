import ArgumentParser
import Logging
import Pipeline

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
        let status = ExitStatus.of(error)
        var metadata: Logger.Metadata = ["exit_status": .stringConvertible(Int(status.rawValue))]
        if let failure = error as? RunFailure {
            metadata["run"] = "\(failure.run)"
            metadata["stage"] = failure.step.map { "\($0.rawValue)" }
        }
        Logger(label: "etl").error("\(error)", metadata: metadata)
        throw ExitCode(status.rawValue)
    }
}
