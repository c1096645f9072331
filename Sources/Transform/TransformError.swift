import Pipeline

/// Why the transform stage could not run. Each case says what is wrong, where, and what to do.
package enum TransformError: StewardError, Equatable {
    /// The pipeline file's window ends before it starts.
    case windowEndsBeforeStart(from: Day, to: Day)
    /// An extract file no longer matches what extract's manifest says it wrote.
    case extractFileChanged(path: String, expected: String, found: String)
    /// A stage file could not be read or written (wraps `StageFileError`'s text).
    case stageFile(path: String, line: Int?, message: String)

    package var exitStatus: ExitStatus {
        switch self {
        case .windowEndsBeforeStart: .usage
        case .extractFileChanged, .stageFile: .failure
        }
    }

    package var description: String {
        switch self {
        case let .windowEndsBeforeStart(from, to):
            return "evaluation window ends (\(to)) before it starts (\(from)): fix `window` in the pipeline file"
        case let .extractFileChanged(path, expected, found):
            return "\(path): extract's manifest says \(expected), the file has \(found); rerun extract for this run"
        case let .stageFile(path, line, message):
            return "\(path)\(line.map { ":\($0)" } ?? ""): \(message). Check the state directory's free space and permissions; "
                + "a stage file changed by hand is made again by rerunning the stage that wrote it"
        }
    }

    init(_ error: StageFileError) {
        self = .stageFile(path: error.path, line: error.line, message: error.message)
    }
}
