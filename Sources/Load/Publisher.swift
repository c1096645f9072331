import Pipeline
import Postgres

/// Publishes loads and drops the ones no longer kept.
package struct Publisher {
    package let connection: Connection

    package init(connection: Connection) { self.connection = connection }

    /// Makes `load` of `run` the one every metrics view reads: a one-row update, recorded
    /// in `etl.publications` with the load it replaced and the command that did it.
    package func publish(loadID: Int64, run: RunID) throws {
        try publish(loadID: loadID, run: run, command: "publish", forced: false)
    }

    package func publish(loadID: Int64, run: RunID, command: String, forced: Bool) throws {
        try connection.transaction { db in
            _ = try db.execute("""
                INSERT INTO etl.publications (load_id, run_id, previous_load_id, previous_run_id, command, forced)
                SELECT $1, $2, p.load_id, p.run_id, $3, $4
                FROM (SELECT 1) one LEFT JOIN etl.published p ON true
                """, [String(loadID), run.description, command, String(forced)], name: "record publication")
            _ = try db.execute("""
                INSERT INTO etl.published (load_id, run_id) VALUES ($1, $2)
                ON CONFLICT (singleton) DO UPDATE SET load_id = excluded.load_id, run_id = excluded.run_id, published_at = now()
                """, [String(loadID), run.description], name: "publish")
        }
    }

    /// Publishes the newest complete load of an earlier, still-kept run.
    @discardableResult
    package func publish(run: RunID) throws -> Int64 {
        try publish(run: run, command: "publish", forced: false)
    }

    @discardableResult
    package func publish(run: RunID, command: String, forced: Bool) throws -> Int64 {
        let rows = try connection.query("""
            SELECT l.load_id FROM etl.loads l
            WHERE l.run_id = $1 AND l.finished_at IS NOT NULL
            ORDER BY l.load_id DESC LIMIT 1
            """, [run.description], name: "find load of run")
        guard let id = try rows.first?.int(0) else { throw LoadError.runNotLoaded(run) }
        try publish(loadID: Int64(id), run: run, command: command, forced: forced)
        return Int64(id)
    }

    /// The published run, when it is newer (started later) than `run`: publishing `run`
    /// would replace it.
    package func publishedRun(newerThan run: RunID) throws -> RunID? {
        guard let published = try published(), published.run > run else { return nil }
        return published.run
    }

    /// The published run and load, if any.
    package func published() throws -> (run: RunID, loadID: Int64)? {
        let rows = try connection.query("SELECT run_id, load_id FROM etl.published", name: "published run")
        guard let row = rows.first, let run = try row.int(0), let load = try row.int(1) else { return nil }
        return (RunID(rawValue: Int64(run)), Int64(load))
    }

    /// Drops every load except the newest complete load of each of the newest `keepRuns`
    /// loaded runs, and never the published one. Each load goes in one short transaction;
    /// one that cannot get its locks within a moment (a long analyst query) is left for the
    /// next run. Returns the load ids dropped.
    @discardableResult
    package func dropOldLoads(keepRuns: Int) throws -> [Int64] {
        let rows = try connection.query("""
            WITH newest AS (
                SELECT DISTINCT ON (run_id) run_id, load_id FROM etl.loads
                WHERE finished_at IS NOT NULL ORDER BY run_id, load_id DESC
            ), kept AS (
                SELECT load_id FROM newest ORDER BY run_id DESC LIMIT $1
            )
            SELECT load_id FROM etl.loads
            WHERE load_id NOT IN (SELECT load_id FROM kept)
              AND load_id NOT IN (SELECT load_id FROM etl.published)
            ORDER BY load_id
            """, [String(keepRuns)], name: "loads past retention")
        var dropped: [Int64] = []
        for row in rows {
            guard let id = try row.int(0).map(Int64.init) else { continue }
            do {
                try drop(loadID: id)
                dropped.append(id)
            } catch let error as PostgresError where error.sqlState == "55P03" {
                continue  // lock_not_available: readers are busy; try again after the next load
            }
        }
        return dropped
    }

    /// Dropping a partition locks its parent exclusively, for milliseconds: readers wait at
    /// most `lock_timeout`, never for the whole drop of a large load.
    private func drop(loadID: Int64) throws {
        try connection.transaction { db in
            try db.execute("SET LOCAL lock_timeout = '2s'", name: "lock timeout")
            for fact in FactFile.allCases {
                try db.execute("DROP TABLE IF EXISTS warehouse.\(LoadStage.partitionName(fact.table, loadID))", name: "drop partition")
            }
            for table in ["warehouse.cohort_stats", "warehouse.notification_stats", "warehouse.closure_stats"] + Self.evaluationTables + ["etl.loads"] {
                _ = try db.execute("DELETE FROM \(table) WHERE load_id = $1", [String(loadID)], name: "forget load")
            }
        }
    }
}
