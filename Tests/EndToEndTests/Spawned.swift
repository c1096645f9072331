import Foundation
import Glibc
import Postgres
import TestSupport

/// The built `etl` as a process the test can stop at a fault point (`ETL_STOP_AT`), look at,
/// kill with a real signal, or let go on.
final class Spawned {
    let process = Process()
    private let out: URL, err: URL

    init(_ h: Harness, _ arguments: [String], environment extra: [String: String] = [:], directory: URL? = nil,
         program: String = Harness.etl) throws {
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = h.environment.merging(extra) { $1 }
        if let directory { process.currentDirectoryURL = directory }
        out = h.root.appendingPathComponent("out-\(UUID().uuidString)")
        err = h.root.appendingPathComponent("err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        // Started as cron or a shell starts it, with no signal blocked: the test's thread
        // blocks them, and a child inherits that (bash, which cannot unblock them, never ran
        // its traps).
        var none = sigset_t(), before = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &before)
        defer { pthread_sigmask(SIG_SETMASK, &before, nil) }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits until the process has stopped itself at its fault point (state `T` in
    /// /proc/PID/stat); false if it ended or did not stop within `seconds`.
    func waitUntilStopped(seconds: Double = 120) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, process.isRunning {
            if Self.isStopped(pid) { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// Whether process `pid` is stopped (state `T` in /proc/PID/stat).
    static func isStopped(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(close, offsetBy: 2)] == "T"
    }

    func signal(_ signal: Int32) { kill(pid, signal) }

    /// The pid of a process stopped at its fault point whose command line holds `marker`
    /// (an `etl` another program started), once there is one; nil after `seconds`.
    static func stoppedProcess(holding marker: String, seconds: Double = 120) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = Int32(name), let line = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(name)/cmdline")),
                      String(decoding: line, as: UTF8.self).contains(marker), isStopped(pid) else { continue }
                return pid
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return nil
    }

    /// Exit status (or the signal that ended it, negated) and output.
    func wait() throws -> (status: Int32, stdout: String, stderr: String) {
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus
        return (status, try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
    }

    /// Runs `etl` to its end.
    static func run(_ h: Harness, _ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) throws
        -> (status: Int32, stdout: String, stderr: String) {
        try Spawned(h, arguments, environment: environment, directory: directory).wait()
    }
}

extension Harness {
    /// Every metrics view's whole contents: what an analyst can see.
    func metricsViews() throws -> [String: [[String?]]] { try connect().metricsViews() }

    /// Runs cron's wrapper, `cron/etl-nightly.sh` on the Copenhagen pipeline and `inbox`, as
    /// cron would: this test's environment, the built `etl`, an empty environment file, and
    /// `extra` over them.
    func nightly(inbox: URL? = nil, _ extra: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        var env = environment
        env["ETL_BIN"] = Harness.etl
        env["ETL_ENV_FILE"] = "/dev/null"
        env.merge(extra) { $1 }
        return try run([Harness.repo.appendingPathComponent("cron/etl-nightly.sh").path, Harness.copenhagen, (inbox ?? self.inbox).path],
                       program: "/bin/bash", environment: env)
    }

    /// A copy of the Copenhagen pipeline file with some lines changed, in the test's folder.
    func pipeline(_ name: String, _ replacements: [(String, String)]) throws -> String {
        var text = try String(contentsOfFile: Harness.copenhagen, encoding: .utf8)
        for (from, to) in replacements {
            precondition(text.contains(from), "the pipeline file has no '\(from)'")
            text = text.replacingOccurrences(of: from, with: to)
        }
        let path = root.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The id a run's summary line names (`run ID drop=…`).
    static func runID(_ stdout: String) -> String? {
        stdout.split(separator: "\n").last { $0.hasPrefix("run ") }.map { String($0.split(separator: " ")[1]) }
    }
}
