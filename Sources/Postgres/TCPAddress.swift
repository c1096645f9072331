import Foundation

/// Where the embedded server accepts TCP connections (`etl warehouse start --listen
/// HOST:PORT`): analysts' roles only, with a SCRAM password (`EmbeddedServer.accessRules`).
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
        // Digits and dots are an IPv4 address, colons an IPv6 one: each must be one
        // (`999.1.1.1` was taken, and the server restarted before it failed, a review).
        var address = in6_addr()
        if host.allSatisfy({ $0.isNumber || $0 == "." }), inet_pton(AF_INET, String(host), &address) != 1 { return nil }
        if host.contains(":"), inet_pton(AF_INET6, String(host), &address) != 1 { return nil }
        self.host = String(host)
        self.port = number
    }

    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Why this machine cannot listen here, if a trial bind says so: the name resolves to no
    /// address, no interface has it (or not without a scope, `fe80::1`), another program holds
    /// its port (`ownPort`: the running server's, which may), or the port is below 1024 and
    /// the server runs as an account of its own (`asRoot`: this process's trial would pass).
    /// Asked before a running server is restarted for it: `8.8.8.8` ended analysts' sessions,
    /// then failed (re-tests).
    package func unusableHere(ownPort: Int?, asRoot: Bool = geteuid() == 0) -> String? {
        if asRoot, port < 1024 { return "the server runs as its own account, which may not listen on a port below 1024" }
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host == "*" ? nil : host, String(port), &hints, &found) == 0, let first = found else {
            return "\(host) is the name of no address"
        }
        defer { freeaddrinfo(first) }
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let a = next {
            let fd = socket(a.pointee.ai_family, a.pointee.ai_socktype, a.pointee.ai_protocol)
            if fd >= 0 {
                defer { close(fd) }
                var one: Int32 = 1   // as the server binds: a port left in TIME_WAIT is no obstacle
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
                guard bind(fd, a.pointee.ai_addr, a.pointee.ai_addrlen) != 0 else { next = a.pointee.ai_next; continue }
                switch errno {
                case EADDRINUSE where port == ownPort: break
                case EADDRINUSE: return "another program listens on port \(port)"
                case EADDRNOTAVAIL: return "no interface of this machine has the address \(host)"
                default: return "this machine cannot listen there (\(String(cString: strerror(errno))))"
                }
            }
            next = a.pointee.ai_next
        }
        return nil
    }

    /// True for `*`, `0.0.0.0` and `::`: the server listens on every interface, so the
    /// host an analyst types is the machine's name, not this.
    package var isWildcard: Bool { ["*", "0.0.0.0", "::"].contains(host) }
}
