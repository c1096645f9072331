import Foundation
import Logging
import Pipeline

/// What the tool writes is readable by its owner only: pseudonymised records are still
/// personal data. `etl` sets the umask 077 once at start (so every file it makes is 0600
/// and every folder 0700), and `secure` tightens a state directory found looser, with
/// everything in it, so one written by an older version is closed too.
///
/// The one bit a state directory may keep beyond 0700 is g+x: run as root, the embedded
/// server's account reaches `<state>/postgres` through it (`ServerAccount`), without
/// being able to list the directory or open anything else in it.
package enum StateDirectory {
    /// The umask `etl` runs with.
    package static let umask: mode_t = 0o077

    /// Tightens `state` when group or others may read or write it, or others enter it;
    /// then every file and folder under it, except the server's data (PostgreSQL's rules).
    /// Harmless when it does not exist: nothing is created here. Returns what it changed.
    ///
    /// A state directory that belongs to another user is refused: whoever made it could have
    /// left a key file or a server of theirs in it, to learn the pseudonyms or receive the
    /// data (the same holds for the server's folder in it: `EmbeddedServer`). So is one in a
    /// folder another user may write (`OtherWriters`): they could rename it away, and the
    /// next night would make a new warehouse and key, or use a folder of theirs; or one in a
    /// folder another user owns, who may do the same. (Checked once it is there; where it is
    /// made, by `checkBeforeMaking`: a command that only names `--database` never makes it.)
    /// A state directory that is a link another user made is refused, as they could point it
    /// elsewhere; and one found open is closed, then refused while anything in it is another
    /// user's (a link for the cron wrapper's log, say): its owner is to look at that first.
    @discardableResult
    package static func secure(_ state: StateLayout, logger: Logger) throws -> [String] {
        let root = state.root.path
        // Its path is in messages, the server's settings and `etl warehouse psql-url` (an adversarial review).
        try PipelineRunner.refuseUnsafePath(root, what: "the state directory's path", fix: "Name another folder")
        var info = stat()
        if lstat(root, &info) == 0, info.st_mode & S_IFMT == S_IFLNK, ![0, geteuid()].contains(info.st_uid) {
            throw OperationsError.io(path: root, message: "the state directory is a link that \(OtherWriters.owner(info.st_uid)) made, "
                + "who could point it elsewhere: refused. Name the folder itself with --state-dir")
        }
        if FileManager.default.fileExists(atPath: root) { try checkFoldersAbove(root) }
        if stat(root, &info) == 0, info.st_uid != geteuid() {
            throw OperationsError.io(path: root, message: "the state directory belongs to another user (uid \(info.st_uid)), "
                + "who could have put a key or a server of theirs in it: refused. Use a state directory of your own, "
                + "or have this one given to you (`chown -R`)")
        }
        guard lstat(root, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return [] }
        // Its mode then shows the list's mask, not who may read it; and a default list overrules the umask.
        if let acl = OtherWriters.accessControlList(root) {
            throw OperationsError.io(path: root, message: "the state directory has \(acl), which may let other users read or change "
                + "what is in it whatever its mode says: refused. Remove it (`setfacl -R -b -k \(root)`) and run again")
        }
        let open = info.st_mode & 0o067 != 0
        if open, let unlike = unlikeAStateDirectory(state, info) {
            throw OperationsError.io(path: root, message: "\(unlike), not a state directory: refused, and nothing in it changed "
                + "(a state directory found open to others is closed, with everything in it). A typo? Name the state directory "
                + "itself, a new or empty folder, or one etl made, with --state-dir or ETL_STATE_DIR")
        }
        // Closed first, so that nothing more is added while what is in it is looked at.
        var changed: [String] = []
        if open { try tighten(root, keep: 0o710, &changed) }
        // Looked through every time, not only when found open: closed by the command that
        // refused it, it was taken as it was by the next (a review).
        let skip = state.postgres.path
        var paths: [String] = [], others: [String] = []
        let walker = FileManager.default.enumerator(atPath: root)
        while let name = walker?.nextObject() as? String {
            let path = root + "/" + name
            if path == skip { walker?.skipDescendants(); continue }
            if lstat(path, &info) == 0, info.st_uid != geteuid() { others.append(path) }
            paths.append(path)
        }
        if !others.isEmpty {
            throw OperationsError.io(path: root, message: "\(others.count) of the things in the state directory are not yours "
                + "(\(others.prefix(5).joined(separator: ", "))): another user may have put them there while it was open to others"
                + (open ? " (it is closed now)" : "") + ". Look at them, remove what is not yours, then `chmod -R go= \(root)`")
        }
        guard open else { return [] }
        for path in paths { try tighten(path, keep: 0o700, &changed) }
        logger.notice("the state directory was open to other users: closed it", metadata: [
            "state": "\(root)", "changed": "\(changed.count)"])
        return changed
    }

    /// Why the open folder at `state` is not one to close with everything in it, or nil: one
    /// others share (sticky, as `/tmp` is), or one that holds anything etl does not make in a
    /// state directory. A typo (`/var/lib` for `/var/lib/etl`) made every file below it its
    /// owner's only; a folder was taken for one by a `logs` in it, which another user could
    /// add (two adversarial reviews).
    private static func unlikeAStateDirectory(_ state: StateLayout, _ info: stat) -> String? {
        if info.st_mode & S_ISVTX != 0 { return "it is a folder others share (sticky, as /tmp is)" }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: state.root.path)) ?? []
        // What etl and the cron wrapper make there (`StateLayout`; `logs`: the wrapper's).
        let made = [state.lockFile, state.runs, state.postgres, state.defaultKeyFile, state.keyFingerprintFile].map(\.lastPathComponent)
            + ["logs", "demo", "bench"]
        let foreign = entries.filter { !made.contains($0) }.sorted()
        guard !foreign.isEmpty else { return nil }
        return "it holds \(foreign.count) file(s) or folder(s) etl does not make in a state directory (\(foreign.prefix(3).joined(separator: ", ")))"
    }

    /// Before a state directory is made (the run lock's folder, the embedded server's): a
    /// first run's folder, swapped by another user while it ran, took the key and the load
    /// (an adversarial review).
    package static func checkBeforeMaking(_ root: String) throws {
        guard !FileManager.default.fileExists(atPath: root) else { return }
        try checkFoldersAbove(root)
        // A default list where it is made is inherited by every folder made under it, and overrules the umask: a first
        // night's stage files were 0644 (a re-test; and two folders up, the next).
        var parent = OtherWriters.resolved(root).deletingLastPathComponent()
        while parent.path != "/", !FileManager.default.fileExists(atPath: parent.path) { parent.deleteLastPathComponent() }
        if let acl = OtherWriters.accessControlList(parent.path), acl.hasPrefix("a default") {
            throw OperationsError.io(path: root, message: "the state directory would be made in \(parent.path), which has \(acl): "
                + "what etl writes there would be open to the users it names, whatever etl asks. Remove it (`setfacl -k \(parent.path)`) "
                + "or make the state directory elsewhere")
        }
    }

    private static func checkFoldersAbove(_ root: String) throws {
        guard let (folder, writers) = OtherWriters.folderAbove(root, othersOwning: true) else { return }
        throw OperationsError.io(path: root, message: "the state directory is in \(folder), which \(writers) may write: "
            + "they could rename it away and put a folder of theirs in its place. Keep it where only you (or root) "
            + "can change the folders above it")
    }

    /// Clears every permission bit outside `keep` (never follows a symlink).
    private static func tighten(_ path: String, keep: mode_t, _ changed: inout [String]) throws {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT != S_IFLNK else { return }
        let mode = info.st_mode & 0o7777
        guard mode & ~keep != 0 else { return }
        guard chmod(path, mode & keep) == 0 else {
            throw OperationsError.io(path: path, message: "cannot restrict its permissions: \(String(cString: strerror(errno))); run `chmod -R go= \(path)`")
        }
        changed.append(path)
    }
}
