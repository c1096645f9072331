import Foundation
import Pipeline
import Postgres

/// One run as the ledger knows it: every attempt, every stage of each, the files of its
/// latest extract and its loads. What `etl runs show` prints and `--json` gives.
struct RunRecord: Encodable {
    struct Attempt: Encodable {
        var attemptId: Int64
        var command: String
        var firstStage: String
        var lastStage: String
        var pipeline: String
        var pipelineSha256: String?
        var municipality: String
        var asOf: String
        var windowFrom: String
        var windowTo: String
        var smallCellMinimum: Int
        var programVersion: String
        var host: String?
        var pid: Int?
        var startedAt: String
        var completedAt: String?
        var executionTime: Double?
        var status: String
        var error: String?
    }

    struct StageAttempt: Encodable {
        var attemptId: Int64
        var stage: String
        var startedAt: String
        var completedAt: String?
        var executionTime: Double?
        var status: String
        var error: String?
        var counts: [String: Int]
        var host: String?
        var pid: Int?
    }

    struct File: Encodable {
        var name: String
        var bytes: Int64
        var sha256: String
        var rowsRead: Int
        var accepted: Int
        var rejected: Int
    }

    struct Load: Encodable {
        var loadId: Int64
        var attemptId: Int64?
        var startedAt: String
        var completedAt: String?
        var rowsLoaded: Int?
        var asOf: String
        var windowFrom: String
        var windowTo: String
        var smallCellMinimum: Int
        var pipeline: String
        var published: Bool
    }

    var runId: String
    var municipality: String
    var drop: String
    var dropChecksum: String
    var asOf: String
    var pipeline: String
    /// How the last attempt ended: running, succeeded, failed or dead.
    var status: String
    var error: String?
    var startedAt: String
    var completedAt: String?
    var elapsedTime: Double?
    var rowsRead: Int?
    var rowsRejected: Int?
    var rowsLoaded: Int?
    var published: Bool
    var attempts: [Attempt]
    var stages: [StageAttempt]
    var files: [File]
    var loads: [Load]
}

extension RunRecord {
    /// An ISO 8601 UTC timestamp with milliseconds, from SQL.
    static func timestamp(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }

