import Foundation

/// Where the embedded server accepts TCP connections (`etl warehouse start --listen
/// HOST:PORT`): analysts' roles only, with a SCRAM password (see `ServerAccess`).
package struct TCPAddress: Sendable, Equatable, CustomStringConvertible {
    /// As `listen_addresses` takes it: an IP address, a host name, or `*` (every interface).
    package var host: String
    package var port: Int

    package init(host: String, port: Int) { self.host = host; self.port = port }

    /// Parses `HOST:PORT`, `[IPv6]:PORT` or `*:PORT`; nil when it is not one.
    package init?(_ text: String) {
        let host: Substring, port: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            port = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            if host.contains(":") { return nil }  // an IPv6 address needs its brackets
        }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: ".-:*_"))
        guard !host.isEmpty, host.unicodeScalars.allSatisfy(allowed.contains), host == "*" || !host.contains("*"),
              let number = Int(port), (1...65535).contains(number) else { return nil }
        self.host = String(host)
        self.port = number
    }

    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// True for `*`, `0.0.0.0` and `::`: the server listens on every interface, so the
    /// host an analyst types is the machine's name, not this.
    package var isWildcard: Bool { ["*", "0.0.0.0", "::"].contains(host) }
}

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
