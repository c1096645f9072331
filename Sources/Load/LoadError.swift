import Pipeline

public enum LoadError: Error, CustomStringConvertible {
    case missingFromManifest(file: String, manifest: String)
    case rowCountMismatch(file: String, expected: Int, copied: Int)
    case unknownTable(String)
    case noLoadID
    case runNotLoaded(RunID)
    case runNotInLedger(RunID)

    public var description: String {
        switch self {
        case .missingFromManifest(let file, let manifest):
            "\(manifest): names no \(file); rerun transform for this run"
        case .rowCountMismatch(let file, let expected, let copied):
            "\(file): COPY loaded \(copied) rows but the transform manifest says \(expected); the file changed after transform — rerun transform, then load"
        case .unknownTable(let table):
            "\(table) does not exist: the warehouse is not migrated; run `etl migrate`"
        case .noLoadID:
            "the warehouse gave no load id"
        case .runNotLoaded(let run):
            "run \(run) has no complete load left in the warehouse (dropped by retention, or never loaded); load it again with `etl load --run \(run)`"
        case .runNotInLedger(let run):
            "run \(run) is not in the run ledger (etl.runs)"
        }
    }
}