    /// The newest `limit` runs, newest first (or the one run asked for).
    static func read(_ db: Connection, run: RunID? = nil, limit: Int = 30) throws -> [RunRecord] {
        let ts = timestamp
        let runs = try db.query("""
            SELECT r.run_id, r.municipality, r.drop_path, r.drop_checksum, r.as_of::text, r.pipeline, r.status, r.error,
                   \(ts("r.started_at")), \(ts("r.finished_at")), extract(epoch FROM r.finished_at - r.started_at)::float8,
                   r.rows_read, r.rows_rejected,
                   -- The published load's rows for the published run (not a rerun's that did not reach
                   -- its publish); else a load that committed counts even if its attempt was killed.
                   coalesce((SELECT l.rows_loaded FROM etl.loads l WHERE l.load_id = p.load_id),
                            (SELECT l.rows_loaded FROM etl.loads l WHERE l.run_id = r.run_id AND l.finished_at IS NOT NULL
                             ORDER BY l.load_id DESC LIMIT 1), r.rows_loaded),
                   p.run_id IS NOT NULL
            FROM etl.runs r LEFT JOIN etl.published p USING (run_id)
            WHERE $1::bigint IS NULL OR r.run_id = $1::bigint
            ORDER BY r.run_id DESC LIMIT $2
            """, [run?.description, String(limit)], name: "runs")
        guard !runs.isEmpty else { return [] }
        let ids = "{" + runs.compactMap { $0.string(0) }.joined(separator: ",") + "}"
        var attempts: [String: [Attempt]] = [:], stages: [String: [StageAttempt]] = [:]
        var files: [String: [File]] = [:], loads: [String: [Load]] = [:]
        for r in try db.query("""
            SELECT run_id, attempt_id, command, first_stage, last_stage, pipeline, pipeline_sha256, municipality, as_of::text,
                   window_from::text, window_to::text, small_cell_minimum, program_version, host, pid,
                   \(ts("started_at")), \(ts("finished_at")), extract(epoch FROM finished_at - started_at)::float8, status, error
            FROM etl.attempts WHERE run_id = ANY($1::bigint[]) ORDER BY attempt_id
            """, [ids], name: "attempts") {
            attempts[r.string(0)!, default: []].append(Attempt(
                attemptId: Int64(try r.int(1) ?? 0), command: r.string(2) ?? "", firstStage: r.string(3) ?? "",
                lastStage: r.string(4) ?? "", pipeline: r.string(5) ?? "", pipelineSha256: r.string(6),
                municipality: r.string(7) ?? "", asOf: r.string(8) ?? "", windowFrom: r.string(9) ?? "",
                windowTo: r.string(10) ?? "", smallCellMinimum: try r.int(11) ?? 0, programVersion: r.string(12) ?? "",
                host: r.string(13), pid: try r.int(14), startedAt: r.string(15) ?? "", completedAt: r.string(16),
                executionTime: try r.double(17), status: r.string(18) ?? "", error: r.string(19)))
        }
        for r in try db.query("""
            SELECT s.run_id, s.attempt_id, s.stage, \(ts("s.started_at")), \(ts("s.finished_at")),
                   coalesce(s.seconds, extract(epoch FROM s.finished_at - s.started_at)::float8), s.status, s.error,
                   s.counts::text, a.host, a.pid
            FROM etl.stages s LEFT JOIN etl.attempts a USING (attempt_id)
            WHERE s.run_id = ANY($1::bigint[]) ORDER BY s.stage_attempt_id
            """, [ids], name: "stages") {
            let counts = (try? JSONDecoder().decode([String: Int].self, from: Data((r.string(8) ?? "{}").utf8))) ?? [:]
            stages[r.string(0)!, default: []].append(StageAttempt(
                attemptId: Int64(try r.int(1) ?? 0), stage: r.string(2) ?? "", startedAt: r.string(3) ?? "",
                completedAt: r.string(4), executionTime: try r.double(5), status: r.string(6) ?? "", error: r.string(7),
                counts: counts, host: r.string(9), pid: try r.int(10)))
        }
        for r in try db.query("""
            SELECT run_id, name, bytes, sha256, rows_read, accepted, rejected FROM etl.files
            WHERE run_id = ANY($1::bigint[]) ORDER BY name
            """, [ids], name: "files") {
            files[r.string(0)!, default: []].append(File(
                name: r.string(1) ?? "", bytes: Int64(try r.int(2) ?? 0), sha256: r.string(3) ?? "", rowsRead: try r.int(4) ?? 0,
                accepted: try r.int(5) ?? 0, rejected: try r.int(6) ?? 0))
        }
        for r in try db.query("""
            SELECT l.run_id, l.load_id, l.attempt_id, \(ts("l.started_at")), \(ts("l.finished_at")), l.rows_loaded, l.as_of::text,
                   l.window_from::text, l.window_to::text, l.small_cell_minimum, l.pipeline, p.load_id IS NOT NULL
            FROM etl.loads l LEFT JOIN etl.published p USING (load_id)
            WHERE l.run_id = ANY($1::bigint[]) ORDER BY l.load_id
            """, [ids], name: "loads") {
            loads[r.string(0)!, default: []].append(Load(
                loadId: Int64(try r.int(1) ?? 0), attemptId: try r.int(2).map(Int64.init), startedAt: r.string(3) ?? "",
                completedAt: r.string(4), rowsLoaded: try r.int(5), asOf: r.string(6) ?? "", windowFrom: r.string(7) ?? "",
                windowTo: r.string(8) ?? "", smallCellMinimum: try r.int(9) ?? 0, pipeline: r.string(10) ?? "",
                published: try r.bool(11) ?? false))
        }
        return try runs.map { r in
            let id = r.string(0) ?? ""
            return RunRecord(
                runId: id, municipality: r.string(1) ?? "", drop: r.string(2) ?? "", dropChecksum: r.string(3) ?? "",
                asOf: r.string(4) ?? "", pipeline: r.string(5) ?? "", status: r.string(6) ?? "", error: r.string(7),
                startedAt: r.string(8) ?? "", completedAt: r.string(9), elapsedTime: try r.double(10),
                rowsRead: try r.int(11), rowsRejected: try r.int(12), rowsLoaded: try r.int(13),
                published: try r.bool(14) ?? false, attempts: attempts[id] ?? [], stages: stages[id] ?? [],
                files: files[id] ?? [], loads: loads[id] ?? [])
        }
    }
}
