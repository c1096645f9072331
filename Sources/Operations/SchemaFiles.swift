import Foundation
import Pipeline

/// Where the numbered migrations (`sql/`) are: `ETL_SQL_DIR`, else `share/etl/sql` beside
/// the installed binary, else the source checkout this binary was built from.
///
/// They run as the warehouse's superuser on every connection, so they must come from a
/// folder no other user can change: the binary is found through `/proc/self/exe`, never
/// through a path relative to the working directory, and a folder, or a file in it, that
/// anyone may write is refused. (Files of another user are not: a checkout made by a build
/// account and run by root is common, on CI too.)
package enum SchemaFiles {
    /// This very binary, as the kernel knows it (`/proc/self/exe`): never `argv[0]`, which is
    /// `etl` when it was found on PATH and named `./etl` of the current folder (a review).
    static let ownBinary = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")

    package static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        // Named, it is the only one: a typo fell back to another folder's migrations in silence (a review).
        if let dir = environment["ETL_SQL_DIR"], !dir.isEmpty {
            guard FileManager.default.fileExists(atPath: dir + "/001_ledger.sql") else {
                throw OperationsError.io(path: dir, message: "ETL_SQL_DIR names no folder of SQL migrations (it has no 001_ledger.sql); "
                                         + "name the sql/ folder that came with this etl, or unset ETL_SQL_DIR")
            }
            try checkTrusted(dir)
            return dir
        }
        var candidates: [String] = []
        if let executable = ownBinary {
            candidates.append(URL(fileURLWithPath: executable).deletingLastPathComponent()
                .appendingPathComponent("../share/etl/sql").standardizedFileURL.path)
        }
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../sql").standardizedFileURL.path)
        for dir in candidates where FileManager.default.fileExists(atPath: dir + "/001_ledger.sql") {
            try checkTrusted(dir)
            return dir
        }
        throw OperationsError.io(path: candidates.joined(separator: ", "),
                                 message: "the SQL migrations (sql/) are not there; set ETL_SQL_DIR to the folder that holds them")
    }

    /// Refuses `dir` when it, anything in it, or a folder above it that is not sticky
    /// (others could rename `dir` away there) belongs to a user other than this one and root,
    /// or may be written by a user other than its owner: any user, or a group that has another
    /// member (a team's checkout, say). Another user's own files passed, and ran their
    /// `COPY … TO PROGRAM` as the server's account (an adversarial review).
    static func checkTrusted(_ dir: String) throws {
        // Gone while checked: whatever is there when they are read was not checked (a re-test's link came and went).
        if case .missing(let step) = OtherWriters.way(to: dir) {
            throw OperationsError.io(path: dir, message: "the SQL migrations' folder changed while it was checked (\(step) was gone): refused. "
                + "Install them where only you (or root) can change them, and point ETL_SQL_DIR there")
        }
        var own = [dir]
        let walker = FileManager.default.enumerator(atPath: dir)
        while let name = walker?.nextObject() as? String { own.append(dir + "/" + name) }
        // A plain loop: a lazy compactMap's `first` asks twice, and a tree changed in between trapped (a re-test).
        var found: (String, String)?
        for path in own {
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            if ![0, geteuid()].contains(info.st_uid) { found = (path, "its owner, \(OtherWriters.owner(info.st_uid))"); break }
            if let writers = OtherWriters.of(info, path: path) { found = (path, writers); break }
            // A link in it leads where this walk does not look (a re-test's led into another user's folder).
            if path != dir, lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
                found = (path, "whoever may change where it leads (it is a link; install the files themselves)"); break
            }
        }
        found = found ?? OtherWriters.folderAbove(dir, othersOwning: true)
        guard let (path, writers) = found else { return }
        throw OperationsError.io(path: path, message: "the SQL migrations run as the warehouse's superuser, and \(path) "
            + "may be written by \(writers.trimmingCharacters(in: [","])): refused. Install them where only you (or root) can change them, and point ETL_SQL_DIR there")
    }
}
