import Foundation

/// What `postmaster.pid` says about a running server: its port and first listen address.
struct RunningListen: Equatable {
    var port: Int
    /// The first of `listen_addresses`, nil when the server listens on no TCP address.
    var host: String?

    /// Lines 4 and 6 of `postmaster.pid` (PostgreSQL's LOCK_FILE_LINE_PORT and
    /// LOCK_FILE_LINE_LISTEN_ADDR).
    static func read(dataDirectory: String) -> RunningListen? {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.count >= 6, let port = Int(lines[3]) else { return nil }
        return RunningListen(port: port, host: lines[5].isEmpty ? nil : lines[5])
    }

    /// Whether a server running like this serves `wanted` (nil: no TCP).
    func serves(_ wanted: TCPAddress?, socketPort: Int) -> Bool {
        guard let wanted else { return host == nil && port == socketPort }
        return port == wanted.port && host == wanted.host
    }
}
