extension StageFileError: StewardError {
    /// A stage file that cannot be read or written: the state directory's disk or
    /// permissions, or a file changed by hand; the message names it.
    package var exitStatus: ExitStatus { .failure }
}
