import CGlibcExtras
import Foundation
import Synchronization

/// Who besides its owner may change a file or folder: what the migrations (`SchemaFiles`),
/// the state directory (`StateDirectory`), the files a command trusts (`TrustedFile`) and the
/// pseudonym key file (`PseudonymKey`) are refused for.
package enum OtherWriters {
    /// "any user", "group NAME", "the users or groups its access control list names", or nil
    /// when only its owner (and root) may write `path`, whose status is `info`. A group whose
    /// only member besides root is the owner (Debian's user private group; or a gid with no
    /// name here, as a folder mounted into a container has) is the owner's own.
    package static func of(_ info: stat, path: String) -> String? {
        if info.st_mode & S_IWOTH != 0 { return "any user" }
        if aclLetsOthersWrite(path) { return "the users or groups its access control list names" }
        guard info.st_mode & S_IWGRP != 0 else { return nil }
        // getgrgid, getpwuid and getpwent share static buffers.
        return userDatabase.withLock { _ in
            let gid = info.st_gid
            let owner = getpwuid(info.st_uid).map { String(cString: $0.pointee.pw_name) }
            let group = getgrgid(gid)
            let name = group.map { "group " + String(cString: $0.pointee.gr_name) } ?? "group \(gid)"
            var member = group?.pointee.gr_mem
            while let m = member?.pointee {
                if ![owner, "root"].contains(String(cString: m)) { return name }
                member = member?.advanced(by: 1)
            }
            // Users whose primary group it is are members too.
            setpwent(); defer { endpwent() }
            while let pw = getpwent() {
                if pw.pointee.pw_gid == gid, ![info.st_uid, 0].contains(pw.pointee.pw_uid) { return name }
            }
            return nil
        }
    }

    private static let userDatabase = Mutex(())

    /// "a default access control list" or "an access control list naming users or groups"
    /// when `path` has one (`setfacl`), nil otherwise.
    package static func accessControlList(_ path: String) -> String? {
        if getxattr(path, "system.posix_acl_default", nil, 0) > 0 { return "a default access control list" }
        let named = aclEntries(path).contains { $0.tag == 0x02 || $0.tag == 0x08 }   // ACL_USER, ACL_GROUP
        return named ? "an access control list naming users or groups" : nil
    }

    /// The entries of `path`'s access control list as Linux stores it: a 4-byte header, then
    /// 8-byte entries of tag, permissions, id.
    private static func aclEntries(_ path: String) -> [(tag: UInt16, permissions: UInt16)] {
        var bytes = [UInt8](repeating: 0, count: 4096)
        let n = getxattr(path, "system.posix_acl_access", &bytes, bytes.count)
        guard n > 4 else { return [] }
        func u16(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
        return stride(from: 4, through: n - 8, by: 8).map { (u16($0), u16($0 + 2)) }
    }

    /// Whether `path`'s POSIX access control list (`setfacl`) lets a named user or group write
    /// it: its mode's group bits are then the list's mask, and its group may be the owner's
    /// own, so the mode alone let another user's write through (an adversarial review).
    private static func aclLetsOthersWrite(_ path: String) -> Bool {
        let entries = aclEntries(path)
        let (user, group, mask): (UInt16, UInt16, UInt16) = (0x02, 0x08, 0x10)
        let maskAllows = entries.first { $0.tag == mask }.map { $0.permissions & 0x2 != 0 } ?? true
        return maskAllows && entries.contains { ($0.tag == user || $0.tag == group) && $0.permissions & 0x2 != 0 }
    }

    /// `path` as the kernel follows it, each existing step's links resolved in turn (`realpath`),
    /// the rest as written: a state directory not yet made lies where its existing folders
    /// lead. A `..` after a link leads to the folder above the link's target: tidied as text
    /// first, `link/../page.html` was taken for a page beside the link, and the check passed
    /// for another user's folder (a re-test).
    package static func resolved(_ path: String) -> URL {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var current = "/", rest = absolute.split(separator: "/").map(String.init)
        while let next = rest.first {
            if next == "." || next.isEmpty { rest.removeFirst(); continue }
            if next == ".." { current = (current as NSString).deletingLastPathComponent; rest.removeFirst(); continue }
            guard let real = realpath((current as NSString).appendingPathComponent(next), nil) else { break }
            defer { free(real) }
            current = String(cString: real)
            rest.removeFirst()
        }
        return URL(fileURLWithPath: rest.reduce(current) { ($0 as NSString).appendingPathComponent($1) }).standardizedFileURL
    }

    /// What is on the way to a path, followed as the kernel follows it.
    package enum Way {
        /// Every step there, and no link another user made.
        case clear
        /// A step not there (not made yet, or gone meanwhile).
        case missing(String)
        /// A link a user other than this one and root made: they may point it elsewhere at
        /// any moment, in a sticky folder too.
        case linkByOthers(String, uid_t)
    }

    /// The way to `path` as written, `..` after a link included: a re-test swapped a folder's
    /// link between a check and the read, and then hid it behind `link/..`, which a tidied
    /// path had dropped.
    package static func way(to path: String) -> Way {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var pending = absolute.split(separator: "/").map(String.init)
        var current = "", hops = 0
        while !pending.isEmpty {
            let next = pending.removeFirst()
            if next == "." || next.isEmpty { continue }
            if next == ".." { current = (current as NSString).deletingLastPathComponent; if current == "/" { current = "" }; continue }
            let candidate = current + "/" + next
            var info = stat()
            guard lstat(candidate, &info) == 0 else { return .missing(candidate) }
            guard info.st_mode & S_IFMT == S_IFLNK else { current = candidate; continue }
            if ![0, geteuid()].contains(info.st_uid) { return .linkByOthers(candidate, info.st_uid) }
            hops += 1
            guard hops < 40, let target = try? FileManager.default.destinationOfSymbolicLink(atPath: candidate) else { return .missing(candidate) }
            if target.hasPrefix("/") { current = "" }
            pending = target.split(separator: "/").map(String.init) + pending
        }
        return .clear
    }

    /// "user NAME", or "uid N" when it has no name here.
    package static func owner(_ uid: uid_t) -> String {
        userDatabase.withLock { _ in getpwuid(uid).map { "user " + String(cString: $0.pointee.pw_name) } ?? "uid \(uid)" }
    }

    /// The first folder above `path` (as written, and with symbolic links resolved) that a
    /// user other than its owner may write and that is not sticky, or (`othersOwning`) that
    /// belongs to a user other than this one and root: there, that user could rename `path`
    /// away and put a folder or link of theirs in its place.
    package static func folderAbove(_ path: String, othersOwning: Bool = false) -> (path: String, writers: String)? {
        if case .linkByOthers(let link, let uid) = way(to: path) { return (link, "\(owner(uid)), who made that link,") }
        var folders: [String] = []
        for start in [URL(fileURLWithPath: path).standardizedFileURL, resolved(path)] {
            var folder = start.deletingLastPathComponent()
            while folder.path != "/" {
                if !folders.contains(folder.path) { folders.append(folder.path) }
                folder.deleteLastPathComponent()
            }
        }
        for folder in folders {
            var info = stat()
            guard stat(folder, &info) == 0 else { continue }
            if othersOwning, ![0, geteuid()].contains(info.st_uid) { return (folder, "its owner, \(owner(info.st_uid)),") }
            guard info.st_mode & S_ISVTX == 0, let writers = of(info, path: folder) else { continue }
            return (folder, writers)
        }
        return nil
    }
}
