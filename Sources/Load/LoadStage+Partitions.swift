import Pipeline
import Postgres
import Synchronization

/// One fact file's partition of a load, `warehouse.<table>_l<load>`: what creates it, fills
/// it and attaches it to its table.
struct FactPartition: Sendable {
    let fact: FactFile
    let path: String
    /// Rows, bytes and checksum, as transform's manifest says.
    let rows: Int
    let bytes: Int64
    let checksum: FileChecksum
    let create: String
    let copy: String
    /// For a partition the views read (`ANALYZE` on its connection, right after its COPY); nil for the others.
    let analyze: String?
    /// For a partition `warehouse.check_stats` reads: its `warehouse.fact_totals`, on its connection.
    let totals: String?
    let attach: String
}

/// What a connection did with one partition.
struct CopiedPartition: Sendable {
    var rows: Int
    /// Its `warehouse.fact_totals` (JSON), when it has them.
    var totals: String?
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
            fact: fact, path: run.file(.transform, fact.rawValue), rows: output.rows, bytes: output.bytes, checksum: output.checksum,
            create: """
                CREATE TABLE warehouse.\(name) (LIKE \(parent) INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
                ALTER TABLE warehouse.\(name) ALTER COLUMN load_id SET DEFAULT \(loadID),
                    ADD CONSTRAINT \(name)_load CHECK (load_id = \(loadID));
                """,
            copy: "COPY warehouse.\(name) (\(list)) FROM STDIN WITH (FREEZE)",
            analyze: Self.analyzed[fact].map { "ANALYZE warehouse.\(name)" + ($0.isEmpty ? "" : " (\($0.joined(separator: ", ")))") },
            totals: Self.totalled.contains(fact) ? "SELECT warehouse.fact_totals('\(fact.table)', 'warehouse.\(name)')::text" : nil,
            attach: "ALTER TABLE \(parent) ATTACH PARTITION warehouse.\(name) FOR VALUES IN (\(loadID))")
    }

    /// The fact partitions the views read, so the planner needs their statistics (the big
    /// ones they never scan), and the columns it needs them of; empty: all. The panel's only
    /// join is on its institution: all its columns took 45–68 ms of the load's critical path
    /// at Copenhagen scale (29,500 rows), the institution 15 ms (docs/benchmarks.md).
    static let analyzed: [FactFile: [String]] = [.institutions: [], .evaluationPanel: ["institution"]]

    /// The fact partitions `warehouse.check_stats` holds the statistics against.
    static let totalled: Set<FactFile> = [.exposure, .firstEvents, .caseEvents, .cases]

    /// Copies the fact files over `connections` connections at once, so that the server
    /// parses them on as many cores: the biggest first, one to each connection, then each to
    /// the next connection free. The load's own connection (`db`, in its transaction) takes the
    /// biggest and attaches what it copies; each other connection copies in a transaction of
    /// its own, which commits its tables unattached (no fact table reads them) for `db` to attach. A load that fails
    /// after another connection committed leaves those tables for
    /// `warehouse.drop_abandoned_partitions`. Returns what was copied per fact file; a row
    /// count other than the manifest's fails the load.
    func copyFacts(_ db: Connection, _ partitions: [FactPartition], opener: ConnectionOpener) throws -> [FactFile: CopiedPartition] {
        let queue = PartitionQueue(partitions.sorted { $0.bytes > $1.bytes })
        // Each connection's first partition is handed out here, so that every one has work
        // whenever its thread starts; the rest go to whichever is free.
        let firsts = (0..<max(1, connections)).compactMap { _ in queue.take() }
        guard let first = firsts.first else { return [:] }
        let outcome = ForkJoin.alongside(firsts.count - 1, { i -> [FactFile: CopiedPartition] in
            let c = try opener.open()
            return try c.transaction { try Self.copy($0, firsts[i + 1], queue, attach: false) }
        }, main: { () throws -> [FactFile: CopiedPartition] in
            try Self.copy(db, first, queue, attach: true) { if $0 == first.fact { checkpoint("load.copying") } }
        })
        let own = try outcome.main.get()
        var copied = own
        for side in outcome.side { copied.merge(try side.get()) { a, _ in a } }
        checkpoint("load.copied")
        for p in partitions where own[p.fact] == nil && copied[p.fact] != nil {
            try db.execute(p.attach, name: "attach \(p.fact.table) partition")
        }
        for p in partitions where copied[p.fact]?.rows != p.rows {
            throw LoadError.rowCountMismatch(file: p.path, expected: p.rows, copied: copied[p.fact]?.rows ?? 0)
        }
        return copied
    }

    /// Creates and fills `first`, then each partition `queue` still has, on `c` (analysed,
    /// totalled), attaching each when `attach`.
    private static func copy(_ c: Connection, _ first: FactPartition, _ queue: PartitionQueue, attach: Bool,
                             copied: (FactFile) -> Void = { _ in }) throws -> [FactFile: CopiedPartition] {
        var done: [FactFile: CopiedPartition] = [:]
        var next: FactPartition? = first
        while let p = next {
            try c.execute(p.create, name: "create \(p.fact.table) partition")
            var result = CopiedPartition(rows: try Self.copyChecked(c, p))
            if let analyze = p.analyze { try c.execute(analyze, name: "analyze \(p.fact.table) partition") }
            if let totals = p.totals { result.totals = try c.query(totals, name: "totals of \(p.fact.table) partition").first?.string(0) }
            if attach { try c.execute(p.attach, name: "attach \(p.fact.table) partition") }
            done[p.fact] = result
            copied(p.fact)
            next = queue.take()
        }
        return done
    }
}

extension LoadStage {
    /// COPYs a fact file, refused unless its checksum is transform's manifest's: at its end
    /// (the COPY is then discarded), or when the server refused a record of it, which an edit
    /// would explain better than the record does.
    fileprivate static func copyChecked(_ c: Connection, _ p: FactPartition) throws -> Int {
        let sum = ChecksumCheck(p.checksum)
        do {
            return try c.copyIn(p.copy, fromFile: p.path, name: "copy \(p.fact.rawValue)") { chunk in
                if let chunk {
                    sum.update(chunk)
                } else if let found = sum.mismatch() {
                    throw LoadError.factFileChanged(file: p.path, found: found, expected: p.checksum.hex)
                }
            }
        } catch let error as PostgresError where error.kind == .copy {
            if let found = ChecksumCheck.changed(p.path, from: p.checksum) {
                throw LoadError.factFileChanged(file: p.path, found: found, expected: p.checksum.hex)
            }
            throw error
        }
    }
}

/// The partitions still to copy, handed out one at a time to whichever connection asks.
final class PartitionQueue: Sendable {
    private let items: [FactPartition]
    private let next = Mutex(0)

    init(_ items: [FactPartition]) { self.items = items }

    func take() -> FactPartition? {
        next.withLock { i in
            guard i < items.count else { return nil }
            defer { i += 1 }
            return items[i]
        }
    }
}
