import Foundation

/// Files that ship with the tool (`pipelines/`), found like the migrations (`SchemaFiles`).
package enum ShippedFiles {
    package static func pipeline(_ name: String) throws -> String {
        let sql = URL(fileURLWithPath: try SchemaFiles.directory())
        let path = sql.deletingLastPathComponent().appendingPathComponent("pipelines/\(name).yaml").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw OperationsError.io(path: path, message: "the pipeline file that ships with etl is missing; reinstall etl, or set ETL_SQL_DIR to the sql/ folder of a checkout")
        }
        return path
    }
}
