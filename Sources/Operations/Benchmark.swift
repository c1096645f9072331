import Foundation
import Load
import Logging
import Pipeline
import Postgres

/// `etl bench`: the nightly run at a municipality's scale, stage by stage, on the embedded
/// server, with the load compared against `psql \copy` of the same files into the same tables.
package struct Benchmark {
    package enum Scale: String, CaseIterable, Sendable {
        case copenhagen, national

        package var children: Int { self == .copenhagen ? 100_000 : 1_000_000 }
        package var institutions: Int { self == .copenhagen ? 500 : 5_000 }
    }

    package var state: StateLayout
    package var logger: Logger

    package init(state: StateLayout, logger: Logger) { self.state = state; self.logger = logger }

    package func run(_ scale: Scale) throws -> String {
        let config = try PipelineConfig.load(path: try ShippedFiles.pipeline("copenhagen"))
        try StateDirectory.checkBeforeMaking(state.root.path)   // the drop is made in it first
        let drop = state.root.appendingPathComponent("bench/\(scale.rawValue)/2026-11-21", isDirectory: true)
        if !FileManager.default.fileExists(atPath: drop.appendingPathComponent("MANIFEST").path) {
            try? FileManager.default.removeItem(at: drop)   // what a stopped generation left (its MANIFEST is written last)
            // In a child process, so the generator's memory is not counted as the pipeline's.
            try runTool(["generate", "--out", drop.path, "--children", "\(scale.children)",
                         "--institutions", "\(scale.institutions)", "--seed", "1"])
        }
        let target = WarehouseTarget(url: nil, state: state)
        let db = try target.connect(logger: logger)  // the server is started before the clock runs
        let runner = PipelineRunner(config: config, state: state, target: target, logger: logger)
        let summary = try runner.runNew(drop: drop, inbox: nil, force: true, asOf: nil)

        let stages = try db.query("""
            SELECT stage, seconds, counts::text FROM etl.stages WHERE run_id = $1
            ORDER BY array_position(ARRAY['extract','transform','load'], stage)
            """, [summary.run.description])
        let inputBytes = try StageManifest.read(from: state.run(summary.run).manifest(.extract)).inputs.reduce(0) { $0 + $1.bytes }
        let transformManifest = try StageManifest.read(from: state.run(summary.run).manifest(.transform))
        let factBytes = transformManifest.outputs.reduce(0) { $0 + $1.bytes }
        let factRows = transformManifest.outputs.reduce(0) { $0 + $1.rows }
        let loadCounts = try JSONSerialization.jsonObject(with: Data((stages.last?.string(2) ?? "{}").utf8)) as? [String: Any] ?? [:]
        let copySeconds = (loadCounts["copy_ms"] as? Int).map { Double($0) / 1000 } ?? 0
        // The load to the publish's commit, as drop → published ends there (the stage goes on
        // with the retention of old loads).
        let loadStarted = try db.query("SELECT extract(epoch FROM started_at)::float8 FROM etl.stages WHERE run_id = $1 AND stage = 'load'",
                                       [summary.run.description]).first?.double(0)
        let loadSeconds = try summary.publishedAt.flatMap { p in loadStarted.map { p.timeIntervalSince1970 - $0 } }
            ?? stages.last?.double(1) ?? 0
        let evaluationSeconds = (loadCounts["evaluation_ms"] as? Int).map { Double($0) / 1000 } ?? 0
        // `\copy` on one connection (the bound issue 17 set), then on as many as the load uses.
        let connections = LoadStage(connection: db).connections
        let psqlOne = try psqlCopy(db, run: state.run(summary.run), target: target, connections: 1)
        let psqlSeconds = try psqlCopy(db, run: state.run(summary.run), target: target, connections: connections)
        // The publish transaction, as the run ends with it (the same load again: nothing changes).
        let published = Date()
        try Publisher(connection: db).publish(run: summary.run, command: "bench", forced: false)
        let publish = Date().timeIntervalSince(published)
        let (boundOne, bound) = (psqlOne + publish, psqlSeconds + publish)

        var rows: [[String]] = []
        for stage in stages {
            let name = stage.string(0) ?? ""
            let seconds = try stage.double(1) ?? 0
            let (records, bytes): (Int, Int64) = switch name {
            case "extract": (summary.rowsRead, inputBytes)
            default: (factRows, factBytes)
            }
            rows.append([name, String(format: "%.2f", seconds), String(format: "%.0f", Double(records) / seconds),
                         String(format: "%.1f", Double(bytes) / 1e6 / seconds)])
        }
        var out = "\(scale.rawValue): \(scale.children) children, \(String(format: "%.0f", Double(inputBytes) / 1e6)) MB of exports, "
            + "\(summary.rowsRead) records read, \(factRows) fact rows\n"
        out += Table.render(header: ["stage", "seconds", "rows/s", "MB/s"], rows: rows)
        // Drop to published ends at the publish's commit; the retention and the committee's report come after it.
        out += String(format: "drop to published: %.2f s; whole run (with retention and the report after the publish): %.2f s; "
                      + "peak RSS %.0f MiB\n", summary.secondsToPublished ?? summary.seconds, summary.seconds, Self.peakRSSMiB())
        out += String(format: "load COPY %.2f s on %d connections; psql \\copy of the same files on one %.2f s, on %d at once %.2f s\n",
                      copySeconds, connections, psqlOne, connections, psqlSeconds)
        out += String(format: "load to its publish %.2f s; COPY-only bound (psql \\copy + the publish transaction): on one connection "
                      + "%.2f s, load / bound %.2f; on %d %.2f s, load / bound %.2f, drop to published / bound %.2f\n",
                      loadSeconds, boundOne, loadSeconds / boundOne, connections, bound, loadSeconds / bound,
                      (summary.secondsToPublished ?? summary.seconds) / bound)
        out += String(format: "evaluation in the load (read the panel file and six estimates, beside the COPY; their COPY and ANALYZE): %.3f s\n", evaluationSeconds)
        let views = try db.query("SELECT table_name FROM information_schema.views WHERE table_schema = 'metrics' ORDER BY 1")
        var slowest = (name: "", rows: 0, seconds: 0.0)
        for view in views.compactMap({ $0.string(0) }) {
            let t0 = Date()
            let rows = try db.query("SELECT * FROM metrics.\(view)").count
            let seconds = Date().timeIntervalSince(t0)
            if seconds > slowest.seconds { slowest = (view, rows, seconds) }
        }
        out += String(format: "metrics views: %d, the slowest (%@, all its %d rows) answered in %.0f ms\n",
                      views.count, slowest.name, slowest.rows, slowest.seconds * 1000)
        return out
    }

    /// Times `psql -c '\copy …'` of every fact file into fresh tables shaped like the
    /// warehouse's, created in the same transaction as the copy, over `connections` `psql`
    /// processes at once (the files split by size, biggest first).
    private func psqlCopy(_ db: Connection, run: RunFolder, target: WarehouseTarget, connections: Int) throws -> Double {
        try db.execute("DROP SCHEMA IF EXISTS bench_copy CASCADE; CREATE SCHEMA bench_copy")
        defer { try? db.execute("DROP SCHEMA IF EXISTS bench_copy CASCADE") }
        var groups = Array(repeating: (bytes: Int64(0), commands: ["BEGIN"]), count: connections)
        let tables = try (FactFile.allCases.map(\.table) + StatsFile.allCases.map(\.table)).map { table in
            (table, try FileManager.default.attributesOfItem(atPath: run.file(.transform, table + ".tsv"))[.size] as? Int64 ?? 0)
        }
        for (table, bytes) in tables.sorted(by: { $0.1 > $1.1 }) {
            let columns = try db.query("""
                SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) FROM information_schema.columns
                WHERE table_schema = 'warehouse' AND table_name = $1 AND column_name <> 'load_id'
                """, [table]).first?.string(0) ?? ""
            let k = groups.indices.min { groups[$0].bytes < groups[$1].bytes }!
            groups[k].bytes += bytes
            groups[k].commands.append("CREATE TABLE bench_copy.\(table) (LIKE warehouse.\(table)); "
                                      + "ALTER TABLE bench_copy.\(table) ALTER COLUMN load_id SET DEFAULT 0")
            groups[k].commands.append("\\copy bench_copy.\(table) (\(columns)) FROM '\(run.file(.transform, table + ".tsv"))'")
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let psql = ["/usr/bin/psql"] + versions.sorted().reversed().map { "/usr/lib/postgresql/\($0)/bin/psql" }
        guard let binary = psql.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw OperationsError.io(path: "psql", message: "psql not found (apt-get install postgresql-client)")
        }
        let started = Date()
        try Self.spawn(binary, groups.filter { $0.commands.count > 1 }.map { group in
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", target.psqlURL] + (group.commands + ["COMMIT"]).flatMap { ["-c", $0] }
        })
        return Date().timeIntervalSince(started)
    }

    private func runTool(_ arguments: [String]) throws {
        try Self.spawn(SchemaFiles.ownBinary ?? "/proc/self/exe", [arguments])
    }

    /// Runs `tool` once per argument list, all at once, and waits for every one.
    static func spawn(_ tool: String, _ argumentLists: [[String]]) throws {
        let processes = try argumentLists.map { arguments in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
            try process.run()
            return process
        }
        for process in processes {
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw OperationsError.io(path: tool, message: "exited with status \(process.terminationStatus)")
            }
        }
    }

    static func peakRSSMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
