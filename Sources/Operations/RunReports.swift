import Foundation
import Pipeline
import Postgres

/// What `etl runs`, `etl runs show` and `etl rejects` print, from the ledger and the run folders.
public struct RunReports {
    public let connection: Connection
    public let state: StateLayout

    public init(connection: Connection, state: StateLayout) { self.connection = connection; self.state = state }

    public func list(limit: Int = 30) throws -> String {
        let rows = try connection.query("""
            SELECT r.run_id, r.drop_path, to_char(r.started_at, 'YYYY-MM-DD HH24:MI:SS'),
                   coalesce(round(extract(epoch FROM r.finished_at - r.started_at)::numeric, 1)::text, '-'),
                   r.status, coalesce(r.rows_read::text, '-'), coalesce(r.rows_rejected::text, '-'),
                   coalesce(r.rows_loaded::text, '-'), CASE WHEN p.run_id IS NOT NULL THEN '*' ELSE '' END
            FROM etl.runs r LEFT JOIN etl.published p USING (run_id)
            ORDER BY r.run_id DESC LIMIT $1
            """, [String(limit)], name: "list runs")
        let header = ["run", "drop", "started (UTC)", "seconds", "status", "read", "rejected", "loaded", "published"]
        return Table.render(header: header, rows: rows.map { row in
            (0..<9).map { i in i == 1 ? URL(fileURLWithPath: row.string(1) ?? "").lastPathComponent : row.string(i) ?? "" }
        })
    }

    public func show(_ run: RunID) throws -> String {
        let runs = try connection.query("""
            SELECT pipeline, drop_path, drop_checksum, as_of, window_from, window_to, status, coalesce(error, ''),
                   started_at, finished_at, program_version
            FROM etl.runs WHERE run_id = $1
            """, [run.description], name: "show run")
        guard let r = runs.first else { throw OperationsError.unknownRun(run.description) }
        var out = "run \(run)\n"
        let labels = ["pipeline", "drop", "drop checksum", "as of", "window from", "window to", "status", "error",
                      "started", "finished", "program"]
        for (i, label) in labels.enumerated() where !(r.string(i) ?? "").isEmpty {
            out += "  \(label.padding(toLength: 14, withPad: " ", startingAt: 0)) \(r.string(i) ?? "")\n"
        }
        let stages = try connection.query("""
            SELECT stage, status, coalesce(round(seconds::numeric, 2)::text, '-'), coalesce(error, ''), counts::text
            FROM etl.stages WHERE run_id = $1 ORDER BY array_position(ARRAY['extract','transform','load'], stage)
            """, [run.description], name: "show stages")
        out += "\nstages\n" + Table.render(header: ["stage", "status", "seconds", "error", "counts"],
                                          rows: stages.map { row in (0..<5).map { row.string($0) ?? "" } })
        let files = try connection.query("""
            SELECT name, bytes::text, sha256, rows_read::text, accepted::text, rejected::text
            FROM etl.files WHERE run_id = $1 ORDER BY name
            """, [run.description], name: "show files")
        out += "\nfiles\n" + Table.render(header: ["file", "bytes", "sha256", "read", "accepted", "rejected"],
                                         rows: files.map { row in (0..<6).map { row.string($0) ?? "" } })
        var byReason: [String: Int] = [:]
        for reject in try rejects(run) { byReason["\(reject.file)\t\(reject.reason.rawValue)", default: 0] += 1 }
        out += "\nrejects by reason\n" + Table.render(header: ["file", "reason", "records"], rows: byReason.sorted { $0.key < $1.key }.map {
            let parts = $0.key.split(separator: "\t").map(String.init)
            return [parts[0], parts[1], String($0.value)]
        })
        return out
    }

    /// A run's rejects, masked as extract wrote them, from the run folder (so the rejects of
    /// a run that stopped before load can be seen too).
    public func rejects(_ run: RunID, file: String? = nil, reason: String? = nil) throws -> [RejectRecord] {
        let path = state.run(run).file(.extract, StageFile.rejects)
        guard FileManager.default.fileExists(atPath: path) else { throw OperationsError.stageMissing(run: run, stage: .extract) }
        return try CopyTextReader.readAll(path, RejectRecord.init(fields:path:line:)).filter {
            (file == nil || $0.file == file) && (reason == nil || $0.reason.rawValue == reason)
        }
    }
}

/// A plain text table, columns padded.
public enum Table {
    public static func render(header: [String], rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}
