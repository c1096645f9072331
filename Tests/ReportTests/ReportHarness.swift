import Foundation
import Logging
import Operations
import Pipeline
import Postgres
import Report
import SyntheticDrop
import TestSupport

/// A warehouse of the test's own with a generated drop run through the whole pipeline, and
/// what a report test needs to hold the page against it.
struct ReportHarness {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let copenhagen = repo.appendingPathComponent("pipelines/copenhagen.yaml").path

    let db: TestServer.Database
    let root: URL
    var state: StateLayout { StateLayout(root: root.appendingPathComponent("state")) }

    init(_ label: String = #function) throws {
        db = try TestServer.freshDatabase(label)
        root = URL(fileURLWithPath: try TestServer.temporaryDirectory())
    }

    /// A drop of `children` written under the root, named by its as-of date.
    func drop(children: Int, seed: UInt64 = 7, asOf: Day = Day(year: 2026, month: 11, day: 21)!) throws -> URL {
        let url = root.appendingPathComponent("inbox/\(asOf.iso)")
        _ = try DropGenerator(.init(children: children, seed: seed, asOf: asOf)).write(to: url)
        return url
    }

    func config(_ edit: (inout PipelineConfig) -> Void = { _ in }) throws -> PipelineConfig {
        var config = try PipelineConfig.load(path: Self.copenhagen)
        edit(&config)
        return config
    }

    /// Extract, transform, load, publish and the report, as the nightly run does.
    func run(_ drop: URL, config: PipelineConfig) throws -> RunSummary {
        var logger = Logger(label: "report-test")
        logger.logLevel = .critical
        return try PipelineRunner(config: config, state: state, target: WarehouseTarget(url: db.url, state: state), logger: logger)
            .runNew(drop: drop, inbox: nil, force: true, asOf: nil)
    }

    /// The view's value at a figure's address, read as the warehouse owner (`etl.run` names a
    /// kept run to read instead of the published one).
    func lookup(run: RunID? = nil) throws -> (FigureAddress) throws -> FigureCheck.Found {
        let connection = try db.connect()
        if let run { try connection.execute("SET etl.run = '\(run)'") }
        return { address in
            let keys = address.keyOrder
            let condition = keys.enumerated().map { "\(Connection.quoteIdentifier($0.element)) IS NOT DISTINCT FROM $\($0.offset + 1)" }
            let column = address.column == FigureSource.countColumn ? "count(*)" : Connection.quoteIdentifier(address.column)
            let sql = "SELECT \(column) FROM \(address.view)"
                + (condition.isEmpty ? "" : " WHERE " + condition.joined(separator: " AND "))
            let rows = try connection.query(sql, keys.map { address.key[$0] ?? nil })
            if rows.isEmpty { return .noRow }
            if rows.count > 1 { throw LookupError(message: "\(address): the key names \(rows.count) rows") }
            return .row(rows[0].string(0))
        }
    }

    struct LookupError: Error, CustomStringConvertible { var message: String; var description: String { message } }

    /// The CPR numbers of a drop (first field of the enrolments).
    static func cprNumbers(in drop: URL) throws -> Set<String> {
        let text = try String(contentsOf: drop.appendingPathComponent("indmeldelser.csv"), encoding: .utf8)
        var out: Set<String> = []
        for line in text.split(separator: "\n").dropFirst() {
            let digits = line.split(separator: ";").first.map { $0.filter(\.isNumber) } ?? ""
            if digits.count == 10 { out.insert(String(digits)) }
        }
        return out
    }

    /// The `etl` built beside this test bundle.
    static let etl: String = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("etl").path
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : repo.appendingPathComponent(".build/debug/etl").path
    }()

    /// Runs a program; its exit status and output.
    func run(_ program: String, _ arguments: [String], environment: [String: String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Program.run(program, arguments, environment: environment, scratch: root)
    }
}
