/// An error `etl` can stop on, as a steward reads it: `description` says what happened,
/// where (the file and line, when there are any) and what to do; `exitStatus` is the status
/// `etl` exits with for it. Each error type declares its own here, so no other code decides
/// for it. The run and the stage it stopped are added by the runner (`RunFailure`).
package protocol StewardError: Error, CustomStringConvertible {
    var exitStatus: ExitStatus { get }
}
