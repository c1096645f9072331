import Extract
import Foundation
import Logging
import Load
import Pipeline
import Postgres
import Transform

/// The three stages as the runner drives them: what each reads, records and checks.
extension PipelineRunner {
    /// Extracts the drop. Over the reject threshold, extract names every file over it and
    /// writes no manifest (transform will not read it); the files' counts still reach the
    /// ledger. Under it, a run with rejects warns with its counts. A new run's extract must read
    /// the files its scan found: else the drop changed in between (a copy still going on, or
    /// the folder swapped for another, perhaps by a link out of the inbox), and it stops (66).
    func extract(_ info: RunInfo, folder: RunFolder, ledger: Ledger, log: Logger, counts: inout [String: Int], newRun: Bool) throws {
        let progress = log
        var stage = ExtractStage(config: config, state: state, log: { progress.info("\($0)") }, warn: { progress.warning("\($0)") })
        stage.checkpoint = FaultPoint.reach
        stage.warehouseKey = try ledger.keyFingerprint()
        stage.newKey = newKey && newRun
        let result: ExtractResult
        do {
            result = try stage.run(drop: URL(fileURLWithPath: info.drop), into: folder)
        } catch {
            guard case .rejectThresholdExceeded(let breaches, let inputs) = error else { throw error }
            try ledger.recordFiles(info.run, inputs)
            counts = Self.counts(inputs)
            throw OperationsError.rejectThresholdExceeded(run: info.run, files: breaches)
        }
        for warning in result.warnings { log.warning("\(warning)") }
        let inputs = result.manifest.inputs
        // The files as extract read them, against the drop as the run first found it.
        let found = Drop.checksum(inputs.map { (file: $0.name, sha256: $0.checksum.hex) }.sorted { $0.file < $1.file })
        if found != info.dropChecksum {
            if newRun {
                try ledger.recordFiles(info.run, inputs)
                let changed = inputs.filter { info.sourceChecksums?[$0.name] != $0.checksum.hex }.map(\.name)
                throw OperationsError.dropIncomplete(drop: info.drop, missing: [
                    "its files changed between the run finding the drop and reading it (\(changed.joined(separator: ", "))): "
                        + "a copy still going on, or the folder replaced"])
            }
            log.warning("the drop's files are not those run \(info.run) found when it started (changed since, or another pipeline file's sources): its figures now come from the drop as it is",
                        metadata: ["drop": "\(info.drop)"])
            // The run now stands for the drop as it is: `etl runs show` says so, and the next
            // night takes it as loaded by this run (it loaded a steward's corrected drop again).
            var now = info
            now.dropChecksum = found
            now.sourceChecksums = Dictionary(inputs.map { ($0.name, $0.checksum.hex) }) { first, _ in first }
            try now.write(to: folder)
            try ledger.recordDropChecksum(info.run, found)
        }
        try ledger.recordFiles(info.run, inputs)
        if let fingerprint = result.manifest.keyFingerprint { try ledger.recordKeyFingerprint(fingerprint, replacing: stage.newKey) }
        counts = Self.counts(inputs)
        let rejected = inputs.reduce(0) { $0 + $1.rejected }, read = inputs.reduce(0) { $0 + $1.rowsRead }
        if rejected > 0 {
            var metadata: Logger.Metadata = ["rejected": "\(rejected)", "read": "\(read)", "see": "etl rejects \(info.run)"]
            for file in inputs where file.rejected > 0 { metadata["rejected.\(file.name)"] = "\(file.rejected)" }
            log.warning("\(rejected) of \(read) records rejected (under the threshold); see them with `etl rejects \(info.run)`",
                        metadata: metadata)
        }
    }

    /// The stage's counts of each file: read, rejected, and its own (merged_address, cpr_in_text:kilde, …).
    static func counts(_ inputs: [StageManifest.InputFile]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for file in inputs {
            counts["read.\(file.name)"] = file.rowsRead
            counts["rejected.\(file.name)"] = file.rejected
            for (what, n) in file.counts { counts["\(what).\(file.name)"] = n }
        }
        return counts
    }

    /// Transforms with this pipeline's window, and records beside the facts the settings
    /// they were made with: the load keeps those, whatever pipeline file it runs with.
    func transform(_ info: RunInfo, folder: RunFolder, attempt: Int64, log: Logger) throws -> [String: Int] {
        let window = try Transform.resolveWindow(from: config.windowFrom, to: config.windowTo, asOf: info.asOf)
        // The spec's periods lie inside the window; those past the as-of date hold no day of data.
        if window.upperBound > info.asOf {
            log.warning("""
                the evaluation window ends on \(window.upperBound), after the drop's as-of date \(info.asOf): no day after it has data, \
                so the last periods are short or empty, and an empty one leaves every institution out of the \
                difference-in-differences (unbalanced); end window.to in \(config.path) on or before the as-of date, or leave it out
                """)
        }
        let settings = try TransformSettings(asOf: info.asOf, windowFrom: window.lowerBound, windowTo: window.upperBound,
                                             pipeline: config.absolutePath, attempt: attempt).encoded()
        var stage = TransformStage()
        stage.checkpoint = FaultPoint.reach
        let result = try stage.run(run: folder, window: window, asOf: info.asOf, period: config.evaluation.period,
                                   besides: [TransformSettings.file: settings])
        for warning in result.warnings { log.warning("\(warning)") }
        return result.manifest.counts
    }

