import Foundation
import Pipeline
import Postgres
import SyntheticDrop
import TestSupport

/// Three municipalities, each a warehouse of its own (an embedded server listening on a free
/// loopback port, its own synthetic drop run by the built `etl`, its feed role), and a
/// national coordinator (an embedded server of its own) synced and published once. Shared
/// by the national end-to-end tests, which run one at a time (one of them stops a server).
struct Federation: Sendable {
    struct Municipality: Sendable {
        var name: String
        var code: String
        var state: StateLayout
        var port: Int
        var feed: String
        var password: String
        var environment: [String: String]

        /// The warehouse's owner, through the socket.
        func owner() throws -> Connection {
            try Connection(url: EmbeddedServer(directory: state.postgres.path).connectionString(database: "etl"))
        }

        /// Puts `query` in place of one of its feed views, as its superuser could: the view etl
        /// made stays beside it as `<view>_own`, for `query` to read and `restoreFeedView` to put back.
        func rewriteFeedView(_ view: String, as query: String) throws {
            let db = try owner()
            if try db.query("SELECT to_regclass($1) IS NULL", ["national_feed.\(view)_own"]).first?.string(0) == "t" {
                try db.execute("ALTER VIEW national_feed.\(view) RENAME TO \(view)_own")
            }
            try db.execute("DROP VIEW IF EXISTS national_feed.\(view)")
            try db.execute("CREATE VIEW national_feed.\(view) AS \(query)")
            try db.execute("GRANT SELECT ON national_feed.\(view) TO national_feed")
        }

        /// The feed view etl made back in its place.
        func restoreFeedView(_ view: String) {
            guard let db = try? owner() else { return }
            _ = try? db.execute("DROP VIEW IF EXISTS national_feed.\(view)")
            _ = try? db.execute("ALTER VIEW national_feed.\(view)_own RENAME TO \(view)")
        }

        /// Over TCP as the feed role, as the coordinator connects.
        func feedRole() throws -> Connection { try Connection(url: feed.replacingOccurrences(of: "national_feed@", with: "national_feed:\(password)@")) }
    }

    /// name, code, pipeline, layout, children, seed, window start, as-of date.
    static let plan: [(String, String, String, DropGenerator.Variant, Int, UInt64, Day, Day)] = [
        ("København", "101", "copenhagen.yaml", .copenhagen, 2_400, 11, Day(year: 2012, month: 1, day: 1)!, Day(year: 2026, month: 11, day: 21)!),
        ("Odense", "461", "copenhagen.yaml", .copenhagen, 1_600, 22, Day(year: 2013, month: 1, day: 1)!, Day(year: 2026, month: 11, day: 20)!),
        ("Eksempel Kommune", "851", "other.yaml", .other, 2_000, 33, Day(year: 2014, month: 1, day: 1)!, Day(year: 2026, month: 10, day: 31)!),
    ]

    let base: String
    let municipalities: [Municipality]
    let coordinatorState: StateLayout
    let nationalFile: String
    let coordinatorEnvironment: [String: String]
    let sync: Output
    let publish: Output

    static let shared: Result<Federation, any Error> = Result { try Federation() }

