import Pipeline

/// What can stop a run or a command, with what to do about it.
public enum OperationsError: Error, CustomStringConvertible, ExitStatusProviding {
    case locked(holder: String, lock: String)
    case noDrop(inbox: String)
    case alreadyLoaded(run: RunID, drop: String)
    case unknownRun(String)
    case stageMissing(run: RunID, stage: Stage)
    case io(path: String, message: String)
    case databaseUnreachable(target: String, message: String)
    case usage(String)

    public var description: String {
        switch self {
        case .locked(let holder, let lock):
            "another run holds the lock: \(holder) (\(lock)); wait for it to finish"
        case .noDrop(let inbox):
            "\(inbox): no complete drop (a folder with the export files, and its MANIFEST if it has one)"
        case .alreadyLoaded(let run, let drop):
            "\(drop) was already loaded by run \(run) with the same checksums; nothing to do (use --force to load it again)"
        case .unknownRun(let id):
            "no run \(id) in the state directory; `etl runs` lists them"
        case .stageMissing(let run, let stage):
            "run \(run) has no completed \(stage.rawValue) stage; run `etl \(stage.rawValue) --run \(run)` first"
        case .io(let path, let message):
            "\(path): \(message)"
        case .databaseUnreachable(let target, let message):
            "database unreachable (\(target)): \(message); check that it is running, or use the embedded one (no --database)"
        case .usage(let message):
            message
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .locked: .locked
        case .noDrop: .dropIncomplete
        case .alreadyLoaded: .success
        case .databaseUnreachable: .databaseUnreachable
        case .usage: .usage
        case .unknownRun, .stageMissing, .io: .failure
        }
    }
}
