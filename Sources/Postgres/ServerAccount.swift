import Foundation
import Logging

/// The unprivileged account the server runs as when we are root.
///
/// PostgreSQL refuses to run as root, so as root (e.g. on CI) every server program runs
/// as `postgres` through `runuser` (or `setpriv` where runuser is missing), and the
/// server's files must belong to that account.
struct ServerAccount: Sendable {
    let name: String
    let uid: uid_t
    let gid: gid_t
    /// The program prefix that switches to the account.
    private let prefix: [String]

    /// The account to switch to, or nil when we are not root and simply run as ourselves.
    static func forCurrentUser(name: String = "postgres") throws -> ServerAccount? {
        guard geteuid() == 0 else { return nil }
        guard let entry = getpwnam(name) else {
            throw PostgresError(
                .server, "running as root, but there is no '\(name)' account to run PostgreSQL as (it refuses to run as root)",
                hint: "apt-get install postgresql creates it; or useradd --system \(name)")
        }
        let uid = entry.pointee.pw_uid, gid = entry.pointee.pw_gid
        let prefix: [String]
        if let runuser = firstExecutable(["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"]) {
            prefix = [runuser, "-u", name, "--"]
        } else if let setpriv = firstExecutable(["/usr/bin/setpriv", "/bin/setpriv"]) {
            prefix = [setpriv, "--reuid=\(uid)", "--regid=\(gid)", "--init-groups", "--"]
        } else {
            throw PostgresError(.server, "running as root, but neither runuser nor setpriv is available to switch to '\(name)'",
                                hint: "apt-get install util-linux")
        }
        return ServerAccount(name: name, uid: uid, gid: gid, prefix: prefix)
    }

    /// The command line that runs `command` as this account.
    func wrap(_ command: [String]) -> [String] { prefix + command }

    /// Makes `path` the account's (not recursive; a symlink itself, never what it points to).
    func own(_ path: String) throws {
        guard lchown(path, uid, gid) == 0 else {
            throw PostgresError(.server, "cannot give \(path) to '\(name)': \(String(cString: strerror(errno)))")
        }
    }

    /// Writes `text` to `path` in the server's folder and gives it to `account`. The account
    /// owns that folder and could have put a link there, so as root nothing is followed: a
    /// file written anew replaces whatever was there (O_EXCL after unlinking it: neither a
    /// symlink nor a hard link is written through), one appended to is opened with
    /// O_NOFOLLOW, and either is given away through its descriptor.
    static func write(_ text: String, to path: String, appending: Bool = false, account: ServerAccount?) throws {
        if !appending, unlink(path) != 0, errno != ENOENT {
            throw PostgresError(.server, "cannot replace \(path): \(String(cString: strerror(errno)))", context: path)
        }
        let fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | (appending ? O_CREAT | O_APPEND : O_CREAT | O_EXCL), 0o600)
        guard fd >= 0 else {
            throw PostgresError(.server, "cannot write \(path): \(String(cString: strerror(errno)))", context: path)
        }
        defer { close(fd) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 || errno == EINTR else {
                throw PostgresError(.server, "cannot write \(path): \(String(cString: strerror(errno)))", context: path)
            }
            bytes = bytes.dropFirst(max(n, 0))
        }
        if let account, fchown(fd, account.uid, account.gid) != 0 {
            throw PostgresError(.server, "cannot give \(path) to '\(account.name)': \(String(cString: strerror(errno)))")
        }
    }

    /// Gives the account search (x) permission on every directory above `path`, so the
    /// server can reach its data and socket there. A private directory of ours (a state
    /// directory, a `mkdtemp` folder: 0700 or 0710 root) is handed to the account's group
    /// with g+x (0710), so no one else may even traverse it; any other of ours gets o+x. Never
    /// read or write, and each change is logged. Another user's directory is left as it is
    /// (opening it would open their files to everyone): the steward is told what to do.
    func makeTraversable(above path: String, logger: Logger) throws {
        var ancestor = (path as NSString).deletingLastPathComponent
        var ancestors: [String] = []
        while ancestor != "/" && !ancestor.isEmpty {
            ancestors.append(ancestor)
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
        for directory in ancestors.reversed() {
            var info = stat()
            guard stat(directory, &info) == 0 else { continue }
            let ownerCanPass = info.st_uid == uid && info.st_mode & S_IXUSR != 0
            let groupCanPass = info.st_gid == gid && info.st_mode & S_IXGRP != 0
            guard !ownerCanPass, !groupCanPass, info.st_mode & S_IXOTH == 0 else { continue }
            let mode = info.st_mode & 0o7777
            guard info.st_uid == geteuid() else {
                errno = EACCES
                throw unreachable(path, "\(directory) belongs to another user (uid \(info.st_uid)) and is closed to '\(name)'; "
                                  + "its owner may open it (`chmod o+x`), or choose a state directory elsewhere")
            }
            // Private but for g+x of our own group (as `StateDirectory.secure` leaves one it
            // closed): the group is made the account's, not o+x, which the next `secure` would
            // take back. Another group's g+x is left to that group.
            if mode & 0o067 == 0, mode & S_IXGRP == 0 || info.st_gid == getegid() {
                guard chown(directory, uid_t.max, gid) == 0, chmod(directory, mode | S_IXGRP) == 0 else {
                    throw unreachable(path, "cannot give \(directory) to group '\(name)' with g+x")
                }
                logger.notice("gave \(directory) to group '\(name)' (g+x only) so the '\(name)' account can reach \(path)")
            } else {
                // Open to a group of its own: o+x would let every user reach what it holds for
                // that group (an adversarial review read a file so). Only its owner may say.
                errno = EACCES
                throw unreachable(path, String(format: "%@ (mode %o) is closed to others, and the '%@' account must pass it: "
                                               + "let that account alone through (`setfacl -m u:%@:x %@`; Debian's acl package), or choose a state directory elsewhere",
                                               directory, mode, name, name, directory))
            }
        }
    }

    private func unreachable(_ path: String, _ what: String) -> PostgresError {
        PostgresError(.server, "'\(name)' cannot reach \(path): \(what): \(String(cString: strerror(errno)))",
                      hint: "choose a state directory the '\(name)' account can traverse")
    }
}

private func firstExecutable(_ paths: [String]) -> String? {
    paths.first { FileManager.default.isExecutableFile(atPath: $0) }
}
