import Foundation
import Pipeline
import Postgres

/// The run ledger (`etl.runs`, `etl.stages`, `etl.files`): what each run read, did and how it ended.
public struct Ledger {
    public let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    public struct RunStart: Codable, Sendable {
        public var run: RunID
        public var pipeline: String
        public var municipality: String
        public var drop: String
        public var dropChecksum: String
        public var asOf: Day
        public var windowFrom: Day
        public var windowTo: Day
        public var smallCellMinimum: Int
    }

    public func begin(_ r: RunStart) throws {
        _ = try connection.execute("""
            INSERT INTO etl.runs (run_id, pipeline, municipality, drop_path, drop_checksum, as_of, window_from,
                                  window_to, small_cell_minimum, program_version)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (run_id) DO UPDATE SET status = 'running', error = NULL, finished_at = NULL,
                as_of = excluded.as_of, window_from = excluded.window_from, window_to = excluded.window_to,
                small_cell_minimum = excluded.small_cell_minimum, program_version = excluded.program_version
            """, [r.run.description, r.pipeline, r.municipality, r.drop, r.dropChecksum, r.asOf.iso,
                  r.windowFrom.iso, r.windowTo.iso, String(r.smallCellMinimum), ProgramVersion.current],
            name: "begin run")
    }

    public func stageStarted(_ run: RunID, _ stage: Stage) throws {
        _ = try connection.execute("""
            INSERT INTO etl.stages (run_id, stage, started_at, status) VALUES ($1, $2, now(), 'running')
            ON CONFLICT (run_id, stage) DO UPDATE SET started_at = now(), finished_at = NULL, seconds = NULL,
                status = 'running', error = NULL, counts = '{}'
            """, [run.description, stage.rawValue], name: "stage started")
    }

    public func stageFinished(_ run: RunID, _ stage: Stage, seconds: Double, counts: [String: Int], error: String? = nil) throws {
        let json = String(decoding: try JSONEncoder().encode(counts), as: UTF8.self)
        _ = try connection.execute("""
            UPDATE etl.stages SET finished_at = now(), seconds = $3, status = $4, error = $5, counts = $6::jsonb
            WHERE run_id = $1 AND stage = $2
            """, [run.description, stage.rawValue, String(seconds), error == nil ? "succeeded" : "failed", error, json],
            name: "stage finished")
    }

    public func recordFiles(_ run: RunID, _ files: [StageManifest.InputFile]) throws {
        _ = try connection.execute("DELETE FROM etl.files WHERE run_id = $1", [run.description], name: "clear files")
        for f in files {
            _ = try connection.execute("""
                INSERT INTO etl.files (run_id, name, bytes, sha256, rows_read, accepted, rejected)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """, [run.description, f.name, String(f.bytes), f.sha256, String(f.rowsRead), String(f.accepted), String(f.rejected)],
                name: "record file")
        }
    }

    public func finish(_ run: RunID, error: String?, read: Int?, rejected: Int?, loaded: Int?) throws {
        _ = try connection.execute("""
            UPDATE etl.runs SET finished_at = now(), status = $2, error = $3,
                rows_read = coalesce($4::bigint, rows_read), rows_rejected = coalesce($5::bigint, rows_rejected),
                rows_loaded = coalesce($6::bigint, rows_loaded)
            WHERE run_id = $1
            """, [run.description, error == nil ? "succeeded" : "failed", error,
                  read.map(String.init), rejected.map(String.init), loaded.map(String.init)], name: "finish run")
    }

    /// The run that already loaded a drop with these checksums successfully, if any.
    public func runThatLoaded(dropChecksum: String) throws -> RunID? {
        let rows = try connection.query("""
            SELECT run_id FROM etl.runs WHERE drop_checksum = $1 AND status = 'succeeded'
            ORDER BY run_id DESC LIMIT 1
            """, [dropChecksum], name: "drop already loaded")
        return try rows.first?.int(0).map { RunID(rawValue: Int64($0)) }
    }
}
