import Foundation
import Pipeline
import Postgres

/// Streams a run's fact files into the warehouse with COPY, for `Publisher` to publish.
///
/// Each load writes a fresh partition of every fact table, named by a new load id, inside
/// one transaction: a load that fails or is killed leaves nothing, and a rerun never
/// duplicates. Readers keep reading the published load until `publish` switches the one
/// row of `etl.published` (`Publisher`), a transaction of a moment.
///
/// A load keeps everything analysts see of it: its settings (`LoadSettings`), its rejects
/// and the counts of the export files its extract read. Nothing of a run's earlier loads is
/// replaced, so a load that is not (yet) published changes nothing in `metrics`.
package struct LoadStage {
    package let connection: Connection
    /// Called with a point's name as the load passes it, inside its transaction: `load.copying`
    /// after the first fact file its own connection copied, `load.copied` when the other
    /// connections have committed theirs, unattached; the runner's fault points for tests.
    package var checkpoint: (String) -> Void = { _ in }
    /// How many connections copy the fact files at once (the load's own and others).
    package var connections = min(ForkJoin.cores, 4)

    package init(connection: Connection) { self.connection = connection }

    /// Loads the transform files of `run` (and its extract rejects and file counts) as a new
    /// load with `settings`; nil: the settings the run was registered with in `etl.runs`.
    /// The run must already be in `etl.runs`.
    package func load(_ run: RunFolder, settings: LoadSettings?) throws -> LoadResult {
        let started = Date()
        let manifest = try StageManifest.read(from: run.manifest(.transform))
        let extract = FileManager.default.fileExists(atPath: run.manifest(.extract))
            ? try StageManifest.read(from: run.manifest(.extract)) : nil
        let counts = String(decoding: try JSONEncoder().encode(manifest.counts), as: UTF8.self)
        let extractCounts = String(decoding: try JSONEncoder().encode(extract?.counts ?? [:]), as: UTF8.self)
        let settings = try settings ?? registeredSettings(run.id)
        var tables: [String: Int] = [:]
        var copySeconds = 0.0
        var evaluationSeconds = 0.0

        let opener = try connection.opener()
        let loadID: Int64
        do {
            loadID = try connection.transaction { db in
                // Tables of loads that failed or were killed after another connection committed them.
                _ = try db.query("SELECT warehouse.drop_abandoned_partitions()", name: "drop abandoned partitions")
                let row = try db.query("""
                    INSERT INTO etl.loads (run_id, counts, extract_counts, attempt_id, municipality, as_of, window_from, window_to,
                                           small_cell_minimum, pipeline, pipeline_sha256)
                    VALUES ($1, $2::jsonb, $3::jsonb, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING load_id
                    """, [run.id.description, counts, extractCounts, settings.attempt.map(String.init), settings.municipality,
                          settings.asOf.iso, settings.windowFrom.iso, settings.windowTo.iso, String(settings.smallCellMinimum),
                          settings.pipeline, settings.pipelineSHA256], name: "register load")
                guard let id = try row.first?.int(0) else { throw LoadError.noLoadID }
                // A running load holds its id's lock: warehouse.drop_abandoned_partitions leaves its tables alone.
                _ = try db.query("SELECT pg_advisory_xact_lock(warehouse.load_lock_class(), $1::integer)", [String(id)],
                                 name: "lock load")
                let partitions = try FactFile.allCases.map { try partition(db, $0, loadID: Int64(id), run: run, manifest: manifest) }
                let copyStarted = Date()
                // The evaluation is estimated meanwhile, on a core the COPYs leave to the server.
                let outcome = ForkJoin.alongside(1, { _ in try Self.estimate(run) }, main: {
                    try copyFacts(db, partitions, opener: opener)
                })
                let copied = try outcome.main.get()
                let evaluation = try outcome.side[0].get()
                for (fact, c) in copied { tables[fact.table] = c.rows }
                copySeconds = Date().timeIntervalSince(copyStarted)
                // The statistics the views read, aggregated by transform, checked against the facts.
                for stats in StatsFile.allCases {
                    guard let expected = manifest.output(stats.rawValue)?.rows else {
                        throw LoadError.missingFromManifest(file: stats.rawValue, manifest: run.manifest(.transform))
                    }
                    let path = run.file(.transform, stats.rawValue)
                    let copied = try copyPrefixed(db, table: "warehouse.\(stats.table)", prefix: "\(id)\t", path: path,
                                                  expected: manifest.output(stats.rawValue)?.checksum, name: "copy \(stats.rawValue)")
                    guard copied == expected else { throw LoadError.rowCountMismatch(file: path, expected: expected, copied: copied) }
                    tables[stats.table] = copied
                }
                let totals = Self.totalled.sorted { $0.rawValue < $1.rawValue }.map { copied[$0]?.totals }
                _ = try db.execute("SELECT warehouse.check_stats($1::bigint, "
                                   + totals.indices.map { "$\($0 + 2)::jsonb" }.joined(separator: " || ") + ")",
                                   [String(id)] + totals, name: "check stats against the facts")
                tables["rejects"] = try copyRejects(db, run, loadID: Int64(id), expected: extract?.output(StageFile.rejects)?.checksum)
                try recordFiles(db, extract?.inputs ?? [], loadID: Int64(id))
                // Statistics for what the views read (the fact partitions they read have theirs, `analyzed`).
                try db.execute("ANALYZE " + (StatsFile.allCases.map { "warehouse.\($0.table)" } + ["etl.loads", "etl.runs", "etl.rejects"])
                    .joined(separator: ", "), name: "analyze what the views read")
                let t0 = Date()
                for (table, rows) in try loadEvaluation(db, evaluation, loadID: Int64(id)) { tables[table] = rows }
                evaluationSeconds = evaluation.seconds + Date().timeIntervalSince(t0)
                let total = tables.values.reduce(0, +)
                _ = try db.execute("UPDATE etl.loads SET finished_at = now(), rows_loaded = $2 WHERE load_id = $1",
                                   [String(id), String(total)], name: "finish load")
                return Int64(id)
            }
        } catch {
            // This load's tables that other connections committed: gone now, not at the next load.
            _ = try? opener.open().query("SELECT warehouse.drop_abandoned_partitions()", name: "drop abandoned partitions")
            throw error
        }
        return LoadResult(run: run.id, loadID: loadID, rowsByTable: tables, seconds: Date().timeIntervalSince(started),
                          copySeconds: copySeconds, evaluationSeconds: evaluationSeconds)
    }

    /// Loads with the settings the run was registered with (`etl.runs`).
    package func load(_ run: RunFolder) throws -> LoadResult { try load(run, settings: nil) }

    /// The settings a run was registered with, for a load that is given none.
    private func registeredSettings(_ run: RunID) throws -> LoadSettings {
        let rows = try connection.query("""
            SELECT municipality, as_of::text, window_from::text, window_to::text, small_cell_minimum, pipeline
            FROM etl.runs WHERE run_id = $1
            """, [run.description], name: "run settings")
        guard let r = rows.first, let asOf = r.string(1).flatMap(Day.init(iso:)), let from = r.string(2).flatMap(Day.init(iso:)),
              let to = r.string(3).flatMap(Day.init(iso:)), let minimum = try r.int(4)
        else { throw LoadError.runNotInLedger(run) }
        return LoadSettings(municipality: r.string(0) ?? "", asOf: asOf, windowFrom: from, windowTo: to,
                            smallCellMinimum: minimum, pipeline: r.string(5) ?? "")
    }

    /// Copies the run's extract rejects into `etl.rejects` as this load's.
    private func copyRejects(_ db: Connection, _ run: RunFolder, loadID: Int64, expected: FileChecksum?) throws -> Int {
        try copyPrefixed(db, table: "etl.rejects (run_id, load_id, file, line, field, reason, message)",
                         prefix: "\(run.id)\t\(loadID)\t", path: run.file(.extract, StageFile.rejects), expected: expected,
                         name: "copy rejects")
    }

    /// Copies a stage file into `table`, each record after `prefix` (the columns the file
    /// has not: the run, the load), refused unless its checksum is `expected`'s.
    private func copyPrefixed(_ db: Connection, table: String, prefix: String, path: String, expected: FileChecksum?,
                              name: String) throws -> Int {
        let prefix = Array(prefix.utf8)
        return try db.copyIn("COPY \(table) FROM STDIN", name: name) { writer in
            var line: [UInt8] = []
            try StageFileReader.forEach(path: path, expected: expected) { fields, _ in
                line.removeAll(keepingCapacity: true)
                line.append(contentsOf: prefix)
                for i in 0..<fields.count {
                    if i > 0 { line.append(0x09) }
                    line.append(contentsOf: fields[i])
                }
                line.append(0x0A)
                try writer.write(bytes: line)
            }
        }
    }

    /// The export files the load's extract read, with their counts.
    private func recordFiles(_ db: Connection, _ files: [StageManifest.InputFile], loadID: Int64) throws {
        for f in files {
            _ = try db.execute("""
                INSERT INTO etl.load_files (load_id, name, bytes, sha256, rows_read, accepted, rejected)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """, [String(loadID), f.name, String(f.bytes), f.checksum.hex, String(f.rowsRead), String(f.accepted), String(f.rejected)],
                name: "record load file")
        }
    }

    static func partitionName(_ table: String, _ loadID: Int64) -> String { "\(table)_l\(loadID)" }
}

