// The test targets' PostgreSQL: `import TestSupport`.
//
//     let db = try TestServer.freshDatabase()   // a new, empty database
//     let connection = try db.connect()
//
// The first call starts ONE throwaway embedded PostgreSQL server for the whole test
// process, in /tmp/etlpg-XXXXXX (short, because socket paths are limited to 107 bytes).
// Every call creates a database with a unique name, so tests running in parallel never
// share tables. At process exit (atexit) the servers are stopped and the folder removed;
// servers left by a test process that crashed are cleaned up by the next run.
import Foundation
import Logging
import Postgres
import Synchronization

package enum TestServer {
    /// Servers started and stopped by tests log warnings only, so the test runner's summary
    /// stays the last thing a test run prints.
    private static let quiet: Logger = {
        var logger = Logger(label: "etl.test.server")
        logger.logLevel = .warning
        return logger
    }()

    package struct Database: Sendable {
        package let name: String
        /// Paste into psql, or give to `Connection(url:)`.
        package let url: String

        package func connect() throws -> Connection { try Connection(url: url) }
    }

    /// Creates a database of its own for the calling test on the shared server.
    package static func freshDatabase(_ label: String = #function) throws -> Database {
        let (server, number) = try withState { state in
            state.databases += 1
            return (try sharedServer(&state), state.databases)
        }
        let name = "t\(number)_" + label.lowercased().filter { ($0.isLetter || $0.isNumber) && $0.isASCII }.prefix(40)
        try server.createDatabase(name)
        return Database(name: name, url: server.connectionString(database: name))
    }

    /// A server of the test's own, not started, for tests that stop or crash it.
    /// It is stopped and removed at exit like the shared one.
    package static func privateServer() throws -> EmbeddedServer {
        try withState { state in
            let root = try processRoot(&state)
            state.privateServers += 1
            let server = EmbeddedServer(directory: "\(root)/p\(state.privateServers)", durable: false, logger: quiet)
            state.servers.append(server)
            return server
        }
    }

    /// An empty directory that is removed at exit.
    package static func temporaryDirectory() throws -> String {
        try withState { state in
            let root = try processRoot(&state)
            let directory = "\(root)/d\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            return directory
        }
    }

    /// A folder of the test's own outside this process's folder (e.g. one other OS users
    /// may traverse), and an embedded server's directory in it: stopped and removed at exit too.
    package static func cleanUpAtExit(_ directory: String, serverDirectory: String? = nil) throws {
        try withState { state in
            _ = try processRoot(&state)
            state.servers += serverDirectory.map { [EmbeddedServer(directory: $0, logger: quiet)] } ?? []
            state.folders.append(directory)
        }
    }

    // MARK: - Shared state, behind one lock

    private struct State {
        var root: String?
        var shared: EmbeddedServer?
        var servers: [EmbeddedServer] = []
        var folders: [String] = []
        var databases = 0
        var privateServers = 0
    }

    private static let state = Mutex(State())

    private static func withState<T: Sendable>(_ body: (inout State) throws -> T) throws -> T {
        try state.withLock { try body(&$0) }
    }

    private static func sharedServer(_ state: inout State) throws -> EmbeddedServer {
        if let shared = state.shared { return shared }
        let server = EmbeddedServer(directory: try processRoot(&state) + "/shared", durable: false, logger: quiet)
        state.servers.append(server)
        try server.start()
        state.shared = server
        return server
    }

    /// This process's folder, made on first use, with the owner's pid inside so a later
    /// run can tell it was abandoned.
    private static func processRoot(_ state: inout State) throws -> String {
        if let root = state.root { return root }
        removeAbandonedRoots()
        var template = Array("/tmp/etlpg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: "/tmp/etlpg-XXXXXX"])
        }
        let root = String(cString: made)
        try String(getpid()).write(toFile: root + "/owner.pid", atomically: true, encoding: .utf8)
        state.root = root
        atexit { TestServer.shutdown() }
        return root
    }

    /// Stops every server of this process and removes its folder.
    private static func shutdown() {
        state.withLock { state in
            for server in state.servers { try? server.stop(.immediate) }
            if let root = state.root { try? FileManager.default.removeItem(atPath: root) }
            for folder in state.folders { try? FileManager.default.removeItem(atPath: folder) }
            state = State()
        }
    }

    /// Folders of earlier test processes that died without their atexit (a crash, kill -9).
    private static func removeAbandonedRoots() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        for name in names where name.hasPrefix("etlpg-") {
            let root = "/tmp/\(name)"
            guard let text = try? String(contentsOfFile: root + "/owner.pid", encoding: .utf8),
                  let owner = Int32(text), owner != getpid(), kill(owner, 0) != 0, errno == ESRCH
            else { continue }
            for server in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
                try? EmbeddedServer(directory: "\(root)/\(server)", logger: quiet).stop(.immediate)
            }
            try? FileManager.default.removeItem(atPath: root)
        }
    }
}
