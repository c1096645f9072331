import CLibPQ

/// The keywords of a libpq connection string (URL or `key=value` form), as libpq parses
/// them: for telling an analyst where a named warehouse is.
package enum ConnectionInfo {
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
