import Extract
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

    /// The name as messages show it: control characters as `?`, a CPR number masked.
    var shown: String { Echo.text(bytes, limit: 200) }

    static func list(_ inbox: URL) throws -> [InboxEntry] {
        guard let dir = opendir(inbox.path) else {
            throw OperationsError.io(path: inbox.path, message: "cannot list the inbox: \(String(cString: strerror(errno))); check that this user may read it")
        }
        defer { closedir(dir) }
        let inboxReal = realPath(inbox.path)
        var entries: [InboxEntry] = []
        while let found = readdir(dir) {
            let bytes = withUnsafeBytes(of: found.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            guard bytes != Array(".".utf8), bytes != Array("..".utf8) else { continue }
            entries.append(InboxEntry(bytes: bytes, in: Array(inbox.path.utf8), real: inboxReal))
        }
        return entries
    }

    private init(bytes: [UInt8], in inbox: [UInt8], real inboxReal: String?) {
        self.bytes = bytes
        name = String(validating: bytes, as: UTF8.self)
        let path = inbox + [UInt8(ascii: "/")] + bytes + [0]
        var info = stat(), link = stat()
        isFolder = path.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { stat($0.baseAddress!, &info) == 0 && lstat($0.baseAddress!, &link) == 0 }
        } && info.st_mode & S_IFMT == S_IFDIR
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
        // As for an export that links out of its drop: whoever writes the inbox could point
        // the run at any folder the tool may read.
        if link.st_mode & S_IFMT == S_IFLNK, let inboxReal {
            if let target = Self.realPath(String(decoding: path.dropLast(), as: UTF8.self)), !target.hasPrefix(inboxReal.hasSuffix("/") ? inboxReal : inboxReal + "/") {
                problem = "a link to a folder outside the inbox; the nightly run takes only the inbox's own drops: move the drop into the inbox, or name it with --drop"
                return
            }
        }
        problem = nil
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
