import Foundation
import Postgres

/// A `postgresql://` URL, spelled so every libpq client (psql, and the libpq-based BI
/// tools) reads it; the fields one by one for an ODBC or JDBC form.
package struct PostgresURL: Sendable, CustomStringConvertible {
    package var user: String?
    package var password: String?
    package var host: String
    package var port: Int?
    package var database: String?
    package var sslmode: String?

    /// From libpq keywords (`ConnectionInfo`); a list of hosts keeps the first.
    package init(_ info: [String: String]) {
        user = info["user"]
        password = info["password"]
        host = info["host"].map { String($0.split(separator: ",").first ?? "") } ?? ""
        port = info["port"].flatMap { Int($0.split(separator: ",").first ?? "") }
        database = info["dbname"]
        sslmode = info["sslmode"]
    }

    package var text: String {
        var userInfo = ""
        if let user {
            userInfo = Self.encode(user, .urlUserAllowed)
            if let password { userInfo += ":" + Self.encode(password, .urlPasswordAllowed) }
            userInfo += "@"
        }
        var query: [String] = []
        var authority = ""
        if host.hasPrefix("/") {
            // A socket directory cannot be the URL's host: libpq takes it as a parameter.
            query.append("host=" + Self.encode(host, .urlQueryAllowed))
            if let port { query.append("port=\(port)") }
        } else {
            authority = host.contains(":") ? "[\(host)]" : host
            if let port { authority += ":\(port)" }
        }
        if let sslmode { query.append("sslmode=\(sslmode)") }
        let path = "/" + Self.encode(database ?? "", .urlPathAllowed)
        return "postgresql://\(userInfo)\(authority)\(path)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    package var description: String { text }

    private static func encode(_ text: String, _ allowed: CharacterSet) -> String {
        var allowed = allowed
        allowed.remove(charactersIn: ":@/?#[]&=+%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
