import Foundation
import Testing
import TestSupport
@testable import Load
import Pipeline
import Postgres

/// A load keeps what analysts see of it — settings, rejects, file counts — so a load that is
/// not published changes nothing in `metrics`, and publishing switches all of it at once.
@Suite struct LoadSettingsTests {
    /// Writes run `run`'s extract side anew: `rejects` invalid CPRs in indmeldelser.csv, and
    /// an extract manifest with its file counts and a merged-rows count.
    static func writeExtract(_ run: RunFolder, rejects: Int) throws {
        let writer = try ReferenceStageWriter(path: run.file(.extract, StageFile.rejects))
        for i in 0..<rejects {
            try RejectRecord(file: "indmeldelser.csv", line: 100 + i, field: "cpr", reason: .invalidCPR, message: "(not a CPR number)")
                .write(to: writer)
        }
        try writer.close()
        try StageManifest(stage: .extract, run: run.id, startedAt: Date(), seconds: 0,
                          inputs: [.init(name: "indmeldelser.csv", bytes: 10, checksum: .sha256("ab"), rowsRead: 1000 + rejects,
                                         accepted: 1000, rejected: rejects)],
                          counts: ["rejected": rejects, "institutioner.xml.merged_address": 7])
            .write(to: run.manifest(.extract))
    }

    @Test func aLoadIsSeenOnlyOnceItIsPublishedWithItsOwnSettingsRejectsAndCounts() throws {
        let h = try LoadHarness()
        let run = h.state.run(RunID(rawValue: 20_250_101_000_000_000))
        try FactFixture.write(into: run)
        try FactFixture.register(run.id, on: h.connection)
        try Self.writeExtract(run, rejects: 6)
        let first = try LoadStage(connection: h.connection).load(run)
        let publisher = Publisher(connection: h.connection)
        try publisher.publish(loadID: first.loadID, run: run.id)
        let before = try h.connection.metricsViews()
        #expect(before["published_run"]?.first?[6] == "5")
        #expect(before["data_quality"]?.contains { $0[1] == "extract" && $0[2] == "institutioner.xml" && $0[3] == "merged_address" && $0[4] == "7" } == true,
                "\(before["data_quality"] ?? [])")
        #expect(before["data_quality"]?.contains { $0 == [run.id.description, "file", "indmeldelser.csv", "rejected", "6"] } == true)

        // The same run again, as a rerun with another pipeline file would load it: another
        // window and small-cell minimum, other rejects. Loaded, not published: nothing moves.
        try Self.writeExtract(run, rejects: 9)
        let other = LoadSettings(municipality: "Test", asOf: Day(iso: "2022-01-01")!, windowFrom: Day(iso: "2020-06-01")!,
                                 windowTo: Day(iso: "2021-06-30")!, smallCellMinimum: 10, pipeline: "/p2.yaml")
        let second = try LoadStage(connection: h.connection).load(run, settings: other)
        let unpublished = try h.connection.metricsViews()
        #expect(changedViews(from: before, to: unpublished) == "")
        // Nor for a session that names the published run (`etl report --run`), nor for the
        // national feed, whatever run a session names: a rerun killed before its publish
        // leaves such a load for good.
        try h.connection.execute("SET etl.run = '\(run.id)'")
        let named = try h.connection.metricsViews()
        #expect(changedViews(from: before, to: named) == "")
        #expect(try h.connection.query("SELECT load_id FROM national_feed.published_load").first?.int(0) == Int(first.loadID))
        try h.connection.execute("RESET etl.run")

