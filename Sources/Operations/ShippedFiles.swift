import Foundation

/// Files that ship with the tool (`pipelines/`), found like the migrations (`SchemaFiles`).
package enum ShippedFiles {
    package static func pipeline(_ name: String) throws -> String {
        let sql = URL(fileURLWithPath: try SchemaFiles.directory())
        let path = sql.deletingLastPathComponent().appendingPathComponent("pipelines/\(name).yaml").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw OperationsError.io(path: path, message: "the pipeline file that ships with etl is missing: copy the pipelines/ folder of the etl release into \(sql.deletingLastPathComponent().path) (docs/operations.md, \"Installing on the warehouse host\")")
        }
        return path
    }
}
