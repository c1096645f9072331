import Foundation
import Testing
import TestSupport
import Pipeline
import Postgres

/// A warehouse that ran before attempts were kept (migrations up to 009) is upgraded with
/// its history: each run an attempt, each load its settings, rejects and files, the
/// published run its publication, the warehouse its municipality.
@Suite struct LedgerMigrationTests {
    @Test func aWarehouseWithRunsIsUpgradedWithItsHistory() throws {
        let db = try TestServer.freshDatabase()
        let connection = try db.connect()
        // The schema as it was: the numbered files before 020, no views.
        let old = try TestServer.temporaryDirectory()
        for name in try FileManager.default.contentsOfDirectory(atPath: FactFixture.sqlDirectory)
        where name.hasSuffix(".sql") && Int(name.prefix(3)).map({ $0 < 20 }) == true {
            try FileManager.default.copyItem(atPath: FactFixture.sqlDirectory + "/" + name, toPath: old + "/" + name)
        }
        _ = try Migrator(directory: old).migrate(connection)
        try connection.execute("""
            INSERT INTO etl.runs (run_id, pipeline, municipality, drop_path, drop_checksum, as_of, window_from, window_to,
                                  small_cell_minimum, program_version, status, finished_at)
            VALUES (20261120023000, 'pipelines/copenhagen.yaml', 'København', '/in/2026-11-20', 'a', '2026-11-20', '2012-01-01',
                    '2026-11-20', 5, '0.1.0', 'succeeded', now()),
                   (20261121023000, 'pipelines/copenhagen.yaml', 'København', '/in/2026-11-21', 'b', '2026-11-21', '2015-01-01',
                    '2026-11-21', 7, '0.1.0', 'failed', now());
            INSERT INTO etl.stages (run_id, stage, started_at, status) VALUES
                (20261120023000, 'extract', now(), 'succeeded'), (20261120023000, 'load', now(), 'succeeded'),
                (20261121023000, 'extract', now(), 'failed');
            INSERT INTO etl.files (run_id, name, bytes, sha256, rows_read, accepted, rejected)
                VALUES (20261120023000, 'indmeldelser.csv', 10, 'x', 100, 98, 2);
            INSERT INTO etl.loads (run_id, finished_at, rows_loaded) VALUES (20261120023000, now(), 1000);
            INSERT INTO etl.rejects (run_id, file, line, field, reason, message) VALUES
                (20261120023000, 'indmeldelser.csv', 3, 'cpr', 'invalid_cpr', '(not a CPR number)'),
                (20261120023000, 'indmeldelser.csv', 9, 'cpr', 'invalid_cpr', '(not a CPR number)');
            INSERT INTO etl.published (load_id, run_id) SELECT load_id, run_id FROM etl.loads;
            """)

        let applied = try Migrator(directory: FactFixture.sqlDirectory).migrate(connection)
        #expect(applied.contains { $0.version == 20 })
        func rows(_ sql: String) throws -> [[String?]] { try connection.query(sql).map(\.values) }
        #expect(try rows("SELECT municipality, demo::text, first_run::text FROM etl.warehouse") == [["København", "false", "20261120023000"]])
        #expect(try rows("SELECT run_id::text, status, window_from::text, small_cell_minimum::text FROM etl.attempts ORDER BY run_id")
                == [["20261120023000", "succeeded", "2012-01-01", "5"], ["20261121023000", "failed", "2015-01-01", "7"]])
        #expect(try rows("SELECT count(*) FROM etl.stages WHERE attempt_id IS NULL") == [["0"]])
        #expect(try rows("SELECT load_id IS NOT NULL FROM etl.rejects") == [["t"], ["t"]])
        #expect(try rows("SELECT name, rows_read::text, rejected::text FROM etl.load_files") == [["indmeldelser.csv", "100", "2"]])
        #expect(try rows("SELECT run_id::text FROM etl.publications") == [["20261120023000"]])
        #expect(try rows("SELECT run_id::text, municipality, as_of::text, window_from::text, small_cell_minimum::text FROM metrics.published_run")
                == [["20261120023000", "København", "2026-11-20", "2012-01-01", "5"]])
        #expect(try rows("SELECT subject, reason, records::text FROM warehouse.data_quality WHERE category = 'rejected'")
                == [["indmeldelser.csv", "invalid_cpr", "2"]])
    }
}
