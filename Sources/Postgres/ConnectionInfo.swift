import CLibPQ

/// The keywords of a libpq connection string (URL or `key=value` form), as libpq parses
/// them: for telling an analyst where a named warehouse is.
package enum ConnectionInfo {
    /// The keywords never shown.
    package static let secrets: Set<String> = ["password", "sslpassword"]

    /// The string as a person may see it: as written when it holds no secret, else its
    /// keywords without the secrets (a password in a URL may be written many ways: `u:p@`,
    /// `?password=`, percent-encoded, with `@` or `:` inside; pattern masks let some through,
    /// a re-test found); nil when libpq cannot read it.
    package static func shown(_ conninfo: String) -> String? {
        guard let options = parse(conninfo) else { return nil }
        return secrets.contains(where: { options[$0] != nil }) ? describeTarget(conninfo) : conninfo
    }

    /// The options the string sets; nil when libpq cannot parse it.
    package static func parse(_ conninfo: String) -> [String: String]? {
        guard let options = PQconninfoParse(conninfo, nil) else { return nil }
        defer { PQconninfoFree(options) }
        return collect(options)
    }

    /// What an empty connection string means here: the `PG*` environment variables and
    /// libpq's compiled-in defaults.
    package static func defaults() -> [String: String] {
        guard let options = PQconndefaults() else { return [:] }
        defer { PQconninfoFree(options) }
        return collect(options)
    }

    static func collect(_ options: UnsafeMutablePointer<PQconninfoOption>) -> [String: String] {
        var values: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val, value.pointee != 0 { values[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        return values
    }
}
