import Foundation
import Testing
import Operations
import Pipeline

/// The commands a message suggests reach what the command that printed it reached (a
/// steward's trial: run as printed, they looked in `./.etl-state`).
@Suite struct CommandHintsTests {
    let state = StateLayout(root: URL(fileURLWithPath: "/srv/etl state"))

    @Test func aHintGetsTheStateDirectoryAndDatabaseItsCommandWasGiven() {
        let hints = CommandHints(stateDirFlag: "/srv/etl state", databaseFlag: "postgresql://etl@db.example/etl", state: state, environment: [:])
        #expect(hints.completing("see them with `etl rejects 2026`; then `etl run --from transform --run 2026` loads this")
                == "see them with `etl rejects 2026`; then `etl run --from transform --run 2026` loads this "
                + "(with --state-dir '/srv/etl state' --database postgresql://etl@db.example/etl)")
        // Line by line (`etl runs show`), and only lines that suggest a command `etl generate` is not.
        #expect(hints.completing("run 1\nnext  `etl publish 1`\n`etl generate --out d`\netl runs\n")
                == "run 1\nnext  `etl publish 1` (with --state-dir '/srv/etl state' --database postgresql://etl@db.example/etl)"
                + "\n`etl generate --out d`\netl runs\n")
    }

    @Test func thePasswordIsNeverInAHint() {
        let hints = CommandHints(stateDirFlag: nil, databaseFlag: "postgresql://etl:s3cret@db.example:5433/etl?sslmode=require",
                                 state: state, environment: [:])
        let hint = hints.completing("`etl runs`")
        #expect(!hint.contains("s3cret") && hint.contains("etl@db.example:5433/etl") && hint.contains("sslmode=require"), "\(hint)")
        #expect(hint.hasPrefix("`etl runs` (with --database '"), "a URL with ? is quoted for the shell: \(hint)")
    }

    @Test func theDefaultsAddNothingAndTheEnvironmentsStateDirectoryIsNamed() {
        #expect(CommandHints(stateDirFlag: nil, databaseFlag: nil, state: state, environment: [:]).completing("`etl runs`") == "`etl runs`")
        #expect(CommandHints(stateDirFlag: nil, databaseFlag: nil, state: StateLayout(root: URL(fileURLWithPath: "/var/lib/etl")),
                             environment: ["ETL_STATE_DIR": "/var/lib/etl"]).completing("`etl runs`") == "`etl runs` (with --state-dir /var/lib/etl)")
    }
}
