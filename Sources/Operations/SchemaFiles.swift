import Foundation

/// Where the numbered migrations (`sql/`) are: `ETL_SQL_DIR`, else `share/etl/sql` beside
/// an installed binary, else the source checkout this binary was built from.
package enum SchemaFiles {
    package static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        var candidates: [String] = []
        if let dir = environment["ETL_SQL_DIR"] { candidates.append(dir) }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        candidates.append(executable.deletingLastPathComponent().appendingPathComponent("../share/etl/sql").standardizedFileURL.path)
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../sql").standardizedFileURL.path)
        for dir in candidates where FileManager.default.fileExists(atPath: dir + "/001_ledger.sql") {
            return dir
        }
        throw OperationsError.io(path: candidates.joined(separator: ", "),
                                 message: "the SQL migrations (sql/) are not there; set ETL_SQL_DIR to the folder that holds them")
    }
}
