import Foundation
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

    /// Whether `loadID` is the published load.
    package func isPublished(loadID: Int64) throws -> Bool {
        try !connection.query("SELECT FROM etl.published WHERE load_id = $1", [String(loadID)], name: "is published").isEmpty
    }

    /// Publishes the newest complete load of an earlier, still-kept run.
    @discardableResult
    package func publish(run: RunID) throws -> Int64 {
        try publish(run: run, command: "publish", forced: false)
    }

    @discardableResult
    package func publish(run: RunID, command: String, forced: Bool) throws -> Int64 {
        guard let load = try newestLoad(of: run) else { throw try whyNotLoaded(run) }
        try publish(loadID: load.id, run: run, command: command, forced: forced)
        return load.id
    }

    /// The newest complete load of `run`, and the day its data are of.
    package func newestLoad(of run: RunID) throws -> (id: Int64, asOf: Day)? {
        let rows = try connection.query("""
            SELECT load_id, as_of::text FROM etl.loads
            WHERE run_id = $1 AND finished_at IS NOT NULL
            ORDER BY load_id DESC LIMIT 1
            """, [run.description], name: "find load of run")
        guard let row = rows.first, let id = try row.int(0), let asOf = row.string(1).flatMap({ Day(iso: $0) }) else { return nil }
        return (Int64(id), asOf)
    }

    /// Why `run` has no load to publish: not in the ledger at all (a mistyped id), or not loaded.
    package func whyNotLoaded(_ run: RunID) throws -> LoadError {
        try connection.query("SELECT 1 FROM etl.runs WHERE run_id = $1", [run.description], name: "run exists").isEmpty
            ? .runNotInLedger(run) : .runNotLoaded(run, next: nil)
    }

    /// The published run, when publishing `run`, whose data are of `asOf`, would put older
    /// figures in its place: its data are of a later day, or of the same day and it started
    /// later. (A run's id is when it started, so a drop of an earlier day run today has the
    /// newest id: the day its data are of is what analysts read as newer.)
    package func publishedRun(newerThan run: RunID, asOf: Day) throws -> PublishedRun? {
        guard let published = try publishedRun(), published.run != run,
              (published.asOf, published.run.rawValue) > (asOf, run.rawValue) else { return nil }
        return published
    }

    /// The published run and the day its data are of, if any.
    package func publishedRun() throws -> PublishedRun? {
        let rows = try connection.query("""
            SELECT p.run_id, l.as_of::text FROM etl.published p JOIN etl.loads l USING (load_id)
            """, name: "published run")
        guard let row = rows.first, let id = try row.int(0), let asOf = row.string(1).flatMap({ Day(iso: $0) }) else { return nil }
        return PublishedRun(run: RunID(rawValue: Int64(id)), asOf: asOf)
    }

    /// Drops every load except the newest complete load of each of the newest `keepRuns`
    /// loaded runs, and never the published one. Each load goes in one short transaction;
    /// one that cannot get its locks within a moment (a long analyst query) is left for the
    /// next run. So is every load a view can still read (one that was published, or the
    /// newest complete load of its run, which `SET etl.run` reads) while another session
    /// holds a snapshot that may predate the publish, after waiting `readersWait` for them:
    /// a dropped partition is gone from the catalog at once, so a transaction of an analyst
    /// that still read the run before found the old run's partitioned facts empty while its
    /// other figures stayed (a reviewer's REPEATABLE READ trial).
    @discardableResult
    package func dropOldLoads(keepRuns: Int, readersWait: Duration = .seconds(10)) throws -> Retention {
        let rows = try connection.query("""
            WITH newest AS (
                SELECT DISTINCT ON (run_id) run_id, load_id FROM etl.loads
                WHERE finished_at IS NOT NULL ORDER BY run_id, load_id DESC
            ), kept AS (
                SELECT load_id FROM newest ORDER BY run_id DESC LIMIT $1
            )
            SELECT l.load_id,
                   l.load_id IN (SELECT load_id FROM newest) OR l.load_id IN (SELECT load_id FROM etl.publications)
            FROM etl.loads l
            WHERE l.load_id NOT IN (SELECT load_id FROM kept)
              AND l.load_id NOT IN (SELECT load_id FROM etl.published)
            ORDER BY l.load_id
            """, [String(keepRuns)], name: "loads past retention")
        var retention = Retention()
        let loads = try rows.compactMap { row in try row.int(0).map { (id: Int64($0), readable: try row.bool(1) ?? true) } }
        if loads.contains(where: \.readable) {
            let deadline = ContinuousClock.now + readersWait
            retention.readers = try readersFromBeforeThePublish()
            while !retention.readers.isEmpty, ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.5)
                retention.readers = try readersFromBeforeThePublish()
            }
        }
        for load in loads {
            guard retention.readers.isEmpty || !load.readable else {
                retention.left.append(load.id)
                continue
            }
            do {
                try drop(loadID: load.id)
                retention.dropped.append(load.id)
            } catch let error as PostgresError where error.sqlState == "55P03" {
                retention.left.append(load.id)   // lock_not_available: readers are busy; try again after the next load
            }
        }
        return retention
    }

    /// Other sessions of this database whose snapshot may predate the publish: its xmin is no
    /// newer than the publishing transaction's (the xmin of `etl.published`'s row). The
    /// horizon is the server's, so a long transaction in another database makes a later
    /// snapshot look old too: then loads are left a night more than needed, never dropped
    /// too soon. Background processes (no user) hold none that reads the views.
    private func readersFromBeforeThePublish() throws -> [Int32] {
        try connection.query("""
            SELECT a.pid FROM pg_stat_activity a, etl.published p
            WHERE a.pid <> pg_backend_pid() AND a.datname = current_database() AND a.usesysid IS NOT NULL
              AND a.backend_xmin IS NOT NULL AND age(a.backend_xmin) >= age(p.xmin)
            ORDER BY a.pid
            """, name: "readers from before the publish").compactMap { try $0.int(0).map(Int32.init) }
    }

    /// The evaluation's per-load tables (the panel is a fact partition, dropped with the others).
    static let evaluationTables = ["warehouse.did_estimations", "warehouse.did_group_time_effects",
                                   "warehouse.did_aggregations", "warehouse.evaluation_left_out"]

    /// Dropping a partition locks its parent exclusively, for milliseconds: readers wait at
    /// most `lock_timeout`, never for the whole drop of a large load.
    private func drop(loadID: Int64) throws {
        try connection.transaction { db in
            try db.execute("SET LOCAL lock_timeout = '2s'", name: "lock timeout")
            for fact in FactFile.allCases {
                try db.execute("DROP TABLE IF EXISTS warehouse.\(LoadStage.partitionName(fact.table, loadID))", name: "drop partition")
            }
            for table in StatsFile.allCases.map({ "warehouse.\($0.table)" }) + Self.evaluationTables + ["etl.loads"] {
                _ = try db.execute("DELETE FROM \(table) WHERE load_id = $1", [String(loadID)], name: "forget load")
            }
        }
    }
}

/// What retention did: the loads dropped, and those left for the next run.
package struct Retention: Sendable, Equatable {
    package var dropped: [Int64] = []
    package var left: [Int64] = []
    /// The sessions whose snapshot may predate the publish, for which the loads a view can read were left.
    package var readers: [Int32] = []
}

/// The published run, and the day its data are of.
package struct PublishedRun: Sendable, Equatable {
    package var run: RunID
    package var asOf: Day

    package init(run: RunID, asOf: Day) { self.run = run; self.asOf = asOf }
}
