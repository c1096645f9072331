import Extract
import Pipeline
import Foundation

/// A name in the inbox, read as the bytes the export job wrote: Foundation's listing
/// decodes a name that is not UTF-8 into one that does not exist, and the folder was skipped.
struct InboxEntry {
    let bytes: [UInt8]
    /// The name, when it is UTF-8.
    let name: String?
    /// Whether it is a folder, or a link to one.
    let isFolder: Bool
    /// Why no drop is read from it; nil when one may be.
    let problem: String?
    /// The folder it is (or leads to), and whether it is a link, as listed.
    private let identity: (device: UInt64, inode: UInt64, link: Bool)
    private let path: [UInt8]

    /// The name as messages show it: control characters as `?`, a CPR number masked.
    var shown: String { Echo.name(String(decoding: bytes, as: UTF8.self)) }

    static func list(_ inbox: URL) throws -> [InboxEntry] {
        guard let dir = opendir(inbox.path) else {
            throw OperationsError.io(path: inbox.path, message: "cannot list the inbox: \(String(cString: strerror(errno))); check that this user may read it")
        }
        defer { closedir(dir) }
        let inboxReal = DropCheck.realPath(inbox.path).map { URL(fileURLWithPath: $0) }
        var entries: [InboxEntry] = []
        while true {
            errno = 0
            guard let found = readdir(dir) else {
                // An error midway (a network share) must not pass for the end: the newest drops may be unlisted.
                if errno != 0 { throw OperationsError.io(path: inbox.path, message: "cannot list the inbox: \(String(cString: strerror(errno))); check the share, and run again") }
                return entries
            }
            let bytes = withUnsafeBytes(of: found.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            guard bytes != Array(".".utf8), bytes != Array("..".utf8) else { continue }
            entries.append(InboxEntry(bytes: bytes, in: Array(inbox.path.utf8), real: inboxReal))
        }
    }

    private init(bytes: [UInt8], in inbox: [UInt8], real inboxReal: URL?) {
        self.bytes = bytes
        name = String(validating: bytes, as: UTF8.self)
        let path = inbox + [UInt8(ascii: "/")] + bytes + [0]
        self.path = path
        let (info, link) = Self.stats(path)
        isFolder = (info?.st_mode ?? 0) & S_IFMT == S_IFDIR
        identity = Self.identity(info, link)
        guard let name else {
            problem = "its name is not UTF-8 (shown with �); rename the folder in UTF-8"
            return
        }
        // A name is shown in messages, the ledger and the summary line that cron mails: an
        // escape sequence or a line break there would reach the steward's terminal or forge a line.
        if Echo.holdsUnshowable(name) {
            problem = "its name holds control characters (shown as ?); rename the folder"
            return
        }
        // Nor a CPR number: one folder so named must not stop every night (a review).
        if CPRInText.isIn(name: name) {
            problem = "its name holds a CPR number (shown masked), which would be stored and shown in clear; rename the folder"
            return
        }
        // The newest drop is the last by name, so a drop is named by its day, `yyyy-mm-dd`
        // first: `arkiv/` was taken as the newest, dated today, and every later night said
        // "already loaded" (a new steward's trial), and `30-11-2026` sorted after `2026-12-01`.
        guard Self.drop(named: name) != nil else {
            problem = "its name is not the day of its exports (yyyy-mm-dd, or yyyy-mm-dd-2 for a second drop of the day), and drops "
                + "are taken by that day: rename it so, move any other folder (an archive, a copy) out of the inbox, or name it with --drop"
            return
        }
        // As for an export that links out of its drop: whoever writes the inbox could point
        // the run at any folder the tool may read.
        if identity.link {
            let target = DropCheck.realPath(String(decoding: path.dropLast(), as: UTF8.self))
            guard let target, let inboxReal, DropCheck.within(target, inboxReal) else {
                problem = "a link to a folder outside the inbox; the nightly run takes only the inbox's own drops: move the drop into the inbox, or name it with --drop"
                return
            }
        }
        problem = nil
    }

    /// The day and number a drop's folder is named by: `yyyy-mm-dd` (the day's first, 1) or
    /// `yyyy-mm-dd-N`; nil for any other name. A copy (`2026-11-21.bak`, `2026-11-21 kopi`)
    /// sorted after the day's second drop by name and was loaded instead of it (a review).
    static func drop(named name: String) -> (day: Day, number: Int)? {
        guard let day = Day(iso: String(name.prefix(10))) else { return nil }
        let rest = name.dropFirst(10)
        if rest.isEmpty { return (day, 1) }
        let digits = rest.dropFirst()
        guard rest.first == "-", !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits), n >= 1 else { return nil }
        return (day, n)
    }

    /// Newer first: by day, then by number (`-10` after `-9`); other names last, by their bytes.
    static func newerFirst(_ a: InboxEntry, _ b: InboxEntry) -> Bool {
        switch (a.name.flatMap(drop(named:)), b.name.flatMap(drop(named:))) {
        case let (x?, y?): return x.day != y.day ? x.day > y.day : x.number != y.number ? x.number > y.number : b.bytes.lexicographicallyPrecedes(a.bytes)
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return b.bytes.lexicographicallyPrecedes(a.bytes)
        }
    }

    /// Whether it is still the folder it was when listed: one swapped for another (or for a
    /// link) while the scan read it may have given the scan another folder's files.
    var unchanged: Bool {
        let (info, link) = Self.stats(path)
        return info != nil && Self.identity(info, link) == identity
    }

    private static func stats(_ path: [UInt8]) -> (followed: stat?, link: stat?) {
        path.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { name in
                var info = stat(), link = stat()
                return (stat(name.baseAddress!, &info) == 0 ? info : nil, lstat(name.baseAddress!, &link) == 0 ? link : nil)
            }
        }
    }

    private static func identity(_ info: stat?, _ link: stat?) -> (device: UInt64, inode: UInt64, link: Bool) {
        (UInt64(info?.st_dev ?? 0), UInt64(info?.st_ino ?? 0), (link?.st_mode ?? 0) & S_IFMT == S_IFLNK)
    }
}
