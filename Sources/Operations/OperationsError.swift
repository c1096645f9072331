import Extract
import Load
import Pipeline
import Postgres

/// What can stop a run or a command, with what to do about it.
package enum OperationsError: StewardError {
    case locked(holder: String, lock: String)
    /// No complete drop in the inbox; the folders that are there and what each lacks.
    case noDrop(inbox: String, incomplete: [IncompleteDrop])
    /// The inbox is not there (or is not a folder).
    case inboxMissing(inbox: String, exists: Bool)
    /// A drop named with `--drop` lacks files.
    case dropIncomplete(drop: String, missing: [String])
    /// Newer drops than the one run (or found loaded already) are incomplete.
    case newerDropsIncomplete(ran: String, drops: [IncompleteDrop])
    /// A run id no folder or ledger knows; `place`: where it was looked for.
    case unknownRun(String, place: String)
    /// The run has a folder in the state directory but is not in this warehouse's ledger.
    case runNotInWarehouse(run: RunID, warehouse: String)
    /// The ledger has the run, and retention removed its folder (stage files, rejects);
    /// `rerun`: the command that runs its drop again, as a new run.
    case runFolderRemoved(run: RunID, rerun: String)
    case stageMissing(run: RunID, stage: Stage)
    /// The transform files were not made from the extract files now in the run folder.
    case stagesOutOfStep(run: RunID, detail: String)
    /// More of some files' records were rejected than the pipeline allows.
    case rejectThresholdExceeded(run: RunID, files: [ThresholdBreach])
    /// `etl check`: a run of the drop would stop at the reject threshold.
    case checkWouldStop(files: [ThresholdBreach])
    /// Publishing the run would replace a newer published run; needs --force.
    case wouldReplaceNewer(run: RunID, asOf: Day, published: PublishedRun, command: String)
    /// A new run's drop holds data of an earlier day than the published run's.
    case dropOfEarlierDay(drop: String, pipeline: String, asOf: Day, published: PublishedRun)
    /// The warehouse holds another municipality (or the demo's synthetic runs).
    case otherMunicipality(holds: String, firstRun: RunID, pipeline: String, municipality: String)
    case demoRefused(String)
    /// The connection to the warehouse broke during a run (the server stopped, the backend
    /// was terminated), in `step` (nil: between stages).
    case connectionLost(run: RunID, step: RunFailure.Step?, target: String, message: String)
    /// The warehouse's disk filled during a stage (SQLSTATE 53100).
    case warehouseDiskFull(run: RunID, step: RunFailure.Step?, target: String, message: String)
    /// The run's publish committed, and what followed it in the stage (dropping old loads,
    /// the ledger) failed: analysts see the run, the committee's report was not written.
    case failedAfterPublish(run: RunID, message: String)
    /// The run is published; its committee's report could not be written.
    case reportNotWritten(run: RunID, message: String)
    /// The connection was lost during the run's publish, and the warehouse could not be
    /// asked whether it committed.
    case publishUnconfirmed(run: RunID, forced: Bool, target: String, message: String)
    case io(path: String, message: String)
    case databaseUnreachable(target: String, message: String)
    /// The server answered and refused the connection (user, password, pg_hba.conf, database).
    case databaseRefused(target: String, message: String)
    /// The role connected may not make or change etl's tables: not the warehouse's owner.
    case notTheOwner(target: String, user: String, message: String)
    case usage(String)

    package var description: String {
        switch self {
        case .locked(let holder, let lock):
            // A holder whose process has ended is said to be waited for in the server (`AdvisoryLock`): no pid to kill.
            return "another run holds the lock: \(holder) (\(lock))" + (holder.contains("its process (pid") ? "" :
                "; wait for it to finish, or if it hangs stop it (`kill` its pid): a stopped run leaves what analysts see as it was, "
                + "and the next command records it")
        case .noDrop(let inbox, let incomplete):
            guard !incomplete.isEmpty else {
                return "\(inbox): no drop in the inbox (a folder with the export files, and its MANIFEST if it has one); check the export job"
            }
            return "\(inbox): no complete drop; " + Self.list(incomplete) + ". Check the export job; run again when the drop is whole"
        case .inboxMissing(let inbox, let exists):
            return "\(inbox): the inbox \(exists ? "is not a folder" : "does not exist"); check the --inbox path (and that the export job writes there)"
        case .dropIncomplete(let drop, let missing):
            return "\(drop): the drop is incomplete: \(missing.joined(separator: ", ")). Check the export job; run again when the drop is whole"
        case .newerDropsIncomplete(let ran, let drops):
            return "\(ran) was the newest complete drop, but newer folders of the inbox are no complete drops: " + Self.list(drops)
                + ". Check the export job; the next run takes the newest drop once it is whole"
        case .unknownRun(let id, let place):
            return "no run \(id) in \(place); `etl runs` lists them (those of another state directory or warehouse with --state-dir or --database)"
        case .runNotInWarehouse(let run, let warehouse):
            return "run \(run) has a folder in the state directory but is not in the ledger of \(warehouse); name the warehouse it ran into (--database)"
        case .runFolderRemoved(let run, let rerun):
            return "run \(run)'s folder, with its stage files and rejects, was removed by retention (a state directory keeps the folders "
                + "of the newest runs and of runs with a load); the ledger keeps its counts (`etl runs show \(run)`). "
                + "To see its rejects or go on, run its drop again as a new run: \(rerun)"
        case .stageMissing(let run, let stage):
            return "run \(run) has no completed \(stage.rawValue) stage; run `etl \(stage.rawValue) --run \(run)` first"
        case .stagesOutOfStep(let run, let detail):
            return "run \(run): \(detail); run `etl run --from transform --run \(run)` to transform and load what was extracted"
        case .rejectThresholdExceeded(let run, let files):
            let each = files.map(\.description).joined(separator: "; ")
            return "run \(run) stopped before load, the warehouse unchanged: \(Self.thresholdPhrase) in \(files.count == 1 ? "1 file" : "\(files.count) files"): \(each). "
                + "See them with `etl rejects \(run)` (add --file NAME for one file); then fix the mapping in the pipeline file and run `etl run --from extract --run \(run)`, or have the export fixed and run the corrected drop"
        case .checkWouldStop(let files):
            return "a run of this drop would stop before load: \(Self.thresholdPhrase) in \(files.count == 1 ? "1 file" : "\(files.count) files"): "
                + "\(files.map(\.description).joined(separator: "; ")). The rejects are listed above; fix the mapping in the pipeline file, "
                + "or have the export fixed, and check again"
        case .wouldReplaceNewer(let run, let asOf, let published, let command):
            let newer = published.asOf > asOf ? "its data are of a later day" : "its data are of the same day, and it started later"
            return "run \(published.run) (data as of \(published.asOf)) is published and is newer than run \(run) (as of \(asOf)): \(newer). "
                + "Publishing run \(run) would replace it in every metrics view. To do that, add --force: `\(command) --force`"
        case .dropOfEarlierDay(let drop, let pipeline, let asOf, let published):
            return "\(drop) holds data as of \(asOf), earlier than those of the published run \(published.run) (as of \(published.asOf)): "
                + "loading it would put older figures in every metrics view, so nothing was done. "
                + "To load and publish it anyway, add --force: " + CommandHints.runDrop(pipeline: pipeline, drop: drop, force: true)
        case .otherMunicipality(let holds, let firstRun, let pipeline, let municipality):
            return "this warehouse holds \(holds) (since run \(firstRun)); \(pipeline) is for \(municipality). One warehouse holds one municipality: "
                + "give \(municipality) its own, with another --state-dir (an embedded warehouse of its own) or --database "
                + "(or `database:` in its pipeline file); see docs/operations.md, \"One warehouse, one municipality\""
        case .demoRefused(let message):
            return message
        case .connectionLost(let run, let step, let target, let message):
            let again = step == .publish ? "`etl publish \(run)` (its load is complete)"
                : "`etl run --from \(step?.rawValue ?? "extract") --run \(run)`"
            return "the connection to the warehouse (\(target)) was lost during run \(run)"
                + (step.map { ", stage \($0.rawValue)" } ?? "") + ": \(Self.unstopped(message)). The warehouse is as it was before this stage "
                + "(what it had not committed was rolled back). Check the server (`etl warehouse status`), then " + again
        case .warehouseDiskFull(let run, let step, let target, let message):
            return "the warehouse's disk is full (\(target); PostgreSQL names its files from its data folder): \(Self.unstopped(message)). "
                + "Run \(run)" + (step.map { ", stage \($0.rawValue)," } ?? "") + " was rolled back, and what analysts see is as it was. "
                + "Free space on that disk, then `etl run --from \(step == .publish ? "load" : step?.rawValue ?? "extract") --run \(run)`"
        case .failedAfterPublish(let run, let message):
            return "run \(run) is published: analysts see it. What follows the publish then failed: \(Self.unstopped(message)). "
                + "Once the warehouse answers (`etl warehouse status`), `etl report` writes the committee's report if it is missing; "
                + "the next run drops old loads as usual"
        case .reportNotWritten(let run, let message):
            return "run \(run) is published: analysts see it; the committee's report could not be written: \(message). "
                + "Once that is fixed, `etl report` writes it"
        case .publishUnconfirmed(let run, let forced, let target, let message):
            return "the connection to the warehouse (\(target)) was lost during run \(run)'s publish (\(Self.unstopped(message))), "
                + "and the warehouse could not be asked whether it committed: analysts see run \(run) or the run published before it, "
                + "each whole. Once the warehouse answers (`etl warehouse status`), `etl runs` shows which is published; if it is not "
                + "\(run), `etl publish \(run)\(forced ? " --force" : "")` publishes it (its load is complete)"
        case .io(let path, let message):
            return "\(path): \(message)"
        case .databaseUnreachable(let target, let message):
            return "database unreachable (\(target)): \(message); check that it is running, or use the embedded one (no --database)"
        case .databaseRefused(let target, let message):
            return "the database server (\(target)) refused the connection: \(message). Check the user, password and database name "
                + "in --database or DATABASE_URL (or its password file), and that the server's pg_hba.conf admits them; nothing was changed"
        case .notTheOwner(let target, let user, let message):
            return "the role \(user) may not make or change etl's tables in \(target) (\(message)): etl's commands connect as the "
                + "warehouse's owner, the role `etl migrate` first ran as; an analyst's role reads the metrics views with psql or a BI tool. Nothing was changed"
        case .usage(let message):
            return message
        }
    }

    /// What a reject-threshold stop says, which `etl runs show` reads in the ledger's error.
    static let thresholdPhrase = "too many records rejected"

    private static func list(_ drops: [IncompleteDrop]) -> String {
        drops.prefix(IncompleteDrop.listed).map(\.description).joined(separator: "; ")
            + (drops.count > IncompleteDrop.listed ? "; and \(drops.count - IncompleteDrop.listed) more" : "")
    }

    /// A message to go on with a sentence of ours: without its own final period.
    private static func unstopped(_ message: String) -> String { message.hasSuffix(".") ? String(message.dropLast()) : message }

    /// `error` placed in the run and step it stopped (one placed already keeps its place), a
    /// broken connection to the warehouse (`target`) said as such (exit 69).
    static func placed(_ error: any Error, run: RunID, step: RunFailure.Step?, target: String) -> RunFailure {
        let placed = RunFailure.at(run, step, error)
        if let full = placed.error as? PostgresError, full.sqlState == "53100" {
            return RunFailure(run: run, step: placed.step,
                              error: OperationsError.warehouseDiskFull(run: run, step: placed.step, target: target, message: full.description))
        }
        guard let lost = placed.error as? PostgresError, lost.kind == .connection else { return placed }
        return RunFailure(run: run, step: placed.step,
                          error: OperationsError.connectionLost(run: run, step: placed.step, target: target, message: lost.message))
    }

    package var exitStatus: ExitStatus {
        switch self {
        case .locked: .locked
        case .noDrop, .inboxMissing, .dropIncomplete, .newerDropsIncomplete: .dropIncomplete
        case .rejectThresholdExceeded, .checkWouldStop: .rejectThresholdExceeded
        case .databaseUnreachable, .databaseRefused, .notTheOwner, .connectionLost, .publishUnconfirmed: .databaseUnreachable
        case .failedAfterPublish, .reportNotWritten: .reportFailed
        // A run id that names no run is a bad argument, as one that is not a run id is.
        case .usage, .unknownRun, .wouldReplaceNewer, .dropOfEarlierDay, .otherMunicipality, .demoRefused: .usage
        case .runNotInWarehouse, .runFolderRemoved, .stageMissing, .stagesOutOfStep, .io, .warehouseDiskFull: .failure
        }
    }
}
