import Extract
import Foundation
import Pipeline
import Transform

/// `etl check`: a dry run. The pipeline file is read as a run reads it and, given a drop,
/// extract and transform run on it as tonight's run would, in a private temporary folder
/// under a throwaway key, so that a steward who edited a mapping sees what would be rejected
/// and counted before the night does. Nothing is written to the warehouse or the state
/// directory, and the temporary folder is removed.
package struct PipelineCheck {
    package let config: PipelineConfig

    package init(config: PipelineConfig) { self.config = config }

    /// Says each part as it is known (`say`); an error is the run's own (64, 65, 66, 1), but
    /// for the reject threshold: its rejects are said first, then `checkWouldStop`.
    package func check(drop explicitDrop: URL?, inbox: URL?, asOf explicitAsOf: Day?, say: (String) -> Void) throws {
        try PipelineRunner.refuseUnsafe(config)
        say("pipeline file \(config.absolutePath): read (municipality \(config.municipality), "
            + "window from \(config.windowFrom) to \(config.windowTo.map(String.init(describing:)) ?? "the as-of date"))")
        let drop: Drop
        var newerIncomplete: [IncompleteDrop] = []
        if let explicitDrop {
            drop = Drop(url: explicitDrop)
        } else if let inbox {
            try PipelineRunner.refuseUnsafePath(inbox.path, what: "the inbox's path", fix: "Rename the folder and check again")
            let scan = try Drop.scan(inbox, config: config)
            (drop, newerIncomplete) = (scan.drop, scan.newerIncomplete)
        } else {
            return say("no drop named (--drop DIR or --inbox DIR): the exports were not read")
        }
        try PipelineRunner.refuseUnsafePath(drop.url.path, what: "the drop's path", fix: "Rename the folder and check again")
        try drop.requireWhole(config)   // as the run finds what a drop lacks, with its words and status (66)
        if drop.lacksManifest { say("the drop has no MANIFEST: nothing tells whether its files are whole") }
        let (asOf, asOfSource) = try AsOf.resolve(explicit: explicitAsOf, config: config, drop: drop)
        say("drop \(drop.url.path): as of \(asOf), from \(Self.asOfSources[asOfSource] ?? "its \(asOfSource)")")

        let (scratch, lock) = try Self.privateScratchFolder { say("removed \($0), the temporary folder of a check that was killed") }
        StopSignals.recordScratch(scratch)
        defer { try? FileManager.default.removeItem(at: scratch); StopSignals.recordScratch(nil); close(lock) }
        let state = StateLayout(root: scratch), folder = state.run(RunID.at(Date()))
        // A throwaway key: the real one is neither needed nor read, and no pseudonym made here
        // could be linked to the warehouse's.
        let throwaway = Hex.string((0..<32).map { _ in UInt8.random(in: .min ... .max) })
        var stage = ExtractStage(config: config, state: state,
                                 environment: [config.pseudonymKey.environmentVariable: throwaway])
        stage.checkpoint = FaultPoint.reach
        let inputs: [StageManifest.InputFile]
        var stopped: [ThresholdBreach] = []
        do {
            let result = try stage.run(drop: drop.url, into: folder)
            inputs = result.manifest.inputs
            for warning in result.warnings { say("warning: \(warning)") }
        } catch {
            if case .cannotWrite(let path, let message) = error {   // the stage's words send a steward to the state directory
                throw OperationsError.io(path: path, message: "\(message): the check's temporary folder is in \(Self.temporaryDirectory); free space there, or set TMPDIR to another folder of yours")
            }
            guard case .rejectThresholdExceeded(let breaches, let read) = error else { throw error }
            (inputs, stopped) = (read, breaches)
        }
        say("\nextract:\n" + Table.render(header: ["file", "read", "accepted", "rejected"], rows: inputs.map {
            [$0.name, String($0.rowsRead), String($0.accepted), String($0.rejected)]
        }))
        if let rejects = try rejectsSummary(inputs, folder: folder) { say(rejects) }
        guard stopped.isEmpty else { throw OperationsError.checkWouldStop(files: stopped) }

        let window = try Transform.resolveWindow(from: config.windowFrom, to: config.windowTo, asOf: asOf)
        let transformed = try TransformStage().run(run: folder, window: window, asOf: asOf, period: config.evaluation.period)
        say("\ntransform (window \(window.lowerBound) to \(window.upperBound)):\n"
            + Table.render(header: ["count", "value"], rows: transformed.manifest.counts.sorted { $0.key < $1.key }.map { [$0.key, String($0.value)] }))
        for warning in transformed.warnings { say("warning: \(warning)") }
        say("\nextract and transform pass: a run of this drop would go on to load and publish. The warehouse was not asked "
            + "(`etl run` refuses a drop loaded before, or older than the published run); nothing was written.")
        // As the run: it loads the newest complete drop, and says the newer ones that are not (66).
        if !newerIncomplete.isEmpty { throw OperationsError.newerDropsIncomplete(ran: drop.url.path, drops: newerIncomplete) }
    }

    /// The rejects by file and reason, and the first few as `etl rejects` shows them (CPR numbers masked).
    private func rejectsSummary(_ inputs: [StageManifest.InputFile], folder: RunFolder) throws -> String? {
        let byReason = inputs.flatMap { file in file.rejectedByReason.sorted { $0.key < $1.key }.map { [file.name, $0.key, String($0.value)] } }
        guard !byReason.isEmpty else { return nil }
        var first: [[String]] = []
        let path = folder.file(.extract, StageFile.rejects)
        try StageFileReader.forEach(path: path) { record, line in
            guard first.count < Self.rejectsShown else { return }
            let r = try RejectRecord(record, path: path, line: line)
            first.append([r.file, String(r.line), r.field ?? "", r.reason.rawValue, r.message])
        }
        return "\nrejected, by reason:\n" + Table.render(header: ["file", "reason", "records"], rows: byReason)
            + "\nthe first \(first.count) (CPR numbers masked):\n" + Table.render(header: ["file", "line", "field", "reason", "message"], rows: first)
    }

    private static let rejectsShown = 10

    /// Where the as-of date came from (`AsOf.resolve`), said; the drop's own ("its udtraeksdato") otherwise.
    private static let asOfSources = [
        "today": "today's date (the drop gives no udtraeksdato, and its folder is not named by its day)",
        "--as-of": "--as-of", "pipeline file": "the pipeline file's as_of",
    ]

    private static var temporaryDirectory: String { FileManager.default.temporaryDirectory.standardizedFileURL.path }

    /// The lock a check holds while it lives, in its folder: a folder whose lock no process
    /// holds is a killed or crashed check's.
    private static let lockName = ".check.lock"

    /// A folder only this user can enter (`mkdtemp` makes it 0700), in a temporary directory
    /// where no other user can rename it and put a link in its place: the stage files are
    /// written by path (a review led them over root's own file from a TMPDIR it owned). Its
    /// lock is held until the check ends (the descriptor returned). Ended checks' folders are
    /// removed first (`removeFoldersOfEndedChecks`), each said to `removed`.
    private static func privateScratchFolder(removed: (String) -> Void) throws -> (URL, Int32) {
        let template = temporaryDirectory + "/etl-check-XXXXXX"
        if let (folder, writers) = OtherWriters.folderAbove(template, othersOwning: true) {
            throw OperationsError.usage("the temporary folder would be made in \(temporaryDirectory), and \(folder) may be changed by \(writers) "
                                        + "who could put the check's files elsewhere: set TMPDIR to a folder of yours (or /tmp)")
        }
        removeFoldersOfEndedChecks().forEach(removed)
        var bytes = Array(template.utf8CString)
        guard let made = bytes.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!).map { String(cString: $0) } }) else {
            throw OperationsError.io(path: temporaryDirectory, message: "cannot make a temporary folder: \(String(cString: strerror(errno))); set TMPDIR to a folder of yours")
        }
        // Locked before it is named: a lock file another check's clean-up found unlocked for a
        // moment was taken for a killed check's, and the folder removed under this one (a review).
        let pending = made + "/" + lockName + ".new"
        let lock = open(pending, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard lock >= 0, flock(lock, LOCK_EX | LOCK_NB) == 0, rename(pending, made + "/" + lockName) == 0 else {
            let why = String(cString: strerror(errno))
            if lock >= 0 { close(lock) }
            try? FileManager.default.removeItem(atPath: made)
            throw OperationsError.io(path: made, message: "cannot lock the temporary folder: \(why); set TMPDIR to a folder of yours")
        }
        return (URL(fileURLWithPath: made, isDirectory: true), lock)
    }

    /// This user's folders of checks that ended without removing them: a check killed with
    /// SIGKILL (or crashed) left its stage files, a row per child, for good (an adversarial
    /// review). Only a folder of `mkdtemp`'s name, this user's own, whose lock file no process
    /// holds (a live check's, in another PID namespace too, is held); the TMPDIR is checked first.
    private static func removeFoldersOfEndedChecks() -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: temporaryDirectory) else { return [] }
        return names.compactMap { name in
            guard name.hasPrefix("etl-check-"), name.count == 16 else { return nil }
            let path = temporaryDirectory + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid() else { return nil }
            let lock = open(path + "/" + lockName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard lock >= 0 else { return nil }
            defer { close(lock) }
            guard flock(lock, LOCK_EX | LOCK_NB) == 0, (try? FileManager.default.removeItem(atPath: path)) != nil else { return nil }
            return path
        }
    }
}
