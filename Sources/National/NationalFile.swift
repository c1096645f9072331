import Foundation
import Pipeline

/// The national file (`national.yaml`, docs/national.md): the municipalities whose feeds the
/// coordinator reads, and how it publishes. Passwords are never in it: each municipality
/// names the environment variable or the file that holds its feed role's password.
package struct NationalFile: Sendable {
    package var path: String
    /// The coordinator's database (libpq); nil: `--database`, the environment, or the
    /// embedded server under the state directory.
    package var database: String?
    /// The national views' small-cell minimum, raised to the largest of the municipalities'.
    package var smallCellMinimum: Int
    /// The length of the national evaluation panel's periods.
    package var period: EvaluationPeriodLength
    /// Published snapshots kept (the published one always is).
    package var keepSnapshots: Int
    /// Seconds a feed may take to answer a connection, set on each server unless its `feed` says.
    package var connectTimeout: Int
    /// Seconds a statement of the coordinator may take (`statement_timeout`): a feed that
    /// stops answering mid-read stops the command, not holds it (and its lock) for good.
    package var readTimeout: Int = 300
    package var municipalities: [Member]

    package struct Member: Sendable, Equatable {
        /// As the municipality's pipeline file names it (`municipality:`), which its feed states.
        package var name: String
        /// The three-digit municipality code (101 København … 860 Hjørring).
        package var code: String
        /// libpq connection to its warehouse, without a password.
        package var feed: String
        package var password: PasswordSource
        /// Where the entry starts in the file, for errors.
        package var line: Int?

        /// The postgres_fdw server of this municipality.
        package var server: String { "municipality_\(code)" }
    }

    package enum PasswordSource: Sendable, Equatable, CustomStringConvertible {
        case environment(String)
        /// An absolute path (relative ones are resolved against the national file's folder).
        case file(String)

        package var description: String {
            switch self {
            case .environment(let name): "environment variable \(name)"
            case .file(let path): "file \(path)"
            }
        }
    }

    package static let defaultFeedUser = "national_feed"
}

extension NationalFile.Member {
    /// The feed role's password, read now from where the file says. A password file must be
    /// its owner's only (as libpq requires of `.pgpass`).
    package func readPassword(file: NationalFile, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> String
    {
        func refuse(_ key: String, _ message: String) -> ConfigFileError {
            ConfigFileError(path: file.path, line: line, key: "municipalities[\(name)].\(key)", message: message)
        }
        switch password {
        case .environment(let variable):
            // It would be sent to the feed's server: a re-test had the key sent so (from another user's file).
            guard variable != "ETL_PSEUDONYM_KEY" else {
                throw refuse("password_env", "names the pseudonymisation key, which is no password and would be sent to the feed's server: "
                             + "name the variable that holds \(name)'s feed password")
            }
            guard let value = environment[variable], !value.isEmpty else {
                throw refuse("password_env", "the environment variable \(variable) is not set; set it to the password of \(name)'s feed role")
            }
            return value
        case .file(let path):
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw refuse("password_file", "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            // Read by this user and sent to the feed's server: only a file of this user's (or root's), not any it may read.
            guard [0, geteuid()].contains(info.st_uid) else {
                throw refuse("password_file", "\(path) belongs to another user (uid \(info.st_uid)): a password file must be your own")
            }
            guard info.st_mode & 0o077 == 0 else {
                throw refuse("password_file", "\(path) may be read by others (mode \(String(info.st_mode & 0o777, radix: 8))); chmod 600 it")
            }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw refuse("password_file", "cannot read \(path) as UTF-8 text")
            }
            let password = text.trimmingCharacters(in: .newlines)
            guard !password.isEmpty else { throw refuse("password_file", "\(path) is empty") }
            return password
        }
    }
}