        try publisher.publish(loadID: second.loadID, run: run.id)
        let after = try h.connection.metricsViews()
        #expect(after["published_run"]?.first.map { Array($0[3...6]) } == ["2022-01-01", "2020-06-01", "2021-06-30", "10"])
        #expect(after["data_quality"]?.contains { $0 == [run.id.description, "file", "indmeldelser.csv", "rejected", nil] } == true,
                "9 rejects: a small cell under the new minimum")
        #expect(try h.connection.query("SELECT records FROM warehouse.data_quality WHERE category = 'rejected'").first?.int(0) == 9)
        // Every figure from 1 to 9 is now hidden (minimum 10): the treatment cohort's detected (6) too.
        let treatment = try #require(after["cohort_summary"]?.first { $0[1] == "treatment" })
        #expect(treatment[4] == nil)
        #expect(before["cohort_summary"]?.first { $0[1] == "treatment" }?[4] == "6")
        #expect(try h.connection.query("SELECT count(*) FROM etl.publications").first?.int(0) == 2)

        // Putting the first load back restores every view exactly (published_at aside).
        try publisher.publish(loadID: first.loadID, run: run.id)
        var restored = try h.connection.metricsViews()
        var expected = before
        for key in ["published_run"] { restored[key] = restored[key]?.map { Array($0.dropFirst(2)) }; expected[key] = expected[key]?.map { Array($0.dropFirst(2)) } }
        #expect(restored == expected)

        // Retention drops the load not published, and its rejects and file counts with it.
        #expect(try publisher.dropOldLoads(keepRuns: 0).dropped == [second.loadID])
        #expect(try h.connection.query("SELECT DISTINCT load_id FROM etl.rejects").map { try $0.int(0) } == [Int(first.loadID)])
        #expect(try h.connection.query("SELECT DISTINCT load_id FROM etl.load_files").map { try $0.int(0) } == [Int(first.loadID)])
    }

    /// `SET etl.run` reads a kept run's load; naming a run without one is an error, for an
    /// analyst too (empty views would read as "no data").
    @Test func etlRunNamingARunWithoutALoadIsAnError() throws {
        let h = try LoadHarness()
        let run = h.state.run(RunID(rawValue: 20_250_101_000_000_000))
        try FactFixture.write(into: run)
        try FactFixture.register(run.id, on: h.connection)
        let load = try LoadStage(connection: h.connection).load(run)
        try Publisher(connection: h.connection).publish(loadID: load.loadID, run: run.id)
        let db = h.connection
        try db.execute("SET ROLE etl_analyst")
        defer { try? db.execute("RESET ROLE; RESET etl.run") }
        try db.execute("SET etl.run = '\(run.id)'")
        #expect(try db.query("SELECT run_id FROM metrics.published_run").first?.string(0) == run.id.description)
        try db.execute("SET etl.run = '20200101000000000'")
        let error = #expect(throws: PostgresError.self) { try db.query("SELECT * FROM metrics.cohort_summary") }
        #expect(error?.message.contains("etl.run = 20200101000000000: that run has no complete load") == true, "\(String(describing: error))")
        // Not a run id at all: said so, not a cast's error from inside the function.
        try db.execute("SET etl.run = 'abc'")
        let typo = #expect(throws: PostgresError.self) { try db.query("SELECT * FROM metrics.cohort_summary") }
        #expect(typo?.message == "etl.run is not a run id (17 digits, or 14 for runs of older versions, as the steward's `etl runs` lists them)", "\(String(describing: typo))")
        try db.execute("RESET etl.run")
        #expect(try db.query("SELECT run_id FROM metrics.published_run").first?.string(0) == run.id.description)
    }

    /// A load no one published (a killed night's, a trial's) read with `SET etl.run` hides no
    /// less than the published load: an adversarial review read counts of 1 to 4 in one
    /// loaded with a minimum of 1.
    @Test func anUnpublishedLoadHidesNoLessThanThePublishedOne() throws {
        let h = try LoadHarness()
        let published = h.state.run(RunID(rawValue: 20_250_101_000_000_000))
        let trial = h.state.run(RunID(rawValue: 20_250_102_000_000_000))
        for run in [published, trial] {
            try FactFixture.write(into: run)
            try FactFixture.register(run.id, on: h.connection)
        }
        let loose = LoadSettings(municipality: "Test", asOf: Day(iso: "2022-01-01")!, windowFrom: Day(iso: "2020-01-01")!,
                                 windowTo: Day(iso: "2021-12-31")!, smallCellMinimum: 1, pipeline: "/trial.yaml")
        _ = try LoadStage(connection: h.connection).load(trial, settings: loose)
        let db = h.connection
        defer { try? db.execute("RESET ROLE; RESET etl.run") }
        func readsAsAnAnalyst() throws {
            try db.execute("SET ROLE etl_analyst; SET etl.run = '\(trial.id)'")
            defer { try? db.execute("RESET ROLE; RESET etl.run") }
            #expect(try db.query("SELECT run_id, small_cell_minimum FROM metrics.published_run").first?.values == [trial.id.description, "5"])
            // The treatment cohort's 3 measured: hidden under 5, not shown under the trial's 1.
            #expect(try db.query("SELECT measured FROM metrics.cohort_summary WHERE cohort = 'treatment'").first?.string(0) == nil)
        }
        try readsAsAnAnalyst()   // nothing published yet: metrics.md's 5 (a re-test read 1 to 4 so)
        let load = try LoadStage(connection: h.connection).load(published)
        try Publisher(connection: h.connection).publish(loadID: load.loadID, run: published.id)
        try readsAsAnAnalyst()   // the published load's 5
    }

    @Test func aBackendTerminatedMidCopyIsAConnectionError() throws {
        let db = try TestServer.freshDatabase()
        let connection = try db.connect()
        try connection.execute("CREATE TABLE t (x text)")
        let pid = try #require(try connection.query("SELECT pg_backend_pid()").first?.int(0))
        let killer = try db.connect()
        let line = String(repeating: "x", count: 1000) + "\n"
        let error = #expect(throws: PostgresError.self) {
            try connection.copyIn("COPY t FROM STDIN", name: "copy t") { writer in
                for i in 0..<4000 {
                    try writer.write(line)
                    if i == 1000 {
                        _ = try killer.query("SELECT pg_terminate_backend(\(pid))")
                        Thread.sleep(forTimeInterval: 0.2)
                    }
                }
            }
        }
        #expect(error?.kind == .connection, "\(String(describing: error))")
        // And a statement on the dead session.
        let next = #expect(throws: PostgresError.self) { try connection.query("SELECT 1") }
        #expect(next?.kind == .connection)
    }

    @Test func aBackendTerminatedBetweenStatementsIsAConnectionError() throws {
        let db = try TestServer.freshDatabase()
        let connection = try db.connect()
        let pid = try #require(try connection.query("SELECT pg_backend_pid()").first?.int(0))
        _ = try db.connect().query("SELECT pg_terminate_backend(\(pid))")
        Thread.sleep(forTimeInterval: 0.2)
        let error = #expect(throws: PostgresError.self) { try connection.query("SELECT 1", name: "after termination") }
        #expect(error?.kind == .connection, "\(String(describing: error))")
    }
}
