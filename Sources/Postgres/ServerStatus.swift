import Foundation

/// Whether the embedded server is up, judged from its `postmaster.pid`.
package enum ServerStatus: Equatable, Sendable, CustomStringConvertible {
    case running(pid: Int32)
    case stopped
    /// A `postmaster.pid` is left but its process is gone (e.g. after `kill -9` or a
    /// machine crash). `start()` recovers from this.
    case stale(pid: Int32)

    package var isRunning: Bool { if case .running = self { true } else { false } }

    package var description: String {
        switch self {
        case .running(let pid): "running (pid \(pid))"
        case .stopped: "stopped"
        case .stale(let pid): "not running (stale pid file, pid \(pid))"
        }
    }

    /// Reads `<data>/postmaster.pid` and checks its process.
    static func read(dataDirectory: String) throws -> ServerStatus {
        let pidFile = dataDirectory + "/postmaster.pid"
        guard FileManager.default.fileExists(atPath: pidFile) else { return .stopped }
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8) else {
            throw PostgresError(.server, "cannot read \(pidFile)", hint: "run as the user that owns the server, or as root")
        }
        // The first line is the postmaster's pid (negative for a single-user backend).
        guard let first = text.split(separator: "\n").first, let pid = Int32(first.trimmingCharacters(in: .whitespaces)) else {
            return .stale(pid: 0)  // half-written by a server that died while starting
        }
        return isLivePostgres(abs(pid)) ? .running(pid: abs(pid)) : .stale(pid: abs(pid))
    }
}

/// True when `pid` is a live (not zombie) PostgreSQL process.
///
/// `kill(pid, 0)` alone is not enough: a postmaster killed with -9 is reparented to
/// PID 1, and where PID 1 does not reap children (many containers) it stays a zombie
/// that `kill` still finds. Its pid may also have been reused by another program.
func isLivePostgres(_ pid: Int32) -> Bool {
    guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
    #if os(Linux)
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
    // "pid (comm) S ...": the comm may hold spaces, so read around the last ')'.
    guard let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
    if state == "Z" || state == "X" { return false }
    let comm = stat[stat.index(after: stat.firstIndex(of: "(") ?? stat.startIndex)..<close]
    return comm.hasPrefix("postgres") || comm.hasPrefix("postmaster")
    #else
    return true
    #endif
}
