import Foundation

/// One numbered schema change, `NNN_name.sql`.
package struct Migration: Sendable, Equatable {
    package let version: Int
    /// The file name, e.g. `001_warehouse.sql`; recorded in `etl.schema_migrations`.
    package let name: String
    package let path: String
    package let contents: Data

    /// The file's SQL. Migrations must not contain transaction control (BEGIN/COMMIT):
    /// each already runs in a transaction of its own.
    package var sql: String { String(decoding: contents, as: UTF8.self) }

    /// Reads the numbered SQL files of `directory`, in version order. Files that do not
    /// start with a digit are not migrations and are skipped (the `views` folder is read by
    /// `repeatables(in:)`).
    static func all(in directory: String) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw PostgresError(.migration, "cannot list migrations: \(error)", context: directory)
        }
        var byVersion: [Int: Migration] = [:]
        for name in names where name.first?.isNumber == true {
            let path = (directory as NSString).appendingPathComponent(name)
            let digits = name.prefix { $0.isNumber }
            guard name.hasSuffix(".sql"), name.dropFirst(digits.count).first == "_", let version = Int(digits) else {
                throw PostgresError(.migration, "\(name) is not named NNN_name.sql", statement: name, context: path)
            }
            if let other = byVersion[version] {
                throw PostgresError(.migration, "\(name) and \(other.name) share version \(version)", statement: name, context: path)
            }
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw PostgresError(.io, "cannot read migration", statement: name, context: path)
            }
            guard String(data: contents, encoding: .utf8) != nil else {
                throw PostgresError(.migration, "\(name) is not valid UTF-8", statement: name, context: path)
            }
            byVersion[version] = Migration(version: version, name: name, path: path, contents: contents)
        }
        return byVersion.values.sorted { $0.version < $1.version }
    }

    /// Reads the `*.sql` files of a folder of repeatable files, in name order (a file may use
    /// what the files before it make). No folder: none. Their `version` is their position.
    static func repeatables(in directory: String) throws -> [Migration] {
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }.sorted()
        } catch {
            throw PostgresError(.migration, "cannot list repeatable files: \(error)", context: directory)
        }
        return try names.enumerated().map { index, name in
            let path = (directory as NSString).appendingPathComponent(name)
            guard let contents = FileManager.default.contents(atPath: path), String(data: contents, encoding: .utf8) != nil else {
                throw PostgresError(.migration, "cannot read \(name) as UTF-8 text", statement: name, context: path)
            }
            return Migration(version: index + 1, name: "views/" + name, path: path, contents: contents)
        }
    }
}
