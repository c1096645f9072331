import Extract
import Foundation
import Pipeline

/// A drop: one night's export folder.
package struct Drop: Sendable {
    package let url: URL

    /// Its real path (`DropCheck.resolved`): the files are checked against it as it is.
    package init(url: URL) { self.url = DropCheck.resolved(url.absoluteURL.standardizedFileURL) }

    package var name: String { url.lastPathComponent }

    /// The newest complete drop of an inbox (see `scan`).
    package static func newest(in inbox: URL, config: PipelineConfig) throws -> Drop {
        try scan(inbox, config: config).drop
    }

    /// The newest drop of an inbox (by folder name, as `2026-11-21/` sorts) that has every
    /// source file and, when it has a MANIFEST, every file the MANIFEST names, the sources
    /// with the checksums it gives (their rows are counted by extract); and every
    /// newer folder that is not complete, with what it lacks, so none is skipped in silence.
    /// (A drop still being written is incomplete too: its MANIFEST, written last, is missing
    /// or names files not there yet; one without a MANIFEST, while its files still change.)
    /// Files and hidden folders in the inbox are not drops.
    package static func scan(_ inbox: URL, config: PipelineConfig, now: Date = Date()) throws -> InboxScan {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: inbox.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw OperationsError.inboxMissing(inbox: inbox.path, exists: fm.fileExists(atPath: inbox.path))
        }
        // `lost+found`: what a file system keeps at its root, where an inbox may be.
        let entries = try InboxEntry.list(inbox).filter { $0.bytes.first != UInt8(ascii: ".") && $0.name != "lost+found" && $0.isFolder }
        // A folder that can be no drop is reported wherever it sorts: one older than the drop
        // taken (`01-12-2026`, `#tmp`) was passed over in silence (a review).
        var incomplete = entries.filter { $0.problem != nil }.sorted(by: InboxEntry.newerFirst)
            .map { IncompleteDrop(path: inbox.appendingPathComponent($0.shown).path, missing: [$0.problem!]) }
        for entry in entries.filter({ $0.problem == nil }).sorted(by: InboxEntry.newerFirst) {
            guard let name = entry.name else { continue }   // one without a problem is UTF-8
            let drop = Drop(url: inbox.appendingPathComponent(name, isDirectory: true))
            var missing = drop.missing(config)
            if missing.isEmpty {
                let manifest = (try? DropManifest.read(drop: drop.url)) ?? nil   // `missing` found it readable, or none
                // A file still being copied is there, but its checksum is not yet the MANIFEST's,
                // or (a file the MANIFEST does not name, or every file without one) its time is recent.
                missing = drop.changedLately(config, now: now, unnamedIn: manifest)
                if missing.isEmpty {
                    let sums: [(file: String, sha256: String)]
                    do { sums = try drop.sourceChecksums(config: config) } catch let error as ExtractError {
                        guard let why = Self.noDrop(error) else { throw error }
                        incomplete.append(IncompleteDrop(path: drop.url.path, missing: [why]))
                        continue
                    }
                    missing = manifest.map { drop.differing(from: $0, sums) } ?? []
                    if missing.isEmpty, let ahead = drop.dayAhead(config, now: now) { missing = [ahead] }
                    if missing.isEmpty, !entry.unchanged { missing = ["it was replaced while it was read; run again"] }
                    if missing.isEmpty { return InboxScan(drop: drop, sums: sums, newerIncomplete: incomplete) }
                }
            }
            incomplete.append(IncompleteDrop(path: drop.url.path, missing: missing))
        }
        throw OperationsError.noDrop(inbox: inbox.path, incomplete: incomplete)
    }

    /// Why an error hashing a folder's exports makes it no drop, not the night a failure (an
    /// older drop may be whole): an export that links out of the drop, that changed while it
    /// was hashed (still being written), or that is no file once opened (swapped: a re-test
    /// found the night failed on these). nil: a file that cannot be read (permissions, I/O)
    /// stops the night, as the fix is this machine's.
    static func noDrop(_ error: ExtractError) -> String? {
        func name(_ path: String) -> String { Echo.name((path as NSString).lastPathComponent) }
        switch error {
        case let .sourceOutsideDrop(file, _, target):
            return "\(Echo.name(file)) (refused: it leads out of the drop, to \(Echo.name(target)); copy the file into the drop, "
                + "or set `allow_link_outside_drop: true` for it in the pipeline file if the link is intended)"
        case let .dropIncomplete(file, detail): return "\(name(file)) (\(detail))"
        case let .cannotRead(path, message) where message.hasSuffix(", not a file"): return "\(name(path)) (\(message))"
        default: return nil
        }
    }

    /// Why a drop whose day, as `AsOf` reads it (its udtraeksdato, else its folder's name), is
    /// after tomorrow is no drop for the night: taken, it stopped every night until the clock
    /// caught up, and the older whole drop was never loaded (an adversarial review). nil when
    /// its day is not ahead, or the pipeline file sets `as_of`.
    func dayAhead(_ config: PipelineConfig, now: Date) -> String? {
        guard config.asOf == nil else { return nil }
        let today = AsOf.day(of: now)
        for (day, from) in [(ExportDate.read(drop: url, config: config), "its udtraeksdato"), (Day(iso: String(name.prefix(10))), "its folder's name")] {
            guard let day else { continue }
            guard day > today + 1 else { return nil }
            return "\(from) says \(day), after tomorrow (today is \(today), UTC): no export is made in the future; ask for a corrected export"
        }
        return nil
    }

    /// What the drop lacks: source files of the pipeline, and files its MANIFEST names.
    package func missing(_ config: PipelineConfig) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return ["the drop folder itself (not there, or not a folder)"]
        }
        var missing: [String] = []
        for source in config.sources.all {
            if let problem = problem(source.file, allowOutside: source.allowLinkOutsideDrop) { missing.append("\(source.file) (\(problem))") }
        }
        let manifest: DropManifest?
        do { manifest = try DropManifest.read(drop: url) } catch {
            return missing + ["\(DropManifest.fileName) (\(Self.unreadable(error)))"]
        }
        for entry in manifest?.entries ?? [] where !config.sources.all.contains(where: { DropManifest.sameFile($0.file) == DropManifest.sameFile(entry.file) }) {
            if let problem = problem(entry.file, allowOutside: false) {
                missing.append("\(Echo.name(entry.file)) (named in the MANIFEST, line \(entry.line); \(problem))")
            }
        }
        return missing
    }

    /// Whether the drop has no MANIFEST (one that cannot be read, it has: `missing` says so).
    package var lacksManifest: Bool {
        do { return try DropManifest.read(drop: url) == nil } catch { return false }
    }

    /// The source files a drop's MANIFEST does not name: nothing checks that they are whole.
    /// None without a MANIFEST (`lacksManifest` says that) or with one that cannot be read
    /// (`missing` says that).
    package func unlisted(_ config: PipelineConfig) -> [String] {
        guard let manifest = try? DropManifest.read(drop: url) else { return [] }
        return config.sources.all.map(\.file).filter { !Self.names($0, manifest) }
    }

    private static func names(_ file: String, _ manifest: DropManifest?) -> Bool {
        manifest?.entries.contains { DropManifest.sameFile($0.file) == DropManifest.sameFile(file) } ?? false
    }

    /// How long the files of a drop without a MANIFEST must have been left alone before an
    /// inbox's run takes it: such a drop is taken as it is (`exports.md`), and a copy in
    /// progress is told only by its files still changing.
    static let settleSeconds = 120

    /// The source files that `manifest` does not name (all of them without one) changed
    /// within `settleSeconds`, each said as `IncompleteDrop` says what a drop lacks.
    func changedLately(_ config: PipelineConfig, now: Date, unnamedIn manifest: DropManifest?) -> [String] {
        config.sources.all.filter { !Self.names($0.file, manifest) }.compactMap { source in
            let path = url.appendingPathComponent(source.file).path
            guard let changed = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                  case let age = Int(now.timeIntervalSince(changed).rounded(.down)), age < Self.settleSeconds else { return nil }
            let rule = manifest == nil ? "a drop without a MANIFEST is taken once its files have" : "a file its MANIFEST does not name is taken once it has"
            // A time ahead of this clock (the export server's clock is ahead) may be a copy in
            // progress as well as any other: it is waited for, from that time on.
            let when = age >= 0 ? "changed \(age) s ago" : "changed at a time \(-age) s ahead of this machine's clock (is the export server's clock ahead?)"
            return "\(source.file) (\(when); \(rule) been left alone for \(Self.settleSeconds / 60) minutes)"
        }
    }

    /// Why the MANIFEST cannot be read, without its path (the drop is named beside it).
    private static func unreadable(_ error: ExtractError) -> String {
        switch error {
        case .manifestUnreadable(_, let line, let message): "unreadable: " + (line.map { "line \($0): " } ?? "") + message
        case .cannotRead(_, let message): "unreadable: \(message)"
        default: "\(error)"
        }
    }

    /// Why a file of the drop is not there to be read (missing, or not a file), as extract's
    /// check finds it; nil when it is there (a file refused for where it leads, or that
    /// cannot be read, is there: extract says why it is refused).
    private func problem(_ name: String, allowOutside: Bool) -> String? {
        do throws(ExtractError) {
            try DropCheck.file(name, drop: url, allowOutside: allowOutside)
            return nil
        } catch .sourceMissing {
            return "missing"
        } catch let .sourceNotAFile(_, _, what) {
            return "not a file: \(what)"
        } catch {
            return nil
        }
    }

    /// A checksum of the drop's source files (their names and sha256, `sourceChecksums`),
    /// which tells a drop already loaded from a new one.
    static func checksum(_ sums: [(file: String, sha256: String)]) -> String {
        var all = SHA256Sum()
        for (file, sum) in sums { all.update(Data((file + "  " + sum + "\n").utf8)) }
        return all.hex()
    }

    /// Refuses a drop that lacks a file (66, naming each) or whose source is a directory, a
    /// pipe or a link out of the drop.
    package func requireWhole(_ config: PipelineConfig) throws {
        let missing = missing(config)
        guard missing.isEmpty else { throw OperationsError.dropIncomplete(drop: url.path, missing: missing) }
        try DropCheck.sources(drop: url, config: config)
    }

    /// The sha256 of each source file, by file name.
    package func sourceChecksums(config: PipelineConfig) throws -> [(file: String, sha256: String)] {
        try requireWhole(config)
        let sources = config.sources.all.sorted { $0.file < $1.file }
        return zip(sources, try Self.sha256(of: sources, in: url)).map { (file: $0.file, sha256: $1) }
    }

    /// The sources' SHA-256s, hashed on both cores; the first unreadable one by name is the one
    /// named. As extract reads them (`ChunkedFile`): a pipe or a device swapped in after
    /// `DropCheck` looked is refused on the file opened, where a plain open hung the night with
    /// its lock held (an adversarial review), and so is a link out of the drop.
    static func sha256(of sources: [PipelineConfig.Source], in drop: URL) throws(ExtractError) -> [String] {
        let resolved = DropCheck.resolved(drop)
        return try ForkJoin.map(sources.count) { (i) throws(ExtractError) -> String in
            try ChunkedFile.digest(path: drop.appendingPathComponent(sources[i].file).path,
                                   confinedTo: sources[i].allowLinkOutsideDrop ? nil : resolved).sha256
        }
    }

    /// The MANIFEST held to files loaded before, without extracting them again: their
    /// checksums (those of the files it names besides too), and the data rows the run that
    /// loaded them read (`rowsRead`, by `DropManifest.sameFile`).
    func verifyManifest(_ sums: [(file: String, sha256: String)], rowsRead: [String: Int], config: PipelineConfig) throws {
        guard let manifest = try DropManifest.read(drop: url) else { return }
        let differing = differing(from: manifest, sums)
        guard differing.isEmpty else { throw OperationsError.dropIncomplete(drop: url.path, missing: differing) }
        // The lines of files it does not load are held to them too, as extract holds them (a re-test).
        try ExtractStage.checkOtherFiles(manifest, drop: url, sources: config.sources.all)
        try ExtractStage.checkRows(manifest, rowsRead: rowsRead, drop: url)
    }

    /// The source files whose checksum is not the one `manifest` gives them, each said as
    /// `IncompleteDrop` says what a drop lacks.
    func differing(from manifest: DropManifest, _ sums: [(file: String, sha256: String)]) -> [String] {
        let listed = Dictionary(manifest.entries.map { (DropManifest.sameFile($0.file), $0.sha256) }) { first, _ in first }
        return sums.compactMap { sum in
            guard let expected = listed[DropManifest.sameFile(sum.file)], expected != sum.sha256 else { return nil }
            return "\(sum.file) (not the checksum its MANIFEST gives: still being copied, or changed since)"
        }
    }
}
