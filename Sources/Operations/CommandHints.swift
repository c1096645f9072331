import Extract
import Foundation
import Pipeline
import Postgres

/// Completes the `etl …` commands a message suggests with what the command that printed it
/// was given to reach its state directory and warehouse: run as printed, a hint after
/// `--state-dir /srv/x` looked in `./.etl-state` and failed (a steward's trial).
///
/// The state directory is added when it came from `--state-dir` or `ETL_STATE_DIR` (as an
/// absolute path: a cron mail is read elsewhere), the database when it came from
/// `--database`: as given, unless it holds a secret (a password, a key's passphrase) or
/// libpq cannot read it, when the hint says to give the same one. Rebuilt without its secret,
/// it lost options (`sslrootcert`, `target_session_attrs`) that decide which server it is.
package struct CommandHints: Sendable {
    /// ` --state-dir DIR` and ` --database URL`, when they are to be given.
    private let stateDir: String?, database: String?
    /// ` --file FILE`, for a suggested `etl national` command, when the national file came from `--file`.
    private var nationalFile: String?

    package init(stateDirFlag: String?, databaseFlag: String?, state: StateLayout,
                 environment: [String: String] = ProcessInfo.processInfo.environment) {
        let chosen = stateDirFlag ?? environment["ETL_STATE_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        stateDir = chosen == nil ? nil : " --state-dir " + Self.quoted(state.root.standardizedFileURL.path)
        database = databaseFlag.map { url in
            guard let info = ConnectionInfo.parse(url), info["password"] == nil, info["sslpassword"] == nil else {
                return " the --database given here"
            }
            return " --database " + Self.quoted(url)
        }
    }

    /// The same, and the national file given as `--file` (absolute) for `etl national` commands.
    package func with(nationalFile path: String?) -> CommandHints {
        var hints = self
        hints.nationalFile = path.map { " --file " + Self.quoted(URL(fileURLWithPath: $0).standardizedFileURL.path) }
        return hints
    }

    /// `text` with each line that suggests an `etl …` command (in backquotes) ending in the
    /// options to give it, once: the commands themselves stay as every message words them.
    package func completing(_ text: String) -> String {
        guard text.contains("`etl ") else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let commands = line.matches(of: /`etl ([^`]*)`/).map(\.output.1).filter { !$0.hasPrefix("generate") }
            let national = commands.contains { $0.hasPrefix("national ") } ? nationalFile : nil
            // Masked like every line the tool writes (a CPR number in a path).
            let options = CPRInText.masking([national, stateDir, database].compactMap { $0 }.joined(separator: " and"))
            return commands.isEmpty || options.isEmpty ? String(line) : "\(line) (with\(options))"
        }.joined(separator: "\n")
    }

    /// "`etl run --pipeline P --drop D`", the paths quoted, `--force` added when asked.
    package static func runDrop(pipeline: String, drop: String, force: Bool) -> String {
        "`etl run --pipeline \(quoted(pipeline)) --drop \(quoted(drop))\(force ? " --force" : "")`"
    }

    /// Single-quoted for a shell unless it is plain.
    package static func quoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil)) || "/._-:@=%+,".unicodeScalars.contains($0)
        }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