    /// Loads the run's facts as a new load, publishes it, and applies retention. What stops
    /// the publish (a newer run published, the publish itself) is a failure of step `publish`.
    func load(_ info: RunInfo, folder: RunFolder, attempt: Int64, command: String, force: Bool, db: Connection,
              log: Logger, summary: inout RunSummary) throws -> [String: Int] {
        try checkStagesInStep(folder)
        guard let made = TransformSettings.read(from: folder) else {
            throw OperationsError.stagesOutOfStep(run: info.run, detail: "its transform files do not say which window they were made with (\(TransformSettings.file) is missing)")
        }
        let settings = LoadSettings(municipality: config.municipality, asOf: made.asOf, windowFrom: made.windowFrom,
                                    windowTo: made.windowTo, smallCellMinimum: config.smallCellMinimum,
                                    pipeline: config.absolutePath, pipelineSHA256: try? SHA256Sum.file(config.path),
                                    attempt: attempt)
        let publisher = Publisher(connection: db)
        let newer = try publisher.publishedRun(newerThan: info.run, asOf: made.asOf)
        if let newer, !force {
            // Extract and transform are done by now: loading is what is left to do.
            throw RunFailure(run: info.run, step: .publish, error: OperationsError.wouldReplaceNewer(
                run: info.run, asOf: made.asOf, published: newer, command: "etl load --run \(info.run)"))
        }

        var stage = LoadStage(connection: db)
        stage.checkpoint = FaultPoint.reach
        let result = try stage.load(folder, settings: settings)
        FaultPoint.reach("load.committed")
        // A publish whose answer was lost, that the warehouse says is done, is published too.
        var lostAnswer: (any Error)?
        do {
            try publisher.publish(loadID: result.loadID, run: info.run, command: command, forced: newer != nil)
        } catch {
            switch target.lostPublish(error, loadID: result.loadID, backend: db.backendPID) {
            case .published: lostAnswer = error
            case .notPublished: throw failure(error, run: info.run, step: .publish)
            case .unknown: throw RunFailure(run: info.run, step: .publish, error: target.unconfirmedPublish(error, run: info.run, forced: newer != nil))
            }
        }
        StopSignals.recordPublished()
        summary.loaded = result.rows
        summary.published = true
        summary.publishedAt = Date()
        if let lostAnswer { throw failure(lostAnswer, run: info.run, step: .publish, afterPublish: true) }
        FaultPoint.reach("load.published")
        var counts = result.rowsByTable
        counts["load_id"] = Int(result.loadID)
        counts["copy_ms"] = Int(result.copySeconds * 1000)
        counts["evaluation_ms"] = Int(result.evaluationSeconds * 1000)
        let retention = try publisher.dropOldLoads(keepRuns: config.keepRuns)
        if !retention.dropped.isEmpty { log.info("dropped old loads", metadata: ["load_ids": "\(retention.dropped.map(String.init).joined(separator: ","))"]) }
        if !retention.left.isEmpty {
            let ids: Logger.Metadata = ["load_ids": "\(retention.left.map(String.init).joined(separator: ","))"]
            if retention.readers.isEmpty {
                log.info("left old loads for the next run: a session held them (a long query)", metadata: ids)
            } else {
                // Night after night, this would keep every old load: say who.
                log.warning("""
                    left old loads for the next run: sessions whose transaction began before the publish may still read them \
                    (pids \(retention.readers.map(String.init).joined(separator: ", ")) in pg_stat_activity; an idle one can be ended \
                    with pg_terminate_backend)
                    """, metadata: ids)
            }
        }
        try pruneRunFolders(keeping: config.keepRuns, current: info.run, ledger: Ledger(connection: db))
        return counts
    }

    /// The transform files must be made from the extract files in the folder: an extract
    /// rerun alone (`etl extract --run`) leaves the old facts, which must not be loaded with
    /// the new rejects and counts.
    func checkStagesInStep(_ folder: RunFolder) throws {
        let extract = try StageManifest.read(from: folder.manifest(.extract))
        let transform = try StageManifest.read(from: folder.manifest(.transform))
        for input in transform.inputs {
            guard let output = extract.output(input.name) else { continue }
            guard Self.sameFile(output.checksum, input.checksum, at: folder.file(.extract, input.name)) else {
                throw OperationsError.stagesOutOfStep(run: folder.id, detail: "its extract was redone after its transform (\(input.name) differs)")
            }
        }
    }

