import CLibPQ

/// One result row, values kept as the server's text form.
///
/// Accessors return nil for SQL NULL. Asking for a column that does not exist is a
/// programming error and traps (like an array index); a value that does not parse as the
/// requested type throws, so a wrong type is never mistaken for NULL.
package struct Row: Sendable {
    /// Column names, shared by all rows of one result.
    package let columns: Columns
    package let values: [String?]

    package var count: Int { values.count }

    package subscript(index: Int) -> String? { values[index] }
    package subscript(column: String) -> String? { values[columns.index(of: column)] }

    package func string(_ index: Int) -> String? { values[index] }
    package func string(_ column: String) -> String? { self[column] }

    package func int(_ index: Int) throws -> Int? { try decode(index, as: "integer") { Int($0) } }
    package func int(_ column: String) throws -> Int? { try int(columns.index(of: column)) }

    package func double(_ index: Int) throws -> Double? { try decode(index, as: "double") { Double($0) } }
    package func double(_ column: String) throws -> Double? { try double(columns.index(of: column)) }

    package func bool(_ index: Int) throws -> Bool? {
        try decode(index, as: "boolean") {
            switch $0 {
            case "t", "true": true
            case "f", "false": false
            default: nil
            }
        }
    }
    package func bool(_ column: String) throws -> Bool? { try bool(columns.index(of: column)) }

    private func decode<T>(_ index: Int, as type: String, _ parse: (String) -> T?) throws -> T? {
        guard let text = values[index] else { return nil }
        guard let value = parse(text) else {
            throw PostgresError(.decoding, "column '\(columns.names[index])' holds '\(text)', not a \(type)")
        }
        return value
    }

    /// Column names of a result and their positions.
    package final class Columns: Sendable {
        package let names: [String]
        private let positions: [String: Int]

        init(_ names: [String]) {
            self.names = names
            // The first of duplicate names wins, as in psql's `\gset`.
            positions = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }

        func index(of name: String) -> Int {
            guard let index = positions[name] else {
                preconditionFailure("no column '\(name)' in result; columns are \(names)")
            }
            return index
        }
    }

    /// Every row of a successful result.
    static func all(in result: OpaquePointer) -> [Row] {
        let fieldCount = PQnfields(result)
        let columns = Columns((0..<fieldCount).map { String(cString: PQfname(result, $0)) })
        return (0..<PQntuples(result)).map { row in
            Row(columns: columns, values: (0..<fieldCount).map { field in
                PQgetisnull(result, row, field) == 1 ? nil : String(cString: PQgetvalue(result, row, field))
            })
        }
    }
}
