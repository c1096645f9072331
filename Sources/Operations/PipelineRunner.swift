import Extract
import Foundation
import Logging
import Load
import Pipeline
import Postgres
import Transform

/// Runs a pipeline: the whole night (extract, transform, load, publish), or one run's
/// stages again from a given stage. Every attempt and every stage of it is recorded in the
/// run ledger; nothing analysts see changes before a load is published.
package struct PipelineRunner {
    package var config: PipelineConfig
    package var state: StateLayout
    package var target: WarehouseTarget
    package var logger: Logger
    /// Show a refreshing progress line on standard error (for a person at a terminal).
    package var showProgress = false
    /// The synthetic runs of `etl demo`: never into a warehouse or state directory that holds
    /// a real pipeline's runs, and a real run never into the demo's.
    package var demo = false
    /// A new run starts over under the key now given, on purpose (`etl run --new-key`).
    package var newKey = false

    package init(config: PipelineConfig, state: StateLayout, target: WarehouseTarget, logger: Logger, showProgress: Bool = false) {
        self.config = config; self.state = state; self.target = target; self.logger = logger; self.showProgress = showProgress
    }

    /// A new run on a drop (`--drop`) or the newest complete drop of an inbox; or, for a drop
    /// a run loaded before with the same checksums (unless `force`), nothing, said so in the
    /// summary (`alreadyLoaded`). Newer folders of the inbox that are not complete come back
    /// in `RunSummary.newerIncomplete`, for the caller to report. A failure once the run has
    /// its id is a `RunFailure` naming the run and the stage.
    package func runNew(drop explicitDrop: URL?, inbox: URL?, force: Bool, asOf explicitAsOf: Day?) throws -> RunSummary {
        let started = Date()
        let lock = try RunLock(path: state.lockFile.path, holder: "etl run (starting)")
        defer { withExtendedLifetime(lock) {} }
        try PseudonymKey.checkVariable(config.pseudonymKey)

        let scan: InboxScan
        if let explicitDrop {
            scan = InboxScan(drop: Drop(url: explicitDrop), sums: nil, newerIncomplete: [])
        } else if let inbox {
            // Named in every message of the scan: a number in a run of hex digits passed the log's mask (a review).
            try Self.refuseUnsafePath(inbox.path, what: "the inbox's path", fix: "Rename the folder and run again")
            scan = try Drop.scan(inbox, config: config)
        } else {
            throw OperationsError.usage("name a drop (--drop DIR) or an inbox (--inbox DIR)")
        }
        let drop = scan.drop
        try Self.refuseUnsafePath(drop.url.path, what: "the drop's path", fix: "Rename the folder and run again")
        try Self.refuseUnsafe(config)
        for skipped in scan.newerIncomplete.prefix(IncompleteDrop.listed) {
            logger.warning("a newer folder of the inbox is no complete drop; taking \(drop.name)", metadata: [
                "drop": "\(skipped.path)", "missing": "\(skipped.missing.joined(separator: ", "))"])
        }
        if scan.newerIncomplete.count > IncompleteDrop.listed {
            logger.warning("\(scan.newerIncomplete.count - IncompleteDrop.listed) more newer folders are no complete drops; taking \(drop.name)")
        }
        if drop.lacksManifest {
            logger.warning("the drop has no MANIFEST: it is taken as it is, and nothing tells whether its files are whole; have the export job write one, last",
                           metadata: ["drop": "\(drop.url.path)"])
        } else if case let unlisted = drop.unlisted(config), !unlisted.isEmpty {
            logger.warning("the drop's MANIFEST does not name \(unlisted.joined(separator: ", ")): taken as it is, and nothing tells whether it is whole; have the export job list every file",
                           metadata: ["drop": "\(drop.url.path)"])
        }
        let sums = try scan.sums ?? drop.sourceChecksums(config: config)
        let checksum = Drop.checksum(sums)
        if demo { try checkStateDirectoryForDemo() }

        let db = try target.connect(logger: logger)
        FaultPoint.reach("run.connected")
        let holder = try AdvisoryLock.runLock(on: db, holder: "etl run (starting)", command: "etl run", state: state)
        defer { withExtendedLifetime(holder) {} }
        let ledger = Ledger(connection: db)
        try markDead(ledger, by: "etl run")
        try checkHolder(ledger)
        catchUpReport(db: db, logger: logger)
        let (asOf, asOfSource) = try AsOf.resolve(explicit: explicitAsOf, config: config, drop: drop)
        // Before the day is compared: a drop loaded before is nothing to do, not a refusal (64) that
        // cron reads as a wrong crontab line, with --force advice that would put older figures up (a review).
        if !force, let earlier = try ledger.runThatLoaded(dropChecksum: checksum) {
            // Loaded before, and its MANIFEST still held to it: a copy with a count changed was "nothing to do" (a review).
            try drop.verifyManifest(sums, rowsRead: try ledger.rowsRead(earlier), config: config)
            var summary = RunSummary(run: earlier, drop: drop.url.path, rowsRead: 0, rejected: 0, loaded: 0,
                                     seconds: Date().timeIntervalSince(started), published: false)
            summary.alreadyLoaded = true
            summary.newerIncomplete = scan.newerIncomplete
            return summary
        }
        // Refused before any work: a run of it would stop before its load, every night.
        if !force, let published = try Publisher(connection: db).publishedRun(), published.asOf > asOf {
            throw OperationsError.dropOfEarlierDay(drop: drop.url.path, pipeline: config.absolutePath, asOf: asOf, published: published)
        }

        let id = try newRunID(ledger, at: started)
        StopSignals.record(.init(run: id))
        lock.rename("etl run \(id)")
        try holder.rename("etl run \(id)")
        let info = RunInfo(run: id, pipeline: config.absolutePath, drop: drop.url.path, dropChecksum: checksum,
                           sourceChecksums: Dictionary(sums.map { ($0.file, $0.sha256) }) { first, _ in first },
                           asOf: asOf, asOfSource: asOfSource, startedAt: started, demo: demo)
        let folder = state.run(id)
        let attempt: Int64
        do {
            try info.write(to: folder)
            attempt = try ledger.beginRun(
                Ledger.RunStart(run: id, pipeline: info.pipeline, municipality: config.municipality, drop: info.drop,
                                dropChecksum: checksum, asOf: asOf, windowFrom: config.windowFrom,
                                windowTo: config.windowTo ?? asOf, smallCellMinimum: config.smallCellMinimum),
                attempt: try attemptStart(info, command: "run", from: .extract, through: .load), demo: demo)
        } catch {
            throw RunFailure.at(id, nil, error)   // not recorded yet: nothing to rerun
        }
        // From here a stop is recorded for the attempt, not found later as "killed".
        StopSignals.record(.init(run: id, errorFile: folder.unrecordedError(attempt: attempt)))
        // A session left holding the lock after its attempt has ended can then be told (`AdvisoryLock`).
        try? holder.rename(AdvisoryLock.attemptHolder("etl run \(id)", attempt: attempt))
        var log = logger
        log[metadataKey: "run"] = "\(id)"
        log.info("run started", metadata: ["drop": "\(drop.url.path)", "as_of": "\(asOf)", "as_of_from": "\(asOfSource)"])
        if asOfSource == "today" {
            // The end of every open spell: a drop of another day read as today's moves every figure.
            log.warning("""
                the as-of date is today (\(asOf)): the drop gives no udtraeksdato and its folder is not named by its day; \
                if its exports were made on another day, set `as_of` in the pipeline file (or --as-of) and run it again
                """)
        }
        var summary = try execute(info, attempt: attempt, folder: folder, from: .extract, through: .load, command: "etl run",
                                  force: force, db: db, logger: log, started: started, newRun: true)
        summary.newerIncomplete = scan.newerIncomplete
        return summary
    }

    /// Runs the stages of an existing run again, from `stage` on (or only that stage), with
    /// this runner's pipeline file. One that ends in a load publishes it; when a newer run
    /// is published, only with `force`.
    package func rerun(_ id: RunID, from stage: Stage, only: Bool = false, force: Bool = false) throws -> RunSummary {
        do {
            return try rerunChecked(id, from: stage, only: only, force: force)
        } catch {
            throw failure(error, run: id, step: nil)
        }
    }

    private func rerunChecked(_ id: RunID, from stage: Stage, only: Bool, force: Bool) throws -> RunSummary {
        let started = Date()
        let folder = state.run(id)
        let info = try RunInfo.read(folder)
        let last = only ? stage : .load
        let command = only ? "etl \(stage.rawValue) --run \(id)" : "etl run --from \(stage.rawValue) --run \(id)"
        let lock = try RunLock(path: state.lockFile.path, holder: command)
        defer { withExtendedLifetime(lock) {} }
        for earlier in Stage.allCases where earlier < stage {
            guard FileManager.default.fileExists(atPath: folder.manifest(earlier)) else {
                throw OperationsError.stageMissing(run: id, stage: earlier)
            }
        }
        let db = try target.connect(logger: logger)
        let holder = try AdvisoryLock.runLock(on: db, holder: command, command: command, state: state)
        defer { withExtendedLifetime(holder) {} }
        let ledger = Ledger(connection: db)
        try markDead(ledger, by: command)
        guard try ledger.exists(id) else { throw OperationsError.runNotInWarehouse(run: id, warehouse: target.displayName) }
        try Self.refuseUnsafe(config)
        try checkHolder(ledger)
        catchUpReport(db: db, logger: logger)
        if last == .load, !force, let newer = try Publisher(connection: db).publishedRun(newerThan: id, asOf: info.asOf) {
            throw RunFailure(run: id, step: .publish, error: OperationsError.wouldReplaceNewer(run: id, asOf: info.asOf, published: newer, command: command))
        }
        let attempt = try ledger.beginAttempt(try attemptStart(info, command: only ? stage.rawValue : "run --from \(stage.rawValue)",
                                                               from: stage, through: last))
        StopSignals.record(.init(run: id, errorFile: folder.unrecordedError(attempt: attempt)))
        try? holder.rename(AdvisoryLock.attemptHolder(command, attempt: attempt))
        var log = logger
        log[metadataKey: "run"] = "\(id)"
        log.info("rerun started", metadata: ["from": "\(stage.rawValue)", "through": "\(last.rawValue)", "pipeline": "\(config.path)"])
        var summary = try execute(info, attempt: attempt, folder: folder, from: stage, through: last, command: command, force: force,
                                  db: db, logger: log, started: started)
        if last != .load, let next = Stage.allCases.first(where: { $0 > last }) {
            // "published=no" of a published run read as if it had been withdrawn.
            let newer = try Publisher(connection: db).publishedRun(newerThan: id, asOf: info.asOf)
            // A pipeline file other than the run's is named again: what loads this is said whole.
            let pipeline = config.absolutePath == info.pipeline ? "" : " --pipeline " + CommandHints.quoted(config.absolutePath)
            let load = "`etl run --from \(next.rawValue) --run \(id)\(pipeline)\(newer == nil ? "" : " --force")` loads this"
                + (newer.map { " in place of the newer run \($0.run)" } ?? "")
            summary.note = [summary.note, "this rerun published nothing: what analysts see is unchanged; " + load].compactMap { $0 }.joined(separator: "; ")
        }
        return summary
    }

    private func attemptStart(_ info: RunInfo, command: String, from: Stage, through: Stage) throws -> Ledger.AttemptStart {
        Ledger.AttemptStart(run: info.run, command: command, first: from, last: through, pipeline: config.absolutePath,
                            pipelineSHA256: try? SHA256Sum.file(config.path), municipality: config.municipality,
                            asOf: info.asOf, windowFrom: config.windowFrom, windowTo: config.windowTo ?? info.asOf,
                            smallCellMinimum: config.smallCellMinimum)
    }

    /// `newRun`: the run's first attempt, whose extract must read the drop its scan found.
    private func execute(_ info: RunInfo, attempt: Int64, folder: RunFolder, from first: Stage, through last: Stage,
                         command: String, force: Bool, db: Connection, logger: Logger, started: Date, newRun: Bool = false) throws -> RunSummary {
        let ledger = Ledger(connection: db)
        var summary = RunSummary(run: info.run, drop: URL(fileURLWithPath: info.drop).lastPathComponent,
                                 rowsRead: 0, rejected: 0, loaded: 0, seconds: 0, published: false)
        var current: Stage?
        defer { StopSignals.record(nil) }   // the attempt's stop note is recorded by the callers, as it begins
        do {
            FaultPoint.reach("run.started")
            for stage in Stage.allCases where stage >= first && stage <= last {
                current = stage
                StopSignals.recordStage(stage.rawValue)
                try runStage(stage, info: info, attempt: attempt, folder: folder, command: command, force: force, db: db,
                             ledger: ledger, logger: logger, summary: &summary, newRun: newRun)
            }
            current = nil
            if let extract = try? StageManifest.read(from: folder.manifest(.extract)) {
                summary.rowsRead = extract.inputs.reduce(0) { $0 + $1.rowsRead }
                summary.rejected = extract.inputs.reduce(0) { $0 + $1.rejected }
            }
            if summary.published { writeReport(folder: folder, logger: logger, summary: &summary) }
            summary.seconds = Date().timeIntervalSince(started)
            summary.secondsToPublished = summary.publishedAt.map { $0.timeIntervalSince(started) }
            try ledger.finishAttempt(attempt, run: info.run, error: nil, loaded: last == .load ? summary.loaded : nil)
            // A rerun that ran through without a publish (a stage alone) is said too, as it now ended.
            if !summary.published { reportNotPublished(of: info.run, db: db, logger: logger) }
            logger.info("run finished", metadata: ["published": "\(summary.published)", "seconds": "\(summary.seconds)"])
            return summary
        } catch {
            let failure = self.failure(error, run: info.run, step: current.map(RunFailure.Step.init), afterPublish: summary.published)
            do {
                try ledger.finishAttempt(attempt, run: info.run, error: "\(failure)")
                if !summary.published { reportNotPublished(of: info.run, db: db, logger: logger) }
            } catch {
                // The session is gone: record the failure on a new one if the server is there
                // (never starting a stopped one); else the next command marks the attempt dead.
                do {
                    let again = try Connection(url: target.psqlURL)
                    defer { again.close() }
                    try Ledger(connection: again).finishAttempt(attempt, run: info.run, error: "\(failure)")
                    if !summary.published { reportNotPublished(of: info.run, db: again, logger: logger) }
                } catch {
                    try? "\(failure)\n".write(toFile: folder.unrecordedError(attempt: attempt), atomically: true, encoding: .utf8)
                }
            }
            throw failure
        }
    }

    private func runStage(_ stage: Stage, info: RunInfo, attempt: Int64, folder: RunFolder, command: String, force: Bool,
                          db: Connection, ledger: Ledger, logger: Logger, summary: inout RunSummary, newRun: Bool) throws {
        var log = logger
        log[metadataKey: "stage"] = "\(stage.rawValue)"
        log.info("stage started")
        let t0 = Date()
        let stageID = try ledger.stageStarted(attempt: attempt, run: info.run, stage: stage)
        FaultPoint.reach("\(stage.rawValue).started")
        let progress = showProgress ? progressLine(stage, info: info, folder: folder) : nil
        defer { progress?.finish() }
        var counts: [String: Int] = [:]   // an extract stopped by the reject threshold has them too
        do {
            switch stage {
            case .extract:
                try extract(info, folder: folder, ledger: ledger, log: log, counts: &counts, newRun: newRun)
            case .transform:
                counts = try transform(info, folder: folder, attempt: attempt, log: log)
            case .load:
                counts = try load(info, folder: folder, attempt: attempt, command: command, force: force, db: db,
                                  log: log, summary: &summary)
            }
            FaultPoint.reach("\(stage.rawValue).finished")
            let seconds = Date().timeIntervalSince(t0)
            try ledger.stageFinished(stageID, seconds: seconds, counts: counts)
            log.info("stage finished", metadata: ["seconds": "\(String(format: "%.2f", seconds))"]
                .merging(counts.mapValues { "\($0)" }) { $1 })
        } catch {
            let failure = self.failure(error, run: info.run, step: RunFailure.Step(stage), afterPublish: summary.published)
            try? ledger.stageFinished(stageID, seconds: Date().timeIntervalSince(t0), counts: counts, error: "\(failure)")
            // The error itself is the command's last line (`withExitStatus`), logged once.
            log.warning("stage failed", metadata: ["seconds": "\(String(format: "%.2f", Date().timeIntervalSince(t0)))"])
            throw failure
        }
    }

    /// `error` placed in the run and step it stopped (one placed already keeps its place), a
    /// broken connection to the warehouse said as such (exit 69). After the publish nothing is
    /// "as it was": the run is what analysts see (exit 73).
    func failure(_ error: any Error, run: RunID, step: RunFailure.Step?, afterPublish: Bool = false) -> RunFailure {
        guard afterPublish, !(error is RunFailure) else { return OperationsError.placed(error, run: run, step: step, target: target.displayName) }
        return RunFailure(run: run, step: step, error: OperationsError.failedAfterPublish(run: run, message: "\(error)"))
    }

    /// What a stage has to read: the drop's files, or the previous stage's.
    private func progressLine(_ stage: Stage, info: RunInfo, folder: RunFolder) -> StageProgress {
        switch stage {
        case .extract:
            let drop = URL(fileURLWithPath: info.drop)
            let bytes = config.sources.all.reduce(Int64(0)) { sum, source in
                sum + ((try? FileManager.default.attributesOfItem(atPath: drop.appendingPathComponent(source.file).path)[.size]
                    as? NSNumber)?.int64Value ?? 0)
            }
            // A MANIFEST counts the rows (checked as they are extracted).
            let manifest = (try? DropManifest.read(drop: drop)) ?? nil
            return StageProgress(stage: stage.rawValue, inputBytes: bytes, inputRows: manifest?.rows ?? Int(bytes / 50))
        case .transform, .load:
            let previous = (try? StageManifest.read(from: folder.manifest(stage == .transform ? .extract : .transform)))?.outputs ?? []
            return StageProgress(stage: stage.rawValue, inputBytes: previous.reduce(0) { $0 + $1.bytes },
                                 inputRows: previous.reduce(0) { $0 + $1.rows })
        }
    }

    /// What the pipeline file puts into the ledger, the facts and the report as it is, as
    /// `refuseUnsafePath` says: its path, its municipality, its exports' file names (counts
    /// are keyed by them) and its value maps' values (written after the exports' CPR numbers
    /// were replaced; an adversarial review found those two in clear).
    static func refuseUnsafe(_ config: PipelineConfig) throws {
        try Self.refuseUnsafePath(config.absolutePath, what: "the pipeline file's path", fix: "Rename it and run again")
        try Self.refuseUnsafePath(config.municipality, what: "the pipeline file's municipality", fix: "Correct it in \(config.path)")
        try Self.refuseUnsafeCommittee(config)
        for source in config.sources.all {
            try Self.refuseUnsafePath(source.file, what: "the file name of a source in the pipeline file", fix: "Correct it in \(config.path)")
            for (field, map) in source.values.sorted(by: { $0.key < $1.key }) {
                var values = (map.exact + map.contains).compactMap(\.value)
                if case .value(let v) = map.fallback { values.append(v) }
                for value in values {
                    try Self.refuseUnsafePath(value, what: "a value of values.\(field) in the pipeline file", fix: "Correct it in \(config.path)")
                }
            }
        }
    }

    /// Paths the ledger and run.json keep and `etl runs` shows (the drop's, the pipeline
    /// file's), and the municipality's name (stored, and shown on the report): one that holds
    /// a CPR number would put it there in clear, one with control characters would reach a
    /// terminal or forge a line of the summary, and one that is not UTF-8 names no file (an
    /// argument is decoded with U+FFFD in place of its bytes).
    /// The committee the report's head names (`report.committee`), shown as it is.
    package static func refuseUnsafeCommittee(_ config: PipelineConfig) throws {
        guard let committee = config.report.committee else { return }
        try refuseUnsafePath(committee, what: "the pipeline file's report.committee", fix: "Correct it in \(config.path)")
    }

    static func refuseUnsafePath(_ path: String, what: String, fix: String) throws {
        guard !CPRInText.isIn(name: path) else {
            throw OperationsError.usage("\(Echo.name(path)): \(what) holds a CPR number (shown masked); "
                                        + "it would be stored and shown in clear. \(fix)")
        }
        if Echo.holdsUnshowable(path) {
            throw OperationsError.usage("\(Echo.name(path)): \(what) holds control characters or bytes that are not UTF-8 (shown as ? or �). \(fix)")
        }
    }
}
