import Foundation
import Logging
import Operations
import Pipeline
import Postgres
import SyntheticDrop
import Testing
import TestSupport
import National

/// The national run over 98 simulated municipalities: 98 warehouses (small synthetic drops,
/// each run through the pipeline) in databases spread over five embedded servers listening
/// on loopback ports (20 a server: the feed role's connection limit), and a coordinator on a
/// sixth. Off unless asked for (release build):
///
///     NATIONAL_BENCH=5 swift test -c release --filter NationalTests.NationalBenchmark
///
/// Times `sync` once and `publish` NATIONAL_BENCH times (median, min, max, and per step), and
/// prints the query plans of the pulls (EXPLAIN VERBOSE: the Remote SQL of each partition).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["NATIONAL_BENCH"] != nil,
                "set NATIONAL_BENCH=<publish runs> to time the national run over 98 municipalities"))
struct NationalBenchmark {
    static let municipalities = Int(ProcessInfo.processInfo.environment["NATIONAL_BENCH_MUNICIPALITIES"] ?? "") ?? 98
    static let servers = 5
    static let children = 600

    @Test func nationalRunOver98Municipalities() throws {
        let runs = Int(ProcessInfo.processInfo.environment["NATIONAL_BENCH"] ?? "") ?? 5
        var quiet = Logger(label: "bench")
        quiet.logLevel = .error
        let root = try TestServer.temporaryDirectory()
        guard chmod(root, 0o711) == 0 else { throw Failure("chmod \(root)") }

        // Five servers, each with a fifth of the warehouses, reachable over TCP by the feed role.
        var servers: [(server: EmbeddedServer, port: Int)] = []
        for _ in 0..<Self.servers {
            let server = try TestServer.privateServer()
            let port = try freeLoopbackPort()
            try server.start(listen: .on(TCPAddress(host: "127.0.0.1", port: port)))
            servers.append((server, port))
        }
        let password = "bench-feed-password-0123456789"
        let template = try String(contentsOf: ETL.repo.appendingPathComponent("pipelines/copenhagen.yaml"), encoding: .utf8)
        var yaml = "evaluation:\n  period: quarter\nmunicipalities:\n"
        var children = 0
        let setupStarted = Date()
        for k in 0..<Self.municipalities {
            let (server, port) = servers[k % Self.servers]
            let database = String(format: "m%03d", k)
            let name = String(format: "Kommune %03d", k)
            let code = String(101 + k)
            try server.createDatabase(database)
            let from = Day(year: 2012 + k % 3, month: 1, day: 1)!
            let asOf = Day(year: 2026, month: 11, day: 21 - k % 5)!
            let dir = "\(root)/\(database)"
            let size = Self.children + 97 * (k % 7)
            children += size
            _ = try DropGenerator(.init(children: size, seed: UInt64(1000 + k), asOf: asOf, windowFrom: from,
                                        variant: k % 4 == 3 ? .other : .copenhagen))
                .write(to: URL(fileURLWithPath: "\(dir)/inbox/\(asOf.iso)"))
            var text = Federation.municipalPipeline(template, name: name, from: from)
            text = text.replacingOccurrences(of: "  period: year", with: "  period: quarter")
            if k % 4 == 3 {
                let other = try String(contentsOf: ETL.repo.appendingPathComponent("pipelines/other.yaml"), encoding: .utf8)
                text = Federation.municipalPipeline(other, name: name, from: from).replacingOccurrences(of: "  period: year", with: "  period: quarter")
            }
            let pipeline = "\(dir)/pipeline.yaml"
            try text.write(toFile: pipeline, atomically: true, encoding: .utf8)
            let url = server.connectionString(database: database)
            let state = StateLayout(root: URL(fileURLWithPath: "\(dir)/state"))
            let runner = PipelineRunner(config: try PipelineConfig.load(path: pipeline), state: state,
                                        target: WarehouseTarget(url: url, state: state), logger: quiet)
            _ = try runner.runNew(drop: nil, inbox: URL(fileURLWithPath: "\(dir)/inbox"), force: false, asOf: nil)
            let db = try Connection(url: url)
            try FeedRole.grant(password: password, keepExisting: k >= Self.servers, on: db)
            yaml += "  - name: \(name)\n    code: \"\(code)\"\n    feed: host=127.0.0.1 port=\(port) dbname=\(database)\n    password_env: ETL_BENCH_FEED\n"
        }
        let setup = Date().timeIntervalSince(setupStarted)
        setenv("ETL_BENCH_FEED", password, 1)
        let path = "\(root)/national.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let file = try NationalFile.load(path: path)

        let coordinatorServer = try TestServer.privateServer()
        try coordinatorServer.start()
        try coordinatorServer.createDatabase("national")
        let coordinator = try Coordinator.connect(file: file, url: coordinatorServer.connectionString(database: "national"),
                                                  state: StateLayout(root: URL(fileURLWithPath: root)), mayCreateCluster: false,
                                                  logger: quiet)
        let syncStarted = Date()
        let states = try coordinator.sync()
        let sync = Date().timeIntervalSince(syncStarted)
        #expect(states.allSatisfy { if case .ready = $0.outcome { true } else { false } })

        var seconds: [Double] = []
        var steps: [String: [Double]] = [:]
        var last: PublishSummary?
        for _ in 0..<runs {
            let summary = try coordinator.publish(partial: false)
            seconds.append(summary.seconds)
            for (step, s) in summary.phases { steps[step, default: []].append(s) }
            last = summary
        }
        let s = try #require(last)
        #expect(s.municipalities.count == Self.municipalities && s.estimated == 6)

        func stats(_ values: [Double]) -> String {
            let sorted = values.sorted()
            return String(format: "median %.3f s (min %.3f, max %.3f)", sorted[sorted.count / 2], sorted.first!, sorted.last!)
        }
        print("national benchmark: \(Self.municipalities) municipalities on \(Self.servers) servers, \(children) children, "
              + "setup (drops, runs) \(String(format: "%.0f", setup)) s")
        print("sync: \(String(format: "%.3f", sync)) s")
        print("publish ×\(runs): \(stats(seconds)); \(s.periods) quarters, \(s.inEvaluation) municipalities in the evaluation")
        for step in ["probe", "figures", "panel", "evaluation", "commit"] { print("  \(step): \(stats(steps[step] ?? [0]))") }
        let panel = try coordinator.db.query("""
            SELECT (SELECT count(DISTINCT (municipality, institution)) FROM snapshot.evaluation_panel JOIN snapshot.published USING (snapshot_id)),
                   (SELECT sum(institutions_withheld) FROM national_metrics.municipalities),
                   (SELECT sum(panel_institutions) FROM national_metrics.municipalities)
            """).first
        print("  national panel: \(try panel?.int(0) ?? 0) institutions (of \(try panel?.int(2) ?? 0); \(try panel?.int(1) ?? 0) withheld for small cells)")

        // The plans, for docs/benchmarks.md: each partition's aggregate runs on its server.
        let pull = Coordinator.pullStatements(file.municipalities)[0].sql
        let select = String(pull[pull.range(of: "SELECT $1::bigint")!.lowerBound...])
        let names = file.municipalities.map(\.name)
        let plan = try coordinator.db.query("EXPLAIN (ANALYZE, VERBOSE, COSTS OFF) \(select)", ["0"] + names).compactMap { $0.string(0) }
        #expect(plan.filter { $0.contains("Async Foreign Scan") }.count == Self.municipalities)
        #expect(plan.filter { $0.contains("Relations: Aggregate on") }.count == Self.municipalities)
        // The first two partitions and the totals; the other partitions read alike.
        let scans = plan.indices.filter { plan[$0].contains("Async Foreign Scan") }
        print((plan.prefix(upTo: scans[min(2, scans.count - 1)]) + ["  …"] + plan.suffix(2)).joined(separator: "\n"))
        let panelPlan = try coordinator.db.query("EXPLAIN (VERBOSE, COSTS OFF) \(Coordinator.panelQuery(file.municipalities))",
                                                 ["2014-01-01", "2026-09-30"] + names).compactMap { $0.string(0) }
        print(panelPlan.prefix(5).joined(separator: "\n"))

        // The same pull with the partitions read one after the other (async_capable off), for comparison.
        func pullSeconds() throws -> [Double] {
            try (0..<runs).map { _ in
                let t0 = Date()
                _ = try coordinator.db.query(select, ["0"] + names)
                return Date().timeIntervalSince(t0)
            }
        }
        let async = try pullSeconds()
        for m in file.municipalities {
            try coordinator.db.execute("ALTER SERVER \(m.server) OPTIONS (SET async_capable 'false')")
        }
        let sequential = try pullSeconds()
        print("cohort statistics pull ×\(runs): async \(stats(async)); one partition after another \(stats(sequential))")
    }
}
