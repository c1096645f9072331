import Extract
import Foundation
import Logging
import Load
import Pipeline
import Postgres
import Transform

/// Runs a pipeline: the whole night (extract, transform, load, publish), or one run's
/// stages again from a given stage. Every stage is recorded in the run ledger.
public struct PipelineRunner {
    public var config: PipelineConfig
    public var state: StateLayout
    public var target: WarehouseTarget
    public var logger: Logger
    /// Show a refreshing progress line on standard error (for a person at a terminal).
    public var showProgress = false

    public init(config: PipelineConfig, state: StateLayout, target: WarehouseTarget, logger: Logger, showProgress: Bool = false) {
        self.config = config; self.state = state; self.target = target; self.logger = logger; self.showProgress = showProgress
    }

    /// A new run on a drop (`--drop`) or the newest complete drop of an inbox.
    public func runNew(drop explicitDrop: URL?, inbox: URL?, force: Bool, asOf explicitAsOf: Day?) throws -> RunSummary {
        let started = Date()
        var id = RunID.at(started)
        while FileManager.default.fileExists(atPath: state.run(id).root.path) { id = RunID(rawValue: id.rawValue + 1) }
        let lock = try RunLock(path: state.lockFile.path, holder: "etl run \(id)")
        defer { withExtendedLifetime(lock) {} }

        let drop: Drop
        if let explicitDrop {
            drop = Drop(url: explicitDrop)
        } else if let inbox {
            drop = try Drop.newest(in: inbox, config: config)
        } else {
            throw OperationsError.usage("name a drop (--drop DIR) or an inbox (--inbox DIR)")
        }
        let db = try target.connect(logger: logger)
        let holder = try AdvisoryLock(connection: db, holder: "etl run \(id)")
        defer { withExtendedLifetime(holder) {} }

        let checksum = try drop.checksum(config: config)
        let ledger = Ledger(connection: db)
        if !force, let earlier = try ledger.runThatLoaded(dropChecksum: checksum) {
            throw OperationsError.alreadyLoaded(run: earlier, drop: drop.url.path)
        }
        let (asOf, asOfSource) = AsOf.resolve(explicit: explicitAsOf, config: config, drop: drop)
        let info = RunInfo(run: id, pipeline: config.path, drop: drop.url.path, dropChecksum: checksum,
                           asOf: asOf, asOfSource: asOfSource, startedAt: started)
        let folder = state.run(id)
        try info.write(to: folder)
        try ledger.begin(start(info))
        var log = logger
        log[metadataKey: "run"] = "\(id)"
        log.info("run started", metadata: ["drop": "\(drop.url.path)", "as_of": "\(asOf)", "as_of_from": "\(asOfSource)"])
        return try execute(info, folder: folder, from: .extract, db: db, logger: log, started: started)
    }

    /// Runs the stages of an existing run again, from `stage` on (or only that stage),
    /// with the pipeline file as it is now.
    public func rerun(_ id: RunID, from stage: Stage, only: Bool = false) throws -> RunSummary {
        let started = Date()
        let folder = state.run(id)
        let info = try RunInfo.read(folder)
        let lock = try RunLock(path: state.lockFile.path, holder: "etl rerun \(id) from \(stage.rawValue)")
        defer { withExtendedLifetime(lock) {} }
        for earlier in Stage.allCases where earlier < stage {
            guard FileManager.default.fileExists(atPath: folder.manifest(earlier)) else {
                throw OperationsError.stageMissing(run: id, stage: earlier)
            }
        }
        let db = try target.connect(logger: logger)
        let holder = try AdvisoryLock(connection: db, holder: "etl rerun \(id)")
        defer { withExtendedLifetime(holder) {} }
        try Ledger(connection: db).begin(start(info))
        var log = logger
        log[metadataKey: "run"] = "\(id)"
        return try execute(info, folder: folder, from: stage, through: only ? stage : .load, db: db, logger: log, started: started)
    }

    private func start(_ info: RunInfo) -> Ledger.RunStart {
        Ledger.RunStart(run: info.run, pipeline: info.pipeline, municipality: config.municipality, drop: info.drop,
                        dropChecksum: info.dropChecksum, asOf: info.asOf, windowFrom: config.windowFrom,
                        windowTo: config.windowTo ?? info.asOf, smallCellMinimum: config.smallCellMinimum)
    }

    private func execute(_ info: RunInfo, folder: RunFolder, from first: Stage, through last: Stage = .load,
                         db: Connection, logger: Logger, started: Date) throws -> RunSummary {
        let ledger = Ledger(connection: db)
        var summary = RunSummary(run: info.run, drop: URL(fileURLWithPath: info.drop).lastPathComponent,
                                 rowsRead: 0, rejected: 0, loaded: 0, seconds: 0, published: false)
        do {
            for stage in Stage.allCases where stage >= first && stage <= last {
                try runStage(stage, info: info, folder: folder, db: db, ledger: ledger, logger: logger, summary: &summary)
            }
            if let extract = try? StageManifest.read(from: folder.manifest(.extract)) {
                summary.rowsRead = extract.inputs.reduce(0) { $0 + $1.rowsRead }
                summary.rejected = extract.inputs.reduce(0) { $0 + $1.rejected }
            }
            summary.seconds = Date().timeIntervalSince(started)
            try ledger.finish(info.run, error: nil, read: summary.rowsRead, rejected: summary.rejected,
                              loaded: last == .load ? summary.loaded : nil)
            logger.info("run finished", metadata: ["published": "\(summary.published)", "seconds": "\(summary.seconds)"])
            return summary
        } catch {
            try? ledger.finish(info.run, error: "\(error)", read: nil, rejected: nil, loaded: nil)
            throw error
        }
    }

