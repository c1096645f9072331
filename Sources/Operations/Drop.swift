import Extract
import Foundation
import Pipeline

/// A drop: one night's export folder.
public struct Drop: Sendable {
    public let url: URL

    public init(url: URL) { self.url = url.standardizedFileURL }

    public var name: String { url.lastPathComponent }
    public var hasManifest: Bool { FileManager.default.fileExists(atPath: url.appendingPathComponent("MANIFEST").path) }

    /// The newest drop of an inbox (by folder name, as `2026-11-21/` sorts) that has every
    /// source file and, when it has a MANIFEST, every file the MANIFEST names. A drop still
    /// being written is skipped: its MANIFEST, written last, is missing or names files not there yet.
    public static func newest(in inbox: URL, config: PipelineConfig) throws -> Drop {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: inbox.path)) ?? []
        for name in names.sorted(by: >) where !name.hasPrefix(".") {
            let drop = Drop(url: inbox.appendingPathComponent(name, isDirectory: true))
            if drop.looksComplete(config) { return drop }
        }
        throw OperationsError.noDrop(inbox: inbox.path)
    }

    func looksComplete(_ config: PipelineConfig) -> Bool {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue else { return false }
        var needed = config.sources.all.map(\.file)
        if hasManifest {
            let text = (try? String(contentsOf: url.appendingPathComponent("MANIFEST"), encoding: .utf8)) ?? ""
            needed += text.split(separator: "\n").compactMap { $0.split(separator: " ", omittingEmptySubsequences: true).last.map(String.init) }
        }
        return needed.allSatisfy { fm.fileExists(atPath: url.appendingPathComponent($0).path) }
    }

    /// A checksum of the drop's source files (their names and sha256), which tells a drop
    /// already loaded from a new one.
    public func checksum(config: PipelineConfig) throws -> String {
        try DropCheck.sources(drop: url, config: config)   // missing, a directory, a link out of the drop
        var all = Checksum()
        for source in config.sources.all.sorted(by: { $0.file < $1.file }) {
            let path = url.appendingPathComponent(source.file).path
            guard FileManager.default.fileExists(atPath: path) else {
                throw OperationsError.io(path: path, message: "the export file is missing; the drop is incomplete")
            }
            all.update(Data((source.file + "  " + (try Checksum.file(path)) + "\n").utf8))
        }
        return all.hex()
    }

    /// The export date an XML export carries on its root (`udtraeksdato`), read from its first bytes.
    public func exportDate(config: PipelineConfig) -> Day? {
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
public enum AsOf {
    public static func resolve(explicit: Day?, config: PipelineConfig, drop: Drop, today: Date = Date()) -> (day: Day, from: String) {
        if let explicit { return (explicit, "--as-of") }
        if let day = config.asOf { return (day, "pipeline file") }
        if let day = drop.exportDate(config: config) { return (day, "udtraeksdato") }
        if let day = Day(iso: drop.name) { return (day, "drop folder name") }
        let days = Int32((today.timeIntervalSince1970 / 86400).rounded(.down))
        return (Day(rawValue: days), "today")
    }
}
