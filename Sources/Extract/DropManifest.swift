import Foundation
import Pipeline

/// A drop's `MANIFEST`: `sha256  rows  filename` per file, written last by the export job.
/// A drop that has one is complete only when every file it names is there with that
/// checksum and that number of data rows (`exports.md`). The one reader of it: extract
/// checks a drop by it, and `etl run --inbox` tells a complete drop from one still being
/// written by it.
package struct DropManifest: Sendable, Equatable {
    package struct Entry: Sendable, Equatable {
        /// Lowercase hex.
        package var sha256: String
        package var rows: Int
        package var file: String
        /// 1-based, for messages.
        package var line: Int
    }

    package static let fileName = "MANIFEST"
    package var entries: [Entry]

    /// The data rows of every file it names.
    package var rows: Int { entries.reduce(0) { $0 + $1.rows } }

    /// A file name as the drop's file system sees it (`./a.csv` and `a.csv` are one file), to
    /// match MANIFEST lines with the pipeline's sources.
    package static func sameFile(_ name: String) -> String {
        URL(fileURLWithPath: name, relativeTo: URL(fileURLWithPath: "/drop", isDirectory: true)).standardizedFileURL.path
    }

    /// A MANIFEST names a handful of files: one larger than this is no MANIFEST.
    static let maxBytes = 1 << 20

    /// Reads the MANIFEST of a drop; nil when it has none. It is checked as the exports are:
    /// a regular file in the drop (not a link out of it, a pipe or a device), and read only
    /// up to `maxBytes`.
    package static func read(drop: URL) throws(ExtractError) -> DropManifest? {
        let path = drop.appendingPathComponent(fileName).path
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        try DropCheck.file(fileName, drop: drop, allowOutside: false)
        // Through the exports' reader: it refuses what was swapped for a link or a pipe meanwhile.
        let file = try ChunkedFile(path: path, confinedTo: drop)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: maxBytes + 1, alignment: 1)
        defer { buffer.deallocate() }
        let n = try file.read(into: buffer)
        if let form = UTF8Check.wideUnicodeForm(UnsafePointer(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)), count: n) {
            throw .manifestUnreadable(path: path, line: nil, message: "it is \(form) (\(ExtractError.wideUnicodeSign(form))); a MANIFEST is ASCII, as sha256sum writes it (iconv -f \(form) -t UTF-8 converts it)")
        }
        guard n <= maxBytes else {
            throw .manifestUnreadable(path: path, line: nil, message: "it is larger than \(maxBytes >> 20) MiB, which no MANIFEST of a drop's files is")
        }
        return try parse(String(decoding: UnsafeRawBufferPointer(rebasing: buffer[..<n]), as: UTF8.self), path: path)
    }

    /// One entry a line, its three parts separated by spaces or tabs (`sha256sum` writes two
    /// spaces, and a `*` before the name in binary mode); the file name is the rest of the
    /// line. Blank lines and `#` comments are skipped, CRLF line ends read as LF.
    package static func parse(_ text: String, path: String) throws(ExtractError) -> DropManifest {
        var entries: [Entry] = []
        var named: [String: Int] = [:]
        // "\r\n" is one Character in Swift, so it is named as a separator of its own.
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces.union(.newlines))
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(maxSplits: 2, whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count == 3 else {
                throw .manifestUnreadable(path: path, line: n + 1, message: "expected three parts: sha256, rows, file name")
            }
            // Quoted through `Echo`: a MANIFEST is text from outside, and may hold anything.
            let sha = parts[0].lowercased()
            guard sha.count == 64, Hex.bytes(Substring(sha)) != nil else {
                throw .manifestUnreadable(path: path, line: n + 1, message: "'\(Echo.text(parts[0].utf8, limit: 70))' is not a SHA-256 in hex")
            }
            // At most twelve digits: no export has a trillion rows, and their sum cannot overflow.
            guard parts[1].count <= 12, let rows = Int(parts[1]), rows >= 0 else {
                throw .manifestUnreadable(path: path, line: n + 1, message: "'\(Echo.text(parts[1].utf8))' is not a row count")
            }
            var file = parts[2].trimmingCharacters(in: .whitespaces)
            if file.hasPrefix("*") { file.removeFirst() }
            // A name is shown in messages: control characters there would reach a terminal.
            // One that is not UTF-8 names no file as it is read (with U+FFFD in its place).
            if Echo.holdsUnshowable(file) {
                throw .manifestUnreadable(path: path, line: n + 1, message: "the file name \(Echo.text(file.utf8, limit: 200)) holds control characters or bytes that are not UTF-8 (shown as ? or �)")
            }
            // Said as such: checked as a file of the drop, `../x` was reported "missing".
            guard !file.hasPrefix("/"), !file.split(separator: "/").contains("..") else {
                throw .manifestUnreadable(path: path, line: n + 1,
                                          message: "\(Echo.text(file.utf8)) is not in the drop folder: a MANIFEST names the drop's own files")
            }
            if let earlier = named.updateValue(n + 1, forKey: Self.sameFile(file)) {
                throw .manifestUnreadable(path: path, line: n + 1, message: "\(Echo.text(file.utf8)) is named twice (lines \(earlier) and \(n + 1))")
            }
            entries.append(Entry(sha256: sha, rows: rows, file: file, line: n + 1))
        }
        return DropManifest(entries: entries)
    }
}
