import Pipeline

/// Why a load or a publish stopped; the warehouse is as it was (a load is one transaction).
package enum LoadError: StewardError {
    case missingFromManifest(file: String, manifest: String)
    case rowCountMismatch(file: String, expected: Int, copied: Int)
    case factFileChanged(file: String, found: String, expected: String)
    case unknownTable(String)
    case noLoadID
    /// No complete load of the run; `next`, when the ledger tells, what its steward runs.
    case runNotLoaded(RunID, next: String?)
    case runNotInLedger(RunID)

    /// A run id that names no run is a bad argument (64), as for every command.
    package var exitStatus: ExitStatus {
        if case .runNotInLedger = self { return .usage }
        return .failure
    }

    package var description: String {
        switch self {
        case .missingFromManifest(let file, let manifest):
            "\(manifest): names no \(file); rerun transform for this run"
        case .rowCountMismatch(let file, let expected, let copied):
            "\(file): COPY loaded \(copied) rows but the transform manifest says \(expected); the file changed after transform — rerun transform, then load"
        case .factFileChanged(let file, let found, let expected):
            "\(file): it changed since transform wrote it (checksum \(found), the transform manifest says \(expected)); rerun transform, then load"
        case .unknownTable(let table):
            "the warehouse has no fact table \(table) to load into: it is not migrated to this version; run `etl migrate`, then load again"
        case .noLoadID:
            "the warehouse recorded the load in etl.loads but gave back no load id; check that etl.loads is as `etl migrate` made it "
                + "(no rule or trigger on it), then load again"
        case .runNotLoaded(let run, let next?):
            "run \(run) has no complete load in the warehouse; next: \(next)"
        case .runNotLoaded(let run, nil):
            "run \(run) has no complete load in the warehouse (never loaded, or dropped by retention): `etl run --from load --run \(run)` loads it "
                + "from its run folder (`--from extract` when its stage files are gone; with --force over a newer published run), and publishes it"
        case .runNotInLedger(let run):
            "run \(run) is not in the run ledger (etl.runs) of this warehouse: `etl runs` lists its runs; for a run of another warehouse, name that one (--database, --state-dir)"
        }
    }
}
