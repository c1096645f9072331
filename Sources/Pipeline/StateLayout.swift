import Foundation

/// Where things live under the state directory:
///
///     <state>/postgres/              the embedded server (cluster, socket, log)
///     <state>/pseudonym.key          the pseudonymisation key of the embedded default
///     <state>/runs/<id>/extract/     typed records, rejects, manifest.json
///     <state>/runs/<id>/transform/   fact rows in COPY format, manifest.json
///     <state>/runs/<id>/run.json     what the run was started with
package struct StateLayout: Sendable {
    package let root: URL

    package init(root: URL) { self.root = root.standardizedFileURL }

    /// `--state-dir`, else `ETL_STATE_DIR`, else `.etl-state` in the working directory. An
    /// empty one is none: as a path it named the working directory (an adversarial review).
    package static func resolve(_ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> StateLayout {
        let path = [explicit, environment["ETL_STATE_DIR"]].compactMap { $0 }.first { !$0.isEmpty } ?? ".etl-state"
        return StateLayout(root: URL(fileURLWithPath: path, isDirectory: true))
    }

    package var postgres: URL { root.appendingPathComponent("postgres", isDirectory: true) }
    package var runs: URL { root.appendingPathComponent("runs", isDirectory: true) }
    package var defaultKeyFile: URL { root.appendingPathComponent("pseudonym.key") }
    /// The fingerprint of the key this state directory's runs are extracted with.
    package var keyFingerprintFile: URL { root.appendingPathComponent("pseudonym.key-fingerprint") }
    package var lockFile: URL { root.appendingPathComponent("etl.lock") }

    package func run(_ id: RunID) -> RunFolder { RunFolder(root: runs.appendingPathComponent(id.description, isDirectory: true), id: id) }
}