    private func runStage(_ stage: Stage, info: RunInfo, folder: RunFolder, db: Connection, ledger: Ledger,
                          logger: Logger, summary: inout RunSummary) throws {
        var log = logger
        log[metadataKey: "stage"] = "\(stage.rawValue)"
        log.info("stage started")
        let t0 = Date()
        try ledger.stageStarted(info.run, stage)
        let progress = showProgress ? progressLine(stage, info: info, folder: folder) : nil
        defer { progress?.finish() }
        do {
            var counts: [String: Int] = [:]
            switch stage {
            case .extract:
                let progress = log
                let stage = ExtractStage(config: config, state: state, log: { progress.info("\($0)") })
                let result = try stage.run(drop: URL(fileURLWithPath: info.drop), into: folder)
                for warning in result.warnings { log.warning("\(warning)") }
                let manifest = result.manifest
                try ledger.recordFiles(info.run, manifest.inputs)
                for file in manifest.inputs {
                    counts["read.\(file.name)"] = file.rowsRead
                    counts["rejected.\(file.name)"] = file.rejected
                    for (what, n) in file.counts { counts["\(what).\(file.name)"] = n }   // merged_address, cpr_in_text:kilde, …
                }
            case .transform:
                counts = try TransformStage().run(run: folder, windowFrom: config.windowFrom, windowTo: config.windowTo,
                                                  asOf: info.asOf).manifest.counts
            case .load:
                let result = try LoadStage(connection: db).load(folder)
                let publisher = Publisher(connection: db)
                try publisher.publish(loadID: result.loadID, run: info.run)
                summary.loaded = result.rows
                summary.published = true
                counts = result.rowsByTable
                counts["load_id"] = Int(result.loadID)
                counts["copy_ms"] = Int(result.copySeconds * 1000)
                let dropped = try publisher.dropOldLoads(keepRuns: config.keepRuns)
                if !dropped.isEmpty { log.info("dropped old loads", metadata: ["loads": "\(dropped.map(String.init).joined(separator: ","))"]) }
                try pruneRunFolders(keeping: config.keepRuns)
            }
            let seconds = Date().timeIntervalSince(t0)
            try ledger.stageFinished(info.run, stage, seconds: seconds, counts: counts)
            log.info("stage finished", metadata: ["seconds": "\(String(format: "%.2f", seconds))"]
                .merging(counts.mapValues { "\($0)" }) { $1 })
        } catch {
            try? ledger.stageFinished(info.run, stage, seconds: Date().timeIntervalSince(t0), counts: [:], error: "\(error)")
            log.error("stage failed", metadata: ["error": "\(error)"])
            throw error
        }
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
            // A drop with a MANIFEST is read twice (checked, then extracted); it also counts the rows.
            let manifest = try? String(contentsOf: drop.appendingPathComponent("MANIFEST"), encoding: .utf8)
            let rows = manifest?.split(separator: "\n").compactMap { $0.split(separator: " ").dropFirst().first.flatMap { Int($0) } }
            return StageProgress(stage: stage.rawValue, inputBytes: bytes * (manifest == nil ? 1 : 2),
                                 inputRows: rows?.reduce(0, +) ?? Int(bytes / 50))
        case .transform, .load:
            let previous = (try? StageManifest.read(from: folder.manifest(stage == .transform ? .extract : .transform)))?.outputs ?? []
            return StageProgress(stage: stage.rawValue, inputBytes: previous.reduce(0) { $0 + $1.bytes },
                                 inputRows: previous.reduce(0) { $0 + $1.rows })
        }
    }

    /// Keeps the stage files of the newest runs only: those of older runs can be large.
    private func pruneRunFolders(keeping count: Int) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: state.runs.path)) ?? []
        let runs = names.compactMap(RunID.init).sorted(by: >)
        for old in runs.dropFirst(max(count, 1) * 2) {
            try? FileManager.default.removeItem(at: state.run(old).root)
        }
    }
}

/// One run at a time against a warehouse: a session-level advisory lock, held while the
/// connection lives. The holder's name is its `application_name`, so a refused run can say who.
final class AdvisoryLock {
    static let key = 0x65746C_72756E  // "etl run"
    let connection: Connection

    init(connection: Connection, holder: String) throws {
        self.connection = connection
        _ = try connection.execute("SELECT set_config('application_name', $1, false)", [holder], name: "name session")
        let got = try connection.query("SELECT pg_try_advisory_lock($1)", [String(Self.key)], name: "run lock")
        guard try got.first?.bool(0) == true else {
            let who = try connection.query("""
                SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid()
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND (l.classid::bigint << 32 | l.objid::bigint) = $1
                """, [String(Self.key)], name: "run lock holder")
            throw OperationsError.locked(holder: who.first?.string(0) ?? "another etl process", lock: "advisory lock in the warehouse")
        }
    }

    deinit {
        _ = try? connection.query("SELECT pg_advisory_unlock($1)", [String(Self.key)], name: "run unlock")
    }
}
