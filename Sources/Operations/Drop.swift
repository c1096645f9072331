import Extract
import Foundation
import Pipeline

/// A drop folder that is not complete, and what it lacks.
package struct IncompleteDrop: Sendable, Equatable, CustomStringConvertible {
    package var path: String
    package var missing: [String]

    package var description: String { "\(path): \(missing.joined(separator: ", "))" }
}

/// What an inbox holds: the drop to run, and the newer folders that are not complete.
package struct InboxScan: Sendable {
    package var drop: Drop
    package var newerIncomplete: [IncompleteDrop]
}

/// A drop: one night's export folder.
package struct Drop: Sendable {
    package let url: URL

    package init(url: URL) { self.url = url.absoluteURL.standardizedFileURL }

    package var name: String { url.lastPathComponent }
    package var hasManifest: Bool { FileManager.default.fileExists(atPath: url.appendingPathComponent("MANIFEST").path) }

    /// The newest complete drop of an inbox (see `scan`).
    package static func newest(in inbox: URL, config: PipelineConfig) throws -> Drop {
        try scan(inbox, config: config).drop
    }

    /// The newest drop of an inbox (by folder name, as `2026-11-21/` sorts) that has every
    /// source file and, when it has a MANIFEST, every file the MANIFEST names; and every
    /// newer folder that is not complete, with what it lacks, so none is skipped in silence.
    /// (A drop still being written is incomplete too: its MANIFEST, written last, is missing
    /// or names files not there yet.) Files and hidden folders in the inbox are not drops.
    package static func scan(_ inbox: URL, config: PipelineConfig) throws -> InboxScan {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: inbox.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw OperationsError.inboxMissing(inbox: inbox.path, exists: fm.fileExists(atPath: inbox.path))
        }
        let names: [String]
        do { names = try fm.contentsOfDirectory(atPath: inbox.path) } catch {
            throw OperationsError.io(path: inbox.path, message: "cannot list the inbox: \(error.localizedDescription)")
        }
        var incomplete: [IncompleteDrop] = []
        for name in names.sorted(by: >) where !name.hasPrefix(".") {
            let drop = Drop(url: inbox.appendingPathComponent(name, isDirectory: true))
            guard fm.fileExists(atPath: drop.url.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            let missing = drop.missing(config)
            if missing.isEmpty { return InboxScan(drop: drop, newerIncomplete: incomplete) }
            incomplete.append(IncompleteDrop(path: drop.url.path, missing: missing))
        }
        throw OperationsError.noDrop(inbox: inbox.path, incomplete: incomplete)
    }

    /// What the drop lacks: source files of the pipeline, and files its MANIFEST names.
    package func missing(_ config: PipelineConfig) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return ["the drop folder itself (not there, or not a folder)"]
        }
        var missing: [String] = []
        for source in config.sources.all {
            if let problem = Self.problem(url.appendingPathComponent(source.file)) { missing.append("\(source.file) (\(problem))") }
        }
        if hasManifest {
            guard let text = try? String(contentsOf: url.appendingPathComponent("MANIFEST"), encoding: .utf8) else {
                return missing + ["MANIFEST (unreadable)"]
            }
            let named = text.split(whereSeparator: \.isNewline)
                .compactMap { $0.split(separator: " ", omittingEmptySubsequences: true).last.map(String.init) }
            for file in named where !config.sources.all.contains(where: { $0.file == file }) {
                if let problem = Self.problem(url.appendingPathComponent(file)) { missing.append("\(file) (named in the MANIFEST; \(problem))") }
            }
        }
        return missing
    }

    /// Why `file` is not an export file that can be read, or nil.
    private static func problem(_ file: URL) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory) else { return "missing" }
        return isDirectory.boolValue ? "a folder, not a file" : nil
    }

    /// A checksum of the drop's source files (their names and sha256), which tells a drop
    /// already loaded from a new one.
    package func checksum(config: PipelineConfig) throws -> String {
        let missing = missing(config)
        guard missing.isEmpty else { throw OperationsError.dropIncomplete(drop: url.path, missing: missing) }
        try DropCheck.sources(drop: url, config: config)   // a directory, a pipe, a link out of the drop
        var all = Checksum()
        for source in config.sources.all.sorted(by: { $0.file < $1.file }) {
            let path = url.appendingPathComponent(source.file).path
            let sum: String
            do { sum = try Checksum.file(path) } catch {
                throw OperationsError.io(path: path, message: "cannot read the export file: \(error.localizedDescription); check its permissions")
            }
            all.update(Data((source.file + "  " + sum + "\n").utf8))
        }
        return all.hex()
    }

    /// The export date an XML export carries on its root (`udtraeksdato`), read from its first bytes.
    package func exportDate(config: PipelineConfig) -> Day? {
        for source in config.sources.all where source.format == .xml {
            guard let handle = FileHandle(forReadingAtPath: url.appendingPathComponent(source.file).path),
                  let head = try? handle.read(upToCount: 4096) else { continue }
            try? handle.close()
            let text = String(decoding: head, as: UTF8.self)
            if let range = text.range(of: #"udtraeksdato\s*=\s*["'](\d{4}-\d{2}-\d{2})["']"#, options: .regularExpression) {
                let match = text[range]
                if let day = Day(iso: match.dropLast().suffix(10)) { return day }
            }
        }
        return nil
    }
}

/// The as-of date of a run: `--as-of`, else the pipeline file's `as_of`, else the export
/// date on an XML export's root, else a drop folder named `yyyy-mm-dd`, else today (UTC).
package enum AsOf {
    package static func resolve(explicit: Day?, config: PipelineConfig, drop: Drop, today: Date = Date()) -> (day: Day, from: String) {
        if let explicit { return (explicit, "--as-of") }
        if let day = config.asOf { return (day, "pipeline file") }
        if let day = drop.exportDate(config: config) { return (day, "udtraeksdato") }
        if let day = Day(iso: drop.name) { return (day, "drop folder name") }
        let days = Int32((today.timeIntervalSince1970 / 86400).rounded(.down))
        return (Day(rawValue: days), "today")
    }
}
