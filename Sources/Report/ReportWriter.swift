import CGlibcExtras
import Foundation
import Pipeline
import Postgres

/// Renders the report and writes it where it belongs.
package enum ReportWriter {
    /// The report of the published run (or of the kept run `run`), read through the reader
    /// role on `connection`, which the report keeps in that role: give it a connection of its
    /// own. `options` may depend on the run shown (its pipeline file's language and control group).
    package static func render(connection: Connection, run: RunID? = nil,
                               options: (RunID?) -> Options) throws -> (html: String, run: RunID?) {
        // Not the report's to fail for: a connection that cannot read the ledger makes the page without it.
        let notPublished = (try? ReportData.NotPublishedRun.read(connection)) ?? []
        let reader = try MetricsReader(connection: connection, run: run)
        let data = try ReportData.read(reader, requested: run, notPublished: notPublished)
        let shown = data.run.values["run_id"].flatMap { $0 }.flatMap(RunID.init)
        let chosen = options(shown)
        return (ReportDocument(data: data, language: chosen.language, lead: chosen.lead, committee: chosen.committee).render(), shown)
    }

    /// What the pipeline file decides about a report: its language and the control group it leads with.
    package struct Options: Sendable {
        package var language: ReportLanguage
        package var lead: EvaluationControlGroup
        /// Whom the page is for (`report.committee`); nil: the social committee.
        package var committee: String?

        package init(language: ReportLanguage, lead: EvaluationControlGroup = .neverTreated, committee: String? = nil) {
            self.language = language; self.lead = lead; self.committee = committee
        }

        /// From a pipeline file; English, never-treated and the social committee without one.
        package init(_ config: PipelineConfig?, language: ReportLanguage? = nil) {
            self.init(language: language ?? config?.report.language ?? .en, lead: config?.evaluation.controlGroup ?? .neverTreated,
                      committee: config?.report.committee)
        }
    }

    /// Why `folder` could not be made, said of the part of its path in the way (Foundation's
    /// own message is a sentence about an "operation"), else in Foundation's words (a full
    /// disk, a read-only file system).
    private static func whyNot(creating folder: URL, _ error: any Error) -> String {
        guard let part = ExistingPart(of: folder.path) else { return "no part of its path can be made" }
        guard part.isFolder else { return "\(part.path) is a file, not a folder" }
        return access(part.path, W_OK) == 0 ? error.localizedDescription : "\(part.path) may not be written by this user"
    }

    /// Writes `text` to `path` so that a reader sees the old file or the new one, never half
    /// of one: a temporary file in the same folder, flushed, then renamed over `path`.
    /// `mode` nil keeps the mode of this user's file it replaces, less execute bits and
    /// others' write (a steward who made the page readable for an intranet keeps that);
    /// a new file, or one another user put there, is owner-only like everything the tool writes.
    ///
    /// The folder may be shared (an intranet folder): the temporary file has a name no one
    /// can guess and is created new (O_EXCL, O_NOFOLLOW), so no file or link another user
    /// put there is written through or handed the report.
    package static func writeAtomically(_ text: String, to path: String, mode: mode_t?) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        try refuseOthersWay(to: path)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ReportError.write(path: folder.path, message: "cannot create the folder: \(whyNot(creating: folder, error))")
        }
        try refuseOthersWay(to: path)   // as made: a folder of theirs may have appeared meanwhile
        if let system = systemPath(path) {
            throw ReportError.write(path: path, message: "it leads to \(system), among the system's devices and processes, which the page "
                                    + "would replace, not write to: refused. Name a regular file (or - for standard output)")
        }
        var existing = stat(), target = stat()
        let found = lstat(path, &existing) == 0
        // The page replaces what is there: a device or a pipe, or a link to one, would be
        // replaced, not written to (`--out /dev/null` as root replaced the machine's, and
        // `/dev/stdout` is a link: an adversarial review). A link to a file is replaced, as
        // one another user put in a shared folder must not be followed.
        var kind = found ? existing.st_mode & S_IFMT : S_IFREG
        if kind == S_IFLNK { kind = stat(path, &target) == 0 ? target.st_mode & S_IFMT : S_IFREG }   // a dangling link is replaced
        guard kind == S_IFREG else {
            let what = switch kind {
            case S_IFDIR: "a folder"
            case S_IFCHR, S_IFBLK: "a device"
            case S_IFIFO: "a named pipe"
            default: "not a regular file"
            }
            throw ReportError.write(path: path, message: "it is \(what)\(existing.st_mode & S_IFMT == S_IFLNK ? " (through a link)" : ""), "
                                    + "which the page would replace, not write to: refused. Name a regular file (or - for standard output)")
        }
        let permissions = mode ?? (found && existing.st_mode & S_IFMT == S_IFREG && existing.st_uid == geteuid() ? existing.st_mode & 0o664 : 0o600)
        sweep(folder, name: url.lastPathComponent)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path
        // Written unnamed where the file system allows, named only once whole: a stop or a
        // kill while writing left full copies of the page in the folder, which no later
        // command removed (an adversarial review). Else under the temporary name.
        let unnamed = etl_open_unnamed(folder.path, permissions)
        if unnamed >= 0 {
            defer { close(unnamed) }
            try fill(unnamed, with: text, permissions: permissions, what: temporary)
            if etl_name_unnamed(unnamed, temporary) == 0 { return try put(temporary, at: path) }
            // No /proc to name it through: written again, the named way.
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, permissions)
        guard fd >= 0 else { throw ReportError.write(path: temporary, message: String(cString: strerror(errno))) }
        defer { close(fd) }
        do { try fill(fd, with: text, permissions: permissions, what: temporary) } catch { unlink(temporary); throw error }
        try put(temporary, at: path)
    }

    /// The page is what the committee reads: a folder on its way that another user owns or may
    /// write (not sticky), or a link they made, lets them replace it or lead it into any
    /// folder this user may write (an adversarial review), as for the key file.
    private static func refuseOthersWay(to path: String) throws {
        guard let (folder, writers) = OtherWriters.folderAbove(path, othersOwning: true) else { return }
        throw ReportError.write(path: path, message: "it lies in \(folder), where \(writers) may replace the page or lead it elsewhere: refused. "
                                + "Write it into a folder only you (or root) can change; others may still read it (chmod 755 on the folder, 644 on the page)")
    }

    /// Removes what a write killed in the moment between naming the whole page and renaming it
    /// left (`.NAME.UUID.tmp`; an adversarial review stretched that moment and killed it there):
    /// this user's regular files only, a minute old, so no write still under way loses its own.
    private static func sweep(_ folder: URL, name: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        let prefix = ".\(name).", now = time(nil)
        for entry in entries where entry.hasPrefix(prefix) && entry.hasSuffix(".tmp")
            && UUID(uuidString: String(entry.dropFirst(prefix.count).dropLast(4))) != nil {
            let path = folder.appendingPathComponent(entry).path
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(), now - info.st_mtim.tv_sec > 60 else { continue }
            unlink(path)
        }
    }

    /// Writes `text` to `fd`, with the mode asked for (open() applied the umask), and flushes it.
    private static func fill(_ fd: Int32, with text: String, permissions: mode_t, what path: String) throws {
        let failed = writeAll(Array(text.utf8), to: fd)
        guard failed == 0 else { throw ReportError.write(path: path, message: String(cString: strerror(failed))) }
        guard fchmod(fd, permissions) == 0 && fsync(fd) == 0 else { throw ReportError.write(path: path, message: String(cString: strerror(errno))) }
    }

    /// Writes all of `bytes` to `fd`, through interruptions: 0, or the errno of the write that failed.
    package static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Int32 {
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            written += n
        }
        return 0
    }

    /// Renames the whole `temporary` over `path`.
    private static func put(_ temporary: String, at path: String) throws {
        guard rename(temporary, path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporary)
            throw ReportError.write(path: path, message: message)
        }
    }

    /// The first of `path` and the links it leads through that lies under /dev, /proc or /sys,
    /// or nil. `/dev/stdout` leads to `/proc/self/fd/1`, a regular file when standard output
    /// is redirected to one: replacing it replaced the machine's link (a re-test).
    private static func systemPath(_ path: String) -> String? {
        let system = ["/dev/", "/proc/", "/sys/"]
        var current = URL(fileURLWithPath: path).standardizedFileURL.path
        for _ in 0..<40 {
            if system.contains(where: current.hasPrefix) { return current }
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { return nil }
            current = URL(fileURLWithPath: target, relativeTo: URL(fileURLWithPath: current).deletingLastPathComponent())
                .standardizedFileURL.path
        }
        return nil
    }
}
