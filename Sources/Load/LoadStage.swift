import Foundation
import Pipeline
import Postgres

/// Streams a run's fact files into the warehouse with COPY and publishes them.
///
/// Each load writes a fresh partition of every fact table, named by a new load id, inside
/// one transaction: a load that fails or is killed leaves nothing, and a rerun never
/// duplicates. Readers keep reading the published load until `publish` switches the one
/// row of `etl.published`, a transaction of a moment.
public struct LoadStage {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    /// Loads the transform files of `run` (and its extract rejects) as a new load.
    /// The run must already be in `etl.runs`.
    public func load(_ run: RunFolder) throws -> LoadResult {
        let started = Date()
        let manifest = try StageManifest.read(from: run.manifest(.transform))
        // Extract's counts per file (merged addresses, filtered rows, CPR numbers replaced in
        // text, unknown values) go with the load as transform's do: `extract|<file>|<what>`.
        var all = manifest.counts
        for input in (try? StageManifest.read(from: run.manifest(.extract)))?.inputs ?? [] {
            for (what, n) in input.counts { all["extract|\(input.name)|\(what)"] = n }
        }
        let counts = String(decoding: try JSONEncoder().encode(all), as: UTF8.self)
        var tables: [String: Int] = [:]
        var copySeconds = 0.0

        let loadID: Int64 = try connection.transaction { db in
            let row = try db.query("INSERT INTO etl.loads (run_id, counts) VALUES ($1, $2::jsonb) RETURNING load_id",
                                   [run.id.description, counts], name: "register load")
            guard let id = try row.first?.int(0) else { throw LoadError.noLoadID }
            for fact in FactFile.allCases {
                guard let expected = manifest.output(fact.rawValue)?.rows else {
                    throw LoadError.missingFromManifest(file: fact.rawValue, manifest: run.manifest(.transform))
                }
                let t0 = Date()
                let copied = try copyPartition(db, fact: fact, loadID: Int64(id), path: run.file(.transform, fact.rawValue))
                copySeconds += Date().timeIntervalSince(t0)
                guard copied == expected else {
                    throw LoadError.rowCountMismatch(file: run.file(.transform, fact.rawValue), expected: expected, copied: copied)
                }
                tables[fact.table] = copied
            }
            tables["rejects"] = try copyRejects(db, run)
            // Fresh statistics first: the aggregation's plans (and later the views') need them.
            let partitions = FactFile.allCases.map { "warehouse." + Self.partitionName($0.table, Int64(id)) }
            try db.execute("ANALYZE " + (partitions + ["etl.loads", "etl.runs", "etl.rejects"]).joined(separator: ", "),
                           name: "analyze facts")
            _ = try db.execute("SELECT warehouse.compute_stats($1)", [String(id)], name: "compute cohort stats")
            try db.execute("ANALYZE warehouse.cohort_stats, warehouse.notification_stats, warehouse.closure_stats",
                           name: "analyze stats")
            let total = tables.values.reduce(0, +)
            _ = try db.execute("UPDATE etl.loads SET finished_at = now(), rows_loaded = $2 WHERE load_id = $1",
                               [String(id), String(total)], name: "finish load")
            return Int64(id)
        }
        return LoadResult(run: run.id, loadID: loadID, rowsByTable: tables, seconds: Date().timeIntervalSince(started),
                          copySeconds: copySeconds)
    }

    /// Creates `warehouse.<table>_l<load>`, copies the file into it and attaches it.
    private func copyPartition(_ db: Connection, fact: FactFile, loadID: Int64, path: String) throws -> Int {
        let parent = "warehouse.\(fact.table)"
        let partition = Self.partitionName(fact.table, loadID)
        let columns = try db.query("""
            SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
            FROM information_schema.columns
            WHERE table_schema = 'warehouse' AND table_name = $1 AND column_name <> 'load_id'
            """, [fact.table], name: "columns of \(parent)")
        guard let list = columns.first?.string(0) else { throw LoadError.unknownTable(parent) }
        // The CHECK lets ATTACH skip its validation scan; the default fills load_id during COPY.
        try db.execute("""
            CREATE TABLE warehouse.\(partition) (LIKE \(parent) INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
            ALTER TABLE warehouse.\(partition) ALTER COLUMN load_id SET DEFAULT \(loadID),
                ADD CONSTRAINT \(partition)_load CHECK (load_id = \(loadID));
            """, name: "create \(partition)")
        let copied = try db.copyIn("COPY warehouse.\(partition) (\(list)) FROM STDIN", fromFile: path, name: "copy \(fact.rawValue)")
        try db.execute("ALTER TABLE \(parent) ATTACH PARTITION warehouse.\(partition) FOR VALUES IN (\(loadID))",
                       name: "attach \(partition)")
        return copied
    }

    /// Replaces the run's rejects in `etl.rejects` with those of its extract folder.
    private func copyRejects(_ db: Connection, _ run: RunFolder) throws -> Int {
        _ = try db.execute("DELETE FROM etl.rejects WHERE run_id = $1", [run.id.description], name: "clear rejects")
        var reader = try CopyTextReader(path: run.file(.extract, StageFile.rejects))
        let prefix = Array("\(run.id)\t".utf8)
        return try db.copyIn("COPY etl.rejects (run_id, file, line, field, reason, message) FROM STDIN", name: "copy rejects") { writer in
            var line: [UInt8] = []
            try reader.forEach { fields, _ in
                line.removeAll(keepingCapacity: true)
                line.append(contentsOf: prefix)
                for (i, field) in fields.enumerated() {
                    if i > 0 { line.append(0x09) }
                    line.append(contentsOf: field)
                }
                line.append(0x0A)
                try writer.write(bytes: line)
            }
        }
    }

    static func partitionName(_ table: String, _ loadID: Int64) -> String { "\(table)_l\(loadID)" }
}

public struct LoadResult: Sendable {
    public var run: RunID
    public var loadID: Int64
    public var rowsByTable: [String: Int]
    public var seconds: Double
    /// The part spent creating, copying and attaching the fact partitions.
    public var copySeconds: Double

    public var rows: Int { rowsByTable.values.reduce(0, +) }
}

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