/// What a load was made with, kept with it: what analysts see beside its figures.
package struct LoadSettings: Sendable, Equatable {
    package var municipality: String
    package var asOf: Day
    /// The window its transform used.
    package var windowFrom: Day
    package var windowTo: Day
    package var smallCellMinimum: Int
    /// The pipeline file of the attempt that loaded it (absolute), and its SHA-256.
    package var pipeline: String
    package var pipelineSHA256: String?
    /// The ledger attempt (`etl.attempts`) that loaded it.
    package var attempt: Int64?

    package init(municipality: String, asOf: Day, windowFrom: Day, windowTo: Day, smallCellMinimum: Int,
                pipeline: String, pipelineSHA256: String? = nil, attempt: Int64? = nil) {
        self.municipality = municipality; self.asOf = asOf; self.windowFrom = windowFrom; self.windowTo = windowTo
        self.smallCellMinimum = smallCellMinimum; self.pipeline = pipeline; self.pipelineSHA256 = pipelineSHA256
        self.attempt = attempt
    }
}

package struct LoadResult: Sendable {
    package var run: RunID
    package var loadID: Int64
    package var rowsByTable: [String: Int]
    package var seconds: Double
    /// The part spent creating, copying and attaching the fact partitions.
    package var copySeconds: Double
    /// The part spent on the evaluation: reading the panel file and the six estimates (beside
    /// the fact files' COPY), their COPY.
    package var evaluationSeconds: Double

    package var rows: Int { rowsByTable.values.reduce(0, +) }
}
