import Foundation
import Testing
import TestSupport
@testable import Load
import Pipeline
import Postgres

/// The fact files copied over several connections at once (`LoadStage.copyFacts`): the same
/// rows whatever the number, and nothing left by a load that fails after another connection
/// committed its tables.
@Suite struct LoadStagePartitionsTests {
    /// Unattached tables named as a load's partitions.
    static func unattached(_ c: Connection) throws -> [String] {
        try c.query("""
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'warehouse' AND c.relkind = 'r' AND NOT c.relispartition AND c.relname ~ '_l[0-9]+$'
            ORDER BY 1
            """).map { $0.string(0)! }
    }

    /// Every fact row of a load but its load id, as JSON, per table in a fixed order.
    static func factRows(_ c: Connection, _ load: Int64) throws -> [String] {
        try FactFile.allCases.flatMap { fact in
            try c.query("SELECT (to_jsonb(t) - 'load_id')::text AS r FROM warehouse.\(fact.table) t WHERE load_id = \(load) ORDER BY r")
                .map { fact.table + " " + $0.string(0)! }
        }
    }

    @Test func oneConnectionOrOneEachLoadTheSameRows() throws {
        let h = try LoadHarness()
        var loaded: [[String]] = []
        for (k, connections) in [1, 2, FactFile.allCases.count].enumerated() {
            let run = h.state.run(RunID(rawValue: 20250101000000 + Int64(k)))
            try FactFixture.write(into: run)
            try FactFixture.register(run.id, on: h.connection)
            var stage = LoadStage(connection: h.connection)
            stage.connections = connections
            var points: [String] = []
            stage.checkpoint = { points.append($0) }
            let result = try stage.load(run)
            #expect(points == ["load.copying", "load.copied"])
            #expect(result.rowsByTable["exposure"] == 40)
            // The partitions the views read have statistics, of the columns their plans need,
            // whichever connection copied them.
            let analyzed = try h.connection.query("""
                SELECT tablename, string_agg(attname, ',' ORDER BY attname) FROM pg_stats
                WHERE schemaname = 'warehouse' AND tablename LIKE '%\\_l\(result.loadID)' GROUP BY 1 ORDER BY 1
                """).map { "\($0.string(0)!) \($0.string(1)!)" }
            let columns = try h.connection.query("""
                SELECT table_name, string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns
                WHERE table_schema = 'warehouse' GROUP BY 1
                """).reduce(into: [String: String]()) { $0[$1.string(0)!] = $1.string(1)! }
            let expected = LoadStage.analyzed.map { fact, analysed in
                LoadStage.partitionName(fact.table, result.loadID) + " "
                    + (analysed.isEmpty ? columns[LoadStage.partitionName(fact.table, result.loadID)]! : analysed.sorted().joined(separator: ","))
            }
            #expect(analyzed == expected.sorted(), "\(connections)")
            loaded.append(try Self.factRows(h.connection, result.loadID))
        }
        #expect(loaded[0].count > FactFile.allCases.count)
        #expect(loaded[1] == loaded[0])
        #expect(loaded[2] == loaded[0])
        #expect(try Self.unattached(h.connection).isEmpty)
    }

    /// A row count that disagrees with the manifest fails the load and leaves nothing: on one
    /// connection, and with a connection for every file, whose others commit their tables
    /// before the count is checked (they go with the failed load).
    @Test(arguments: [1, FactFile.allCases.count])
    func aRowCountThatDiffersFromTheManifestLoadsNothing(connections: Int) throws {
        let h = try LoadHarness()
        let run = h.state.run(RunID(rawValue: 20250101000000))
        try FactFixture.write(into: run)
        try FactFixture.register(run.id, on: h.connection)
        var manifest = try StageManifest.read(from: run.manifest(.transform))
        manifest.outputs[4].rows += 1
        try manifest.write(to: run.manifest(.transform))
        var stage = LoadStage(connection: h.connection)
        stage.connections = connections
        let observer = try h.db.connect()
        var committed: [String] = []
        stage.checkpoint = { if $0 == "load.copied" { committed = (try? Self.unattached(observer)) ?? [] } }
        #expect(throws: LoadError.self) { try stage.load(run) }
        // One file each: the load's own connection's attached, the others' committed.
        #expect(committed.count == connections - 1, "\(committed)")
        #expect(try h.connection.query("SELECT count(*) FROM pg_class WHERE relname ~ '_l[0-9]+$'").first?.int(0) == 0)
        #expect(try h.connection.query("SELECT count(*) FROM etl.loads").first?.int(0) == 0)
    }

    /// A killed load's committed tables are dropped by the next load; a running load's are not.
    @Test func theNextLoadDropsAbandonedTablesButNotARunningLoads() throws {
        let h = try LoadHarness()
        func make(_ load: Int) throws {
            try h.connection.execute("""
                CREATE TABLE warehouse.exposure_l\(load) (LIKE warehouse.exposure INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
                ALTER TABLE warehouse.exposure_l\(load) ADD CONSTRAINT exposure_l\(load)_load CHECK (load_id = \(load));
                """)
        }
        try make(998)
        try make(999)
        let running = try h.db.connect()
        try running.execute("BEGIN")
        _ = try running.query("SELECT pg_advisory_xact_lock(warehouse.load_lock_class(), 998)")
        try h.loadAndPublish(20250101000000)
        #expect(try Self.unattached(h.connection) == ["exposure_l998"])
        try running.execute("ROLLBACK")
        try h.loadAndPublish(20250102000000)
        #expect(try Self.unattached(h.connection).isEmpty)
    }
}
