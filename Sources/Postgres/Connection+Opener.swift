import CLibPQ

extension Connection {
    /// What opens more connections like this one, from any thread: a libpq connection
    /// serves one thread, so work spread over cores opens one each.
    package func opener() throws -> ConnectionOpener {
        var values = try options()
        // The session's name as it is now (a run names its session after it starts).
        if let name = try query("SELECT current_setting('application_name')", name: "session name").first?.string(0) {
            values["application_name"] = name
        }
        let conninfo = values.sorted { $0.key < $1.key }.map { "\($0.key)='\(Self.quoted($0.value))'" }.joined(separator: " ")
        return ConnectionOpener(conninfo: conninfo)
    }

    /// The options libpq made this connection with (the password among them, if any).
    package func options() throws -> [String: String] {
        let conn = try open("connection options")
        guard let options = PQconninfo(conn) else {
            throw PostgresError(.connection, "libpq could not list the connection's options", context: target)
        }
        defer { PQconninfoFree(options) }
        return ConnectionInfo.collect(options)
    }

    /// A value for a keyword connection string: `\` and `'` escaped.
    private static func quoted(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
    }
}

/// Opens connections with the options of the one it was made from (`Connection.opener`):
/// the same server, database, role and password, and that session's `application_name`.
package struct ConnectionOpener: Sendable {
    /// Holds the password, if the connection had one: never printed.
    fileprivate let conninfo: String

    package func open() throws -> Connection { try Connection(url: conninfo) }
}