    private init() throws {
        var template = Array("/tmp/etl-nat-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure("mkdtemp") }
        base = String(cString: made)
        // The servers run as the postgres account when the tests run as root: let it traverse.
        guard chmod(base, 0o711) == 0 else { throw Failure("chmod \(base)") }
        try TestServer.cleanUpAtExit(base)

        var municipalities: [Municipality] = []
        var passwordVariables: [String: String] = [:]
        for (k, (name, code, pipeline, variant, children, seed, from, asOf)) in Self.plan.enumerated() {
            let root = "\(base)/m\(k)"
            let state = StateLayout(root: URL(fileURLWithPath: root + "/state"))
            try TestServer.cleanUpAtExit(root, serverDirectory: state.postgres.path)
            let pipelinePath = "\(root)/\(pipeline)"
            let text = try String(contentsOf: ETL.repo.appendingPathComponent("pipelines/\(pipeline)"), encoding: .utf8)
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try Self.municipalPipeline(text, name: name, from: from).write(toFile: pipelinePath, atomically: true, encoding: .utf8)
            _ = try DropGenerator(.init(children: children, seed: seed, asOf: asOf, windowFrom: from, variant: variant))
                .write(to: URL(fileURLWithPath: "\(root)/inbox/\(asOf.iso)"))

            var environment = ETL.environment
            environment["ETL_STATE_DIR"] = state.root.path
            let port = try freeLoopbackPort()
            try ETL.run(["warehouse", "start", "--listen", "127.0.0.1:\(port)"], environment).check("warehouse start \(name)")
            try ETL.run(["run", "--pipeline", pipelinePath, "--inbox", "\(root)/inbox"], environment).check("run \(name)")
            let role = try ETL.run(["national", "feed-role"], environment).check("feed-role \(name)")
            let lines = role.stdout.split(separator: "\n").map(String.init)
            guard let feed = lines.first(where: { $0.hasPrefix("feed: ") })?.dropFirst(6),
                  let password = lines.first(where: { $0.hasPrefix("password: ") })?.dropFirst(10) else {
                throw Failure("feed-role printed \(role.stdout)")
            }
            municipalities.append(Municipality(name: name, code: code, state: state, port: port, feed: String(feed),
                                               password: String(password), environment: environment))
            passwordVariables["ETL_TEST_FEED_\(code)"] = String(password)
        }
        self.municipalities = municipalities

        // Two passwords from the environment, one from a private file.
        let secret = "\(base)/odense.password"
        _ = FileManager.default.createFile(atPath: secret, contents: Data((municipalities[1].password + "\n").utf8),
                                           attributes: [.posixPermissions: 0o600])
        nationalFile = "\(base)/national.yaml"
        try Self.nationalYAML(municipalities, passwordFile: secret).write(toFile: nationalFile, atomically: true, encoding: .utf8)

        coordinatorState = StateLayout(root: URL(fileURLWithPath: base + "/coordinator"))
        try TestServer.cleanUpAtExit(base + "/coordinator", serverDirectory: coordinatorState.postgres.path)
        var environment = ETL.environment.merging(passwordVariables) { $1 }
        environment["ETL_STATE_DIR"] = coordinatorState.root.path
        coordinatorEnvironment = environment
        sync = try ETL.run(["national", "sync", "--file", nationalFile], environment)
        publish = try ETL.run(["national", "publish", "--file", nationalFile], environment)
    }

    /// The municipality's own pipeline file: its name, window and yearly periods (small
    /// drops: quarters would leave cells of half an event).
    static func municipalPipeline(_ text: String, name: String, from: Day) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines = lines.filter { !$0.hasPrefix("evaluation:") && !$0.hasPrefix("  period:") && !$0.hasPrefix("  control_group:") }
        return lines.map { line in
            if line.hasPrefix("municipality:") { return "municipality: \(name)" }
            if line.hasPrefix("  from:") { return "  from: \(from.iso)" }
            return line
        }.joined(separator: "\n") + "\nevaluation:\n  period: year\n"
    }

    static func nationalYAML(_ municipalities: [Municipality], passwordFile: String) -> String {
        var text = """
            # The test's national file.
            evaluation:
              period: year
            keep_snapshots: 3
            connect_timeout: 5
            municipalities:

            """
        for (k, m) in municipalities.enumerated() {
            text += """
                  - name: \(m.name)
                    code: "\(m.code)"
                    feed: \(m.feed)

                """
            text += k == 1 ? "    password_file: \(passwordFile)\n" : "    password_env: ETL_TEST_FEED_\(m.code)\n"
        }
        return text
    }

    /// The coordinator's owner, through the socket.
    func coordinator() throws -> Connection {
        try Connection(url: EmbeddedServer(directory: coordinatorState.postgres.path).connectionString(database: "national"))
    }

    func national(_ arguments: [String]) throws -> Output {
        try ETL.run(["national"] + arguments + ["--file", nationalFile], coordinatorEnvironment)
    }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct Output: Sendable, CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    @discardableResult
    func check(_ what: String) throws -> Output {
        guard status == 0 else { throw Failure("\(what) exited \(status): \(stderr)") }
        return self
    }

    var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

/// The built `etl`.
enum ETL {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let binary: String = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("etl").path
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : repo.appendingPathComponent(".build/debug/etl").path
    }()

    /// This test's pseudonym key, no database named by the environment.
    static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["ETL_PSEUDONYM_KEY"] = "national-test-key-0123456789abcdef0123456789abcdef"
        for variable in ["DATABASE_URL", "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSERVICE", "ETL_NATIONAL_FILE"] {
            env[variable] = nil
        }
        return env
    }

    static func run(_ arguments: [String], _ environment: [String: String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        // Files, not pipes: a child that fills one pipe while we read the other would hang.
        let out = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("etl-out-\(UUID().uuidString)")
        let err = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("etl-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        let stdout = try Data(contentsOf: out), stderr = try Data(contentsOf: err)
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}
