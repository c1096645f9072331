import Extract
import Foundation
import Load
import Pipeline
import Postgres

/// What `etl runs`, `etl runs show` and `etl rejects` print, from the ledger and the run folders.
package struct RunReports {
    package let connection: Connection
    package let state: StateLayout

    package init(connection: Connection, state: StateLayout) { self.connection = connection; self.state = state }

    /// Where a run id was looked for, for `OperationsError.unknownRun`.
    private var ledgerPlace: String { "the warehouse's run ledger or the state directory \(state.root.path)" }

    package func list(limit: Int = 30) throws -> String {
        let runs = try RunRecord.read(connection, limit: limit)
        // "seconds" and the status are the last attempt's: a rerun a day later is no day-long run.
        // "kept": what retention left of it, so what can be done with it (publish needs its
        // load, a rerun of a stage its folder): "loaded" alone did not say (a review).
        let header = ["run", "municipality", "drop", "started (UTC)", "seconds", "last attempt", "attempts", "read", "rejected",
                      "loaded", "kept", "published"]
        return Table.render(header: header, rows: runs.map { r in
            let kept = kept(r)
            return [r.runId, r.municipality, URL(fileURLWithPath: r.drop).lastPathComponent, Self.plain(r.startedAt),
                    r.attempts.last?.executionTime.map { String(format: "%.1f", $0) } ?? "-", r.status, String(r.attempts.count),
                    r.rowsRead.map(String.init) ?? "-", r.rowsRejected.map(String.init) ?? "-", r.rowsLoaded.map(String.init) ?? "-",
                    kept.isEmpty ? "-" : kept.joined(separator: "+"), r.published ? "*" : ""]
        })
    }

    /// `etl runs --json`: every run listed as `etl runs show --json` gives it.
    package func listJSON(limit: Int = 30) throws -> String {
        struct Document: Encodable {
            var metadata: RunResults.Metadata
            var runs: [RunResults]
        }
        let now = RunResults.now()
        let runs = try RunRecord.read(connection, limit: limit).map { record in
            var results = RunResults(record, generatedAt: now)
            results.next = try RunID(record.runId).flatMap { try next(record, $0) }
            results.kept = kept(record)
            return results
        }
        let document = Document(metadata: .init(generatedAt: now, invocationId: ""), runs: runs)
        return String(decoding: try RunResults.encoder().encode(document), as: UTF8.self) + "\n"
    }

    /// A run id the ledger does not know is a bad argument (64), for every command that takes one.
    package func requireKnown(_ run: RunID) throws { _ = try record(run) }

    private func record(_ run: RunID) throws -> RunRecord {
        guard let record = try RunRecord.read(connection, run: run).first else { throw OperationsError.unknownRun(run.description, place: ledgerPlace) }
        return record
    }

    package func showJSON(_ run: RunID) throws -> String {
        let record = try record(run)
        var results = RunResults(record, generatedAt: RunResults.now())
        results.next = try next(record, run)
        results.kept = kept(record)
        return String(decoding: try RunResults.encoder().encode(results), as: UTF8.self) + "\n"
    }

    package func show(_ run: RunID) throws -> String {
        let r = try record(run)
        var out = "run \(run)\n"
        let publishedLoad = r.loads.first(where: \.published)
        let fields: [(String, String?)] = [
            ("municipality", r.municipality), ("drop", r.drop), ("drop checksum", r.dropChecksum), ("as of", r.asOf),
            ("started", Self.plain(r.startedAt)), ("last attempt", r.status), ("error", r.error),
            ("read", r.rowsRead.map(String.init)), ("rejected", r.rowsRejected.map(String.init)),
            ("loaded", r.rowsLoaded.map(String.init)),
            ("published", publishedLoad.map { "yes: load \($0.loadId)" } ?? "no"),
            ("next", try next(r, run)),
        ]
        for (label, value) in fields {
            guard let value, !value.isEmpty else { continue }
            out += "  \(label.padding(toLength: 14, withPad: " ", startingAt: 0)) \(value)\n"
        }
        out += "\nattempts\n" + Table.render(
            header: ["attempt", "command", "started (UTC)", "seconds", "status", "pipeline", "sha256", "program", "window",
                     "small cells", "error"],
            rows: r.attempts.map { a in
                [String(a.attemptId), a.command, Self.plain(a.startedAt), a.executionTime.map { String(format: "%.1f", $0) } ?? "-",
                 a.status, a.pipeline, a.pipelineSha256.map { String($0.prefix(12)) } ?? "-", a.programVersion,
                 "\(a.windowFrom)…\(a.windowTo)", String(a.smallCellMinimum), a.error ?? ""]
            })
        // The error last, as in the attempts: a long one pads no other column, and the options
        // a suggested command needs (`CommandHints`) follow it on its line.
        out += "\nstages\n" + Table.render(
            header: ["attempt", "stage", "started (UTC)", "seconds", "status", "counts", "error"],
            rows: r.stages.map { s in
                [String(s.attemptId), s.stage, Self.plain(s.startedAt), s.executionTime.map { String(format: "%.2f", $0) } ?? "-",
                 s.status, s.counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "), s.error ?? ""]
            })
        out += "\nfiles (latest extract)\n" + Table.render(
            header: ["file", "bytes", "sha256", "read", "accepted", "rejected"],
            rows: r.files.map { [$0.name, String($0.bytes), $0.sha256, String($0.rowsRead), String($0.accepted), String($0.rejected)] })
        out += "\nloads\n" + Table.render(
            header: ["load", "attempt", "finished (UTC)", "rows", "as of", "window", "small cells", "published"],
            rows: r.loads.map { l in
                [String(l.loadId), l.attemptId.map(String.init) ?? "-", l.completedAt.map(Self.plain) ?? "-",
                 l.rowsLoaded.map(String.init) ?? "-", l.asOf, "\(l.windowFrom)…\(l.windowTo)", String(l.smallCellMinimum),
                 l.published ? "*" : ""]
            })
        var byReason: [String: Int] = [:]
        try? forEachReject(run) { byReason["\($0.file)\t\($0.reason.rawValue)", default: 0] += 1 }
        out += "\nrejects by reason\n" + Table.render(header: ["file", "reason", "records"], rows: byReason.sorted { $0.key < $1.key }.map {
            let parts = $0.key.split(separator: "\t").map(String.init)
            return [parts[0], parts[1], String($0.value)]
        })
        return out
    }

    /// What a steward runs next for `run` (`next(_:_:newer:…)`), when its last attempt failed or died.
    package func nextStep(_ run: RunID) throws -> String? {
        try RunRecord.read(connection, run: run).first.flatMap { try next($0, run) }
    }

    /// What loads a run again that has no load in the warehouse (retention dropped it): from
    /// its folder, or, when retention removed that too, its drop as a new run (`etl publish`
    /// named `--from load` for a folder that was gone, a review).
    package func reloadStep(_ run: RunID) throws -> String? {
        guard let r = try RunRecord.read(connection, run: run).first else { return nil }
        if let step = try next(r, run) { return step }
        guard !folderExists(run) else { return nil }
        return Self.rerun(r, force: true) + " (retention removed its load and its folder: its drop runs again as a new run, and is published)"
    }

    private func next(_ r: RunRecord, _ run: RunID) throws -> String? {
        guard ["failed", "dead"].contains(r.status) else { return nil }
        return Self.next(r, run, newer: try newerPublished(than: run, asOf: r.asOf), folderRemoved: !folderExists(run),
                         sameDropLoadedBy: try laterRunThatLoaded(r, after: run))
    }

    /// What a steward runs after a run whose last attempt failed or died, from what that
    /// attempt left: a load it made (published: the committee's report may be missing; not
    /// published: it can be), else the first of its stages it did not finish.
    /// A run older than the published one (`newer`) needs nothing: the step that would put
    /// its figures back needs `--force`, and is named after saying so (a steward going through
    /// the failed runs was told to force old figures over new ones).
    /// A run whose folder retention removed (`folderRemoved`) has no stages to go on from:
    /// its drop runs again, as a new run. One whose drop a later run loaded needs nothing.
    static func next(_ r: RunRecord, _ run: RunID, newer: RunID?, folderRemoved: Bool, sameDropLoadedBy later: RunID?) -> String? {
        guard let attempt = r.attempts.max(by: { $0.attemptId < $1.attemptId }) else { return nil }
        let force = newer == nil ? "" : " --force"
        let step: String
        if let made = r.loads.filter({ $0.completedAt != nil && $0.attemptId == attempt.attemptId }).max(by: { $0.loadId < $1.loadId }) {
            if made.published { return "`etl report` (the run is published; its committee report may not have been written)" }
            step = "`etl publish \(run)\(force)` (its load is complete)"
        } else if let later {
            return "nothing: run \(later), later, loaded the same drop"
        } else if folderRemoved {
            step = rerun(r, force: newer != nil) + " (retention removed its folder: its drop runs again as a new run)"
        } else {
            let stages = ["extract", "transform", "load"]
            let unfinished = stages[(stages.firstIndex(of: attempt.firstStage) ?? 0)...].first { stage in
                !r.stages.contains { $0.attemptId == attempt.attemptId && $0.stage == stage && $0.status == "succeeded" }
            }
            step = "`etl run --from \(unfinished ?? "load") --run \(run)\(force)`"
                // The same file would stop it again: the pipeline file is to be changed first.
                + (attempt.error?.contains(OperationsError.thresholdPhrase) == true
                   ? " with --pipeline FILE, once the file's value maps or reject_threshold take the rejected records (`etl rejects \(run)`)"
                   : unfinished == "extract" && attempt.error.map(ExtractError.isTheDrops) == true
                   ? ", once the drop's files are whole and corrected (the same files fail the same way; a corrected drop in a new folder, yyyy-mm-dd-2, is a new run the next night takes)" : "")
        }
        return newer.map { "nothing needed: run \($0), newer, is published; only to put this run's figures in its place: " + step } ?? step
    }

    /// A run after `run` with a complete load of the same drop (its checksum), if any.
    /// Another run that loaded the same drop after this run's last attempt started: a later
    /// run, or an earlier one rerun (that one was missed, and its steward told to run the drop
    /// again; a review).
    private func laterRunThatLoaded(_ r: RunRecord, after run: RunID) throws -> RunID? {
        try connection.query("""
            SELECT min(r.run_id)::text FROM etl.runs r
            WHERE r.drop_checksum = $1 AND r.run_id <> $2
              AND EXISTS (SELECT FROM etl.loads l WHERE l.run_id = r.run_id AND l.finished_at IS NOT NULL
                            AND l.finished_at > (SELECT max(a.started_at) FROM etl.attempts a WHERE a.run_id = $2))
            """, [r.dropChecksum, run.description], name: "a later load of the same drop").first?.string(0).flatMap(RunID.init)
    }

    /// The command that runs `r`'s drop again, as a new run, with its last pipeline file;
    /// `force` only when a newer run is published, which it would replace (a review found an
    /// unconditional one publishing older figures).
    static func rerun(_ r: RunRecord, force: Bool) -> String {
        let pipeline = r.attempts.max(by: { $0.attemptId < $1.attemptId })?.pipeline ?? "PIPELINE"
        return CommandHints.runDrop(pipeline: pipeline, drop: r.drop, force: force)
    }

    /// What retention left of a run: its load (to publish it again) and its folder (to rerun a stage).
    private func kept(_ r: RunRecord) -> [String] {
        [r.loads.contains { $0.completedAt != nil } ? "load" : nil, RunID(r.runId).map(folderExists) == true ? "folder" : nil].compactMap { $0 }
    }

    private func folderExists(_ run: RunID) -> Bool { FileManager.default.fileExists(atPath: state.run(run).root.path) }

    /// The published run, when it is newer than `run` (its data of a later day, or of the same
    /// day and started later).
    private func newerPublished(than run: RunID, asOf: String) throws -> RunID? {
        guard let day = Day(iso: asOf) else { return nil }
        return try Publisher(connection: connection).publishedRun(newerThan: run, asOf: day)?.run
    }

    /// A run's rejects, masked as extract wrote them, one at a time (memory stays bounded
    /// with millions: an adversarial review saw `etl rejects` take 2.4 GB for 2 million):
    /// from the run folder (so the rejects of a run that stopped before load can be seen
    /// too), else from the run's newest load. An unknown run, or a file or reason the run has
    /// none of and could not have, is an error naming what there is: an empty table would
    /// read as "no rejects".
    package func forEachReject(_ run: RunID, file: String? = nil, reason: String? = nil, _ body: (RejectRecord) throws -> Void) throws {
        if let reason, RejectReason(rawValue: reason) == nil {
            throw OperationsError.usage("--reason \(reason): no such reason; the reasons are \(RejectReason.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let known = try connection.query("SELECT name FROM etl.files WHERE run_id = $1 ORDER BY name", [run.description], name: "run files")
            .compactMap { $0.string(0) }
        let folder = state.run(run).root.path
        if known.isEmpty, try connection.query("SELECT FROM etl.runs WHERE run_id = $1", [run.description]).isEmpty,
           !FileManager.default.fileExists(atPath: folder) {
            throw OperationsError.unknownRun(run.description, place: ledgerPlace)
        }
        if let file, !known.isEmpty, !known.contains(file) {
            throw OperationsError.usage("--file \(file): run \(run) read no such file; it read \(known.joined(separator: ", "))")
        }
        let path = state.run(run).file(.extract, StageFile.rejects)
        func wanted(_ r: RejectRecord) -> Bool { (file == nil || r.file == file) && (reason == nil || r.reason.rawValue == reason) }
        if FileManager.default.fileExists(atPath: path) {
            try StageFileReader.forEach(path: path) { record, line in
                let r = try RejectRecord(record, path: path, line: line)
                if wanted(r) { try body(r) }
            }
        } else {
            let rows = try connection.query("""
                SELECT file, line, field, reason, message FROM etl.rejects
                WHERE load_id = (SELECT max(load_id) FROM etl.loads WHERE run_id = $1)
                ORDER BY file, line
                """, [run.description], name: "rejects of the run's newest load")
            guard try !rows.isEmpty || !connection.query("SELECT FROM etl.loads WHERE run_id = $1", [run.description]).isEmpty else {
                if !folderExists(run), let r = try RunRecord.read(connection, run: run).first {
                    let newer = try newerPublished(than: run, asOf: r.asOf)
                    throw OperationsError.runFolderRemoved(run: run, rerun: Self.rerun(r, force: newer != nil)
                                                           + (newer.map { " (it publishes, in place of the newer published run \($0))" } ?? ""))
                }
                throw OperationsError.stageMissing(run: run, stage: .extract)
            }
            for row in rows {
                let r = RejectRecord(file: row.string(0) ?? "", line: try row.int(1) ?? 0, field: row.string(2),
                                     reason: RejectReason(rawValue: row.string(3) ?? "") ?? .malformedField, message: row.string(4) ?? "")
                if wanted(r) { try body(r) }
            }
        }
    }

    /// `2026-11-21T02:30:00.123Z` as `2026-11-21 02:30:00`.
    static func plain(_ timestamp: String) -> String {
        String(timestamp.replacingOccurrences(of: "T", with: " ").prefix(19))
    }
}
