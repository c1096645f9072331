import Foundation
import Pipeline

/// Checks, before anything is read, that each export a pipeline names is in the drop as a
/// regular file the tool may read: not missing, not a directory or a pipe, and not a
/// symbolic link leading out of the drop (unless the source allows it). Links within the
/// drop are followed.
package enum DropCheck {
    /// Checks every source of the pipeline.
    package static func sources(drop: URL, config: PipelineConfig) throws(ExtractError) {
        for source in config.sources.all {
            try file(source.file, drop: drop, allowOutside: source.allowLinkOutsideDrop)
        }
    }

    /// Checks one file named relative to the drop (a source, or a file its MANIFEST names).
    package static func file(_ name: String, drop: URL, allowOutside: Bool) throws(ExtractError) {
        let path = drop.appendingPathComponent(name).path
        var link = stat()
        guard lstat(path, &link) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw .sourceMissing(file: name, drop: drop.path) }
            throw .cannotRead(path: path, message: String(cString: strerror(errno)))
        }
        let isLink = link.st_mode & S_IFMT == S_IFLNK
        guard let resolved = realPath(path) else {
            if errno == ELOOP { throw .sourceNotAFile(file: name, drop: drop.path, what: "a loop of symbolic links") }
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
            throw .sourceNotAFile(file: name, drop: drop.path, what: "a symbolic link to \(target), which does not exist")
        }
        // Outside the drop: by a link of its own, by a linked folder, or by `..` in its name.
        if !allowOutside, !within(resolved, drop) {
            throw .sourceOutsideDrop(file: name, drop: drop.path, target: resolved)
        }
        var info = stat()
        guard stat(resolved, &info) == 0 else { throw .cannotRead(path: path, message: String(cString: strerror(errno))) }
        if let what = kind(info.st_mode) {
            throw .sourceNotAFile(file: name, drop: drop.path, what: isLink ? "a symbolic link to \(what) (\(resolved))" : what)
        }
        guard access(resolved, R_OK) == 0 else {
            throw .cannotRead(path: path, message: String(cString: strerror(errno)))
        }
    }

    /// What a file that is not a regular file is, in words; nil for a regular file.
    static func kind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFIFO: "a named pipe"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }

    /// The drop as its real path, resolved once, for the checks and reads that follow: each
    /// compares with it as it is, so a drop folder swapped for a link meanwhile is not followed.
    package static func resolved(_ drop: URL) -> URL {
        URL(fileURLWithPath: realPath(drop.path) ?? drop.path, isDirectory: true)
    }

    /// Whether a real path lies in the drop (`resolved` already), or any folder so resolved.
    package static func within(_ path: String, _ drop: URL) -> Bool {
        let root = drop.path
        return path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    package static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}
