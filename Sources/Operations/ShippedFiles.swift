import Foundation
import Logging
import Pipeline
import Postgres
import SyntheticDrop

/// Files that ship with the tool (`pipelines/`), found like the migrations (`SchemaFiles`).
public enum ShippedFiles {
    public static func pipeline(_ name: String) throws -> String {
        let sql = URL(fileURLWithPath: try SchemaFiles.directory())
        let path = sql.deletingLastPathComponent().appendingPathComponent("pipelines/\(name).yaml").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw OperationsError.io(path: path, message: "the shipped pipeline file is missing")
        }
        return path
    }
}
