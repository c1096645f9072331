import CLibPQ
import Foundation

// Small bridges from libpq's C values to Swift ones, shared by the client files.

extension PostgresError {
    /// The server's structured error fields from a failed result.
    init(_ kind: Kind, result: OpaquePointer, connection: OpaquePointer?, statement: String?) {
        func field(_ code: UInt8) -> String? {
            guard let value = PQresultErrorField(result, Int32(code)) else { return nil }
            return String(cString: value)
        }
        let primary = field(UInt8(ascii: "M"))
            ?? nonEmpty(PQresultErrorMessage(result))
            ?? connection.flatMap { nonEmpty(PQerrorMessage($0)) }
            ?? "unknown error (\(String(cString: PQresStatus(PQresultStatus(result)))))"
        self.init(
            kind, primary,
            sqlState: field(UInt8(ascii: "C")),
            detail: field(UInt8(ascii: "D")),
            hint: field(UInt8(ascii: "H")),
            position: field(UInt8(ascii: "P")).flatMap { Int($0) },
            statement: statement)
    }

    /// An error that only the connection knows about (no result, or a broken socket).
    init(_ kind: Kind, connection: OpaquePointer?, statement: String?, fallback: String) {
        let message = connection.flatMap { nonEmpty(PQerrorMessage($0)) } ?? fallback
        self.init(kind, message, statement: statement)
    }
}

/// A C string as trimmed Swift text on one line (libpq breaks its messages with "\n\t"),
/// or nil when missing or blank.
func nonEmpty(_ text: UnsafePointer<CChar>?) -> String? {
    guard let text else { return nil }
    let string = String(cString: text).split(whereSeparator: { $0 == "\n" || $0 == "\t" || $0 == " " }).joined(separator: " ")
    return string.isEmpty ? nil : string
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var copy = self
        while let last = copy.last, last.isWhitespace { copy.removeLast() }
        return copy
    }
}

/// libpq's word on a connection string it cannot read, up to where it quotes the string:
/// `invalid percent-encoded token: "p%zz"` quoted a password alone, and a `"` inside one
/// ended a quote early (re-tests). What the string holds is not known, so nothing of it is shown.
func withoutTheString(_ text: String) -> String {
    guard let quote = text.firstIndex(of: "\"") else { return maskingPasswords(text) }
    return String(text[..<quote]).trimmingTrailingWhitespace() + " … (the rest quotes the string, which may hold a password)"
}

/// `text` with the secrets `conninfo` gives (its password, sslpassword, and `PGPASSWORD`)
/// starred where libpq's words quote them (as they quote a value), not wherever their letters
/// occur (a password `etl` would star the database's name); then what else reads as a password.
func withoutSecrets(of conninfo: String, _ text: String) -> String {
    let given = ConnectionInfo.parse(conninfo) ?? [:]
    let secrets = (ConnectionInfo.secrets.compactMap { given[$0] } + [ProcessInfo.processInfo.environment["PGPASSWORD"]].compactMap { $0 })
        .filter { !$0.isEmpty }
    return maskingPasswords(secrets.reduce(text) { text, secret in
        ["\"", "'"].reduce(text) { $0.replacingOccurrences(of: $1 + secret + $1, with: $1 + "****" + $1) }
    })
}

/// `text` with what could be a password in a connection string it quotes starred: the part
/// after `user:` in a URL, the value of a `password` keyword.
func maskingPasswords(_ text: String) -> String {
    // The userinfo up to its last `@` (a password may hold one), a quoted value with `\'` in it.
    text.replacing(/(?<head>postgres(?:ql)?:\/\/[^:\/@\s"]*:)[^\s"]*@/) { "\($0.head)****@" }
        .replacing(/(?<key>password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&"]+)/) { "\($0.key)****" }
}

/// The connection target as text for error messages: every option libpq parsed from
/// the URL or keyword string, except the password.
func describeTarget(_ conninfo: String) -> String {
    guard let options = PQconninfoParse(conninfo, nil) else { return "unparsable connection string" }
    defer { PQconninfoFree(options) }
    var parts: [String] = []
    var option = options
    while let keyword = option.pointee.keyword {
        let name = String(cString: keyword)
        if let value = option.pointee.val, !ConnectionInfo.secrets.contains(name) {
            parts.append("\(name)=\(String(cString: value))")
        }
        option += 1
    }
    return parts.isEmpty ? "libpq defaults" : parts.joined(separator: " ")
}
