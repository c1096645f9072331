import Foundation

/// The deepest part of a path that is there (the path itself, or a folder above it), and
/// whether it is a folder: what a folder to be made runs into.
package struct ExistingPart: Sendable, Equatable {
    package var path: String
    package var isFolder: Bool

    /// Nil when nothing of `path` but `/` is there.
    package init?(of path: String) {
        var part = URL(fileURLWithPath: path).standardizedFileURL
        while part.path != "/" {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: part.path, isDirectory: &isFolder) {
                self.path = part.path
                self.isFolder = isFolder.boolValue
                return
            }
            part.deleteLastPathComponent()
        }
        return nil
    }
}
