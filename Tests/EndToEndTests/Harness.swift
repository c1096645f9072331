import Foundation
import Logging
import Operations
import Pipeline
import Postgres
import SyntheticDrop
import TestSupport

/// What the end-to-end tests share: synthetic drops, a warehouse database of the test's
/// own on the test server, the pipeline runner, and the built `etl` binary.
struct Harness {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let copenhagen = repo.appendingPathComponent("pipelines/copenhagen.yaml").path

    let db: TestServer.Database
    let root: URL
    var state: StateLayout { StateLayout(root: root.appendingPathComponent("state")) }
    var inbox: URL { root.appendingPathComponent("inbox") }

    init(_ label: String = #function) throws {
        db = try TestServer.freshDatabase(label)
        root = URL(fileURLWithPath: try TestServer.temporaryDirectory())
    }

    /// Writes a drop into the inbox, named by its as-of date.
    @discardableResult
    func drop(children: Int, seed: UInt64 = 7, dirty: Double = 0, effect: DropGenerator.Effect = .evaluation,
              selection: Double = DropGenerator.defaultSelection, institutions: Int? = nil,
              asOf: Day = Day(year: 2026, month: 11, day: 21)!) throws -> (url: URL, summary: DropSummary) {
        let url = inbox.appendingPathComponent(asOf.iso)
        let summary = try DropGenerator(.init(children: children, institutions: institutions, seed: seed, asOf: asOf,
                                              dirtyRate: dirty, effect: effect, selection: selection))
            .write(to: url)
        return (url, summary)
    }

    func config(_ edit: (inout PipelineConfig) -> Void = { _ in }) throws -> PipelineConfig {
        var config = try PipelineConfig.load(path: Self.copenhagen)
        edit(&config)
        return config
    }

    func runner(_ config: PipelineConfig? = nil) throws -> PipelineRunner {
        var logger = Logger(label: "e2e")
        logger.logLevel = .warning
        return PipelineRunner(config: try config ?? self.config(), state: state,
                              target: WarehouseTarget(url: db.url, state: state), logger: logger)
    }

    func connect() throws -> Connection { try db.connect() }

    /// Every row of a query as text, for comparing whole answers.
    func rows(_ sql: String) throws -> [[String?]] {
        try connect().query(sql).map(\.values)
    }

    /// The environment for the `etl` binary: this test's key, no stray database.
    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["ETL_PSEUDONYM_KEY"] = "e2e-test-key-0123456789abcdef0123456789abcdef"
        env["DATABASE_URL"] = nil
        for variable in WarehouseTarget.libpqVariables { env[variable] = nil }  // they name a database too
        env["ETL_STATE_DIR"] = state.root.path
        return env
    }

    /// Runs the built `etl` (or another program) and returns its exit status and output.
    func run(_ arguments: [String], program: String = Harness.etl, environment: [String: String]? = nil) throws
        -> (status: Int32, stdout: String, stderr: String) {
        try Program.run(program, arguments, environment: environment ?? self.environment, scratch: root)
    }

    /// The `etl` built beside this test bundle.
    static let etl: String = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("etl").path
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : repo.appendingPathComponent(".build/debug/etl").path
    }()
}