    /// Whether two checksums describe the file as it is. A folder transformed before stage
    /// files had XXH3 lists SHA-256 for them: then the file is read once, hashed both ways.
    static func sameFile(_ a: FileChecksum, _ b: FileChecksum, at path: String) -> Bool {
        switch (a, b) {
        case (.sha256, .sha256), (.xxh128, .xxh128):
            return a == b
        case (.sha256(let sha), .xxh128(let xxh)), (.xxh128(let xxh), .sha256(let sha)):
            var sha256 = SHA256Sum()
            var xxh128 = XXH128Sum()
            do { try FileChunks.forEach(in: path) { sha256.update($0); xxh128.update($0) } } catch { return false }
            return sha256.hex() == sha && xxh128.hex() == xxh
        }
    }

    /// Stage files are kept for the newest `2 × count` runs, and always for the run at hand,
    /// the published run and every run with a load still in the warehouse (to rerun it from
    /// a stage, or publish it again, needs its folder).
    func pruneRunFolders(keeping count: Int, current: RunID, ledger: Ledger) throws {
        let keep = try ledger.runsWithLoads().union([current])
        let names = (try? FileManager.default.contentsOfDirectory(atPath: state.runs.path)) ?? []
        let runs = names.compactMap(RunID.init).sorted(by: >)
        for old in runs.dropFirst(max(count, 1) * 2) where !keep.contains(old) {
            try? FileManager.default.removeItem(at: state.run(old).root)
        }
    }

    /// A new run's id: its start time to the millisecond, or the next free millisecond when
    /// the ledger or the state directory already has that one (so no id is ever used twice).
    func newRunID(_ ledger: Ledger, at started: Date) throws -> RunID {
        var date = started
        while true {
            let id = RunID.at(date)
            if !FileManager.default.fileExists(atPath: state.run(id).root.path), try !ledger.exists(id) { return id }
            date = date.addingTimeInterval(0.001)
        }
    }

    /// Marks dead the attempts whose process is gone: the caller holds both run locks, so
    /// every attempt still `running` is one.
    func markDead(_ ledger: Ledger, by command: String) throws {
        for run in try ledger.markDead(lockHeld: true, by: command, state: state) {
            logger.warning("run \(run) was marked dead: its process stopped without finishing", metadata: ["run": "\(run)"])
        }
        removeLeftovers()
    }

    /// What killed attempts left in run folders: half-written stage folders (`<stage>.partial`,
    /// tens of MB, which a killed new run, never attempted again, kept until retention) and
    /// stop notes the ledger now holds. Only an attempt holding the run lock writes them, and
    /// the caller holds it with every attempt the ledger had running now marked dead.
    private func removeLeftovers() {
        let fm = FileManager.default
        let partials = Set(Stage.allCases.map { "\($0.rawValue).partial" })
        for run in (try? fm.contentsOfDirectory(atPath: state.runs.path)) ?? [] {
            let folder = state.runs.appendingPathComponent(run)
            for name in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? []
            where partials.contains(name) || (name.hasPrefix("attempt-") && name.hasSuffix(".error")) {
                try? fm.removeItem(at: folder.appendingPathComponent(name))
            }
        }
    }

    /// One warehouse, one municipality; the demo's synthetic runs apart from real ones.
    func checkHolder(_ ledger: Ledger) throws {
        guard let holder = try ledger.holder() else { return }
        if holder.demo != demo {
            throw OperationsError.demoRefused(holder.demo
                ? "this warehouse (\(target.displayName)) holds the synthetic runs of `etl demo`; give the real pipeline its own (--state-dir or --database)"
                : "this warehouse (\(target.displayName)) holds runs of a real pipeline (\(holder.municipality)); `etl demo` uses a state directory of its own (default ./.etl-demo): leave out --state-dir and --database, or name empty ones")
        }
        guard holder.municipality == config.municipality else {
            throw OperationsError.otherMunicipality(holds: holder.municipality, firstRun: holder.firstRun,
                                                    pipeline: config.absolutePath, municipality: config.municipality)
        }
    }

    /// The demo writes stage files, a key and folders into its state directory: never into
    /// one that holds a real pipeline's runs.
    func checkStateDirectoryForDemo() throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: state.runs.path)) ?? []
        for name in names {
            guard let id = RunID(name), let info = try? RunInfo.read(state.run(id)), info.isReal else { continue }
            throw OperationsError.demoRefused(
                "\(state.root.path) holds runs of a real pipeline (run \(id), \(info.pipeline)); `etl demo` uses a state directory of its own (default ./.etl-demo): leave out --state-dir, or name an empty one")
        }
    }
}
