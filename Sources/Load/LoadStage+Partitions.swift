import Pipeline
import Postgres

/// One fact file's partition of a load, `warehouse.<table>_l<load>`: what creates it, fills
/// it and attaches it to its table.
struct FactPartition: Sendable {
    let fact: FactFile
    let path: String
    /// Rows and bytes, as transform's manifest says.
    let rows: Int
    let bytes: Int64
    let create: String
    let copy: String
    /// For a partition the views read (`ANALYZE` on its connection, right after its COPY); nil for the others.
    let analyze: String?
    let attach: String
}

extension LoadStage {
    /// The partition of `fact` for load `loadID`, its columns read from the table.
    func partition(_ db: Connection, _ fact: FactFile, loadID: Int64, run: RunFolder, manifest: StageManifest) throws -> FactPartition {
        guard let output = manifest.output(fact.rawValue) else {
            throw LoadError.missingFromManifest(file: fact.rawValue, manifest: run.manifest(.transform))
        }
        let parent = "warehouse.\(fact.table)"
        let name = Self.partitionName(fact.table, loadID)
        let columns = try db.query("""
            SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
            FROM information_schema.columns
            WHERE table_schema = 'warehouse' AND table_name = $1 AND column_name <> 'load_id'
            """, [fact.table], name: "columns of \(parent)")
        guard let list = columns.first?.string(0) else { throw LoadError.unknownTable(parent) }
        // The CHECK lets ATTACH skip its validation scan (and names the table as a load's
        // partition for warehouse.drop_abandoned_partitions); the default fills load_id during COPY.
        // FREEZE: the table is new in the COPY's transaction, so its rows are written frozen and
        // all-visible (no hint-bit writes or vacuum of them later).
        return FactPartition(
            fact: fact, path: run.file(.transform, fact.rawValue), rows: output.rows, bytes: output.bytes,
            create: """
                CREATE TABLE warehouse.\(name) (LIKE \(parent) INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
                ALTER TABLE warehouse.\(name) ALTER COLUMN load_id SET DEFAULT \(loadID),
                    ADD CONSTRAINT \(name)_load CHECK (load_id = \(loadID));
                """,
            copy: "COPY warehouse.\(name) (\(list)) FROM STDIN WITH (FREEZE)",
            analyze: Self.analyzed.contains(fact) ? "ANALYZE warehouse.\(name)" : nil,
            attach: "ALTER TABLE \(parent) ATTACH PARTITION warehouse.\(name) FOR VALUES IN (\(loadID))")
    }

    /// The fact partitions the views read, so the planner needs their statistics; the big
    /// ones they never scan.
    static let analyzed: Set<FactFile> = [.institutions, .evaluationPanel]

    /// Copies the fact files over `connections` connections at once, so that the server
    /// parses them on as many cores: lane 0 in the load's transaction on `db`, each other lane
    /// on a connection of its own, in a transaction that commits its tables unattached (no
    /// fact table reads them), which `db` then attaches. A load that fails after a lane
    /// committed leaves those tables for `warehouse.drop_abandoned_partitions`. Returns the
    /// rows copied per fact file; a count other than the manifest's fails the load.
    func copyFacts(_ db: Connection, _ partitions: [FactPartition], opener: ConnectionOpener) throws -> [FactFile: Int] {
        let lanes = Self.lanes(partitions, count: connections)
        let others = Array(lanes.dropFirst())
        let outcome = ForkJoin.alongside(others.count, { i in
            let c = try opener.open()
            return try c.transaction { try Self.copy($0, others[i], attach: false) }
        }, main: {
            try Self.copy(db, lanes[0], attach: true) { p in if p.fact == lanes[0].first?.fact { checkpoint("load.copying") } }
        })
        var rows = try outcome.main.get()
        for side in outcome.side { rows.merge(try side.get()) { a, _ in a } }
        checkpoint("load.copied")
        for p in others.joined() { try db.execute(p.attach, name: "attach \(p.fact.table) partition") }
        for p in partitions where rows[p.fact] != p.rows {
            throw LoadError.rowCountMismatch(file: p.path, expected: p.rows, copied: rows[p.fact] ?? 0)
        }
        return rows
    }

    /// Creates and fills each partition of `lane` on `c`, attaching it when `attach`.
    private static func copy(_ c: Connection, _ lane: [FactPartition], attach: Bool,
                             copied: (FactPartition) -> Void = { _ in }) throws -> [FactFile: Int] {
        var rows: [FactFile: Int] = [:]
        for p in lane {
            try c.execute(p.create, name: "create \(p.fact.table) partition")
            rows[p.fact] = try c.copyIn(p.copy, fromFile: p.path, name: "copy \(p.fact.rawValue)")
            if let analyze = p.analyze { try c.execute(analyze, name: "analyze \(p.fact.table) partition") }
            if attach { try c.execute(p.attach, name: "attach \(p.fact.table) partition") }
            copied(p)
        }
        return rows
    }

    /// The partitions over `count` lanes: biggest file first, each to the lane with the
    /// fewest bytes so far (then the fewest files; lane 0 first on a tie). Empty lanes are dropped.
    static func lanes(_ partitions: [FactPartition], count: Int) -> [[FactPartition]] {
        var lanes = Array(repeating: [FactPartition](), count: max(1, count))
        var bytes = Array(repeating: Int64(0), count: lanes.count)
        for p in partitions.sorted(by: { $0.bytes > $1.bytes }) {
            let k = bytes.indices.min { (bytes[$0], lanes[$0].count) < (bytes[$1], lanes[$1].count) }!
            lanes[k].append(p)
            bytes[k] += p.bytes
        }
        return lanes.filter { !$0.isEmpty }
    }
}
