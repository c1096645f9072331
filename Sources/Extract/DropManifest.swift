import Foundation
import Pipeline

/// A drop's `MANIFEST`: `sha256  rows  filename` per file, written last by the export job.
/// A drop that has one is complete only when every file it names is there with that
/// checksum and that number of data rows (`exports.md`).
struct DropManifest {
    struct Entry: Equatable {
        var sha256: String
        var rows: Int
        var file: String
        var line: Int
    }

    static let fileName = "MANIFEST"
    var entries: [Entry]

    /// Reads the MANIFEST of a drop; nil when it has none.
    static func read(drop: URL) throws(ExtractError) -> DropManifest? {
        let path = drop.appendingPathComponent(fileName).path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .cannotRead(path: path, message: "the MANIFEST exists but cannot be read")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// Blank lines and `#` comments are ignored; the file name is the rest of the line.
    static func parse(_ text: String, path: String) throws(ExtractError) -> DropManifest {
        var entries: [Entry] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces.union(.newlines))
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(maxSplits: 2, whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count == 3 else {
                throw .manifestUnreadable(path: path, line: n + 1, message: "expected three parts: sha256, rows, file name")
            }
            let sha = parts[0].lowercased()
            guard sha.count == 64, Hex.bytes(Substring(sha)) != nil else {
                throw .manifestUnreadable(path: path, line: n + 1, message: "'\(parts[0].prefix(70))' is not a SHA-256 in hex")
            }
            guard let rows = Int(parts[1]), rows >= 0 else {
                throw .manifestUnreadable(path: path, line: n + 1, message: "'\(parts[1].prefix(20))' is not a row count")
            }
            let file = parts[2].trimmingCharacters(in: .whitespaces)
            // sha256sum marks binary mode with '*' before the name.
            entries.append(Entry(sha256: sha, rows: rows, file: file.hasPrefix("*") ? String(file.dropFirst()) : file, line: n + 1))
        }
        return DropManifest(entries: entries)
    }
}
