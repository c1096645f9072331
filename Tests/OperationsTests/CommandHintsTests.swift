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
                + "(with --state-dir '/srv/etl state' and --database postgresql://etl@db.example/etl)")
        // Line by line (`etl runs show`), and only lines that suggest a command `etl generate` is not.
        #expect(hints.completing("run 1\nnext  `etl publish 1`\n`etl generate --out d`\netl runs\n")
                == "run 1\nnext  `etl publish 1` (with --state-dir '/srv/etl state' and --database postgresql://etl@db.example/etl)"
                + "\n`etl generate --out d`\netl runs\n")
    }

    /// A URL with a secret (a password, a key's passphrase), or one libpq cannot read, is not
    /// repeated: rebuilt without the secret it would name another server's options.
    @Test func noSecretIsInAHint() {
        for url in ["postgresql://etl:s3cret@db.example:5433/etl?sslmode=require",
                    "host=db.example dbname=etl sslkey=/k sslpassword=s3cret", "postgresql://etl:s3cret@[bad"] {
            let hint = CommandHints(stateDirFlag: nil, databaseFlag: url, state: state, environment: [:]).completing("`etl runs`")
            #expect(hint == "`etl runs` (with the --database given here)", "\(hint)")
        }
        let plain = CommandHints(stateDirFlag: nil, databaseFlag: "postgresql://etl@db.example/etl?sslmode=verify-full&sslrootcert=/ca.pem",
                                 state: state, environment: [:]).completing("`etl runs`")
        #expect(plain == "`etl runs` (with --database 'postgresql://etl@db.example/etl?sslmode=verify-full&sslrootcert=/ca.pem')",
                "as given, quoted for the shell: \(plain)")
    }

    /// A suggested `etl national` command needs the national file too, when it came from
    /// `--file` (a review: run as printed, it stopped for want of one); others do not.
    @Test func aNationalHintGetsTheNationalFile() {
        let hints = CommandHints(stateDirFlag: "/srv/nat", databaseFlag: nil, state: StateLayout(root: URL(fileURLWithPath: "/srv/nat")),
                                 environment: [:]).with(nationalFile: "/srv/national.yaml")
        #expect(hints.completing("or publish without them: `etl national publish --partial`\n`etl warehouse status`")
                == "or publish without them: `etl national publish --partial` (with --file /srv/national.yaml and --state-dir /srv/nat)"
                + "\n`etl warehouse status` (with --state-dir /srv/nat)")
        #expect(CommandHints(stateDirFlag: nil, databaseFlag: nil, state: state, environment: [:]).with(nationalFile: "/n.yaml")
                    .completing("`etl national status`") == "`etl national status` (with --file /n.yaml)")
    }

    @Test func theDefaultsAddNothingAndTheEnvironmentsStateDirectoryIsNamed() {
        #expect(CommandHints(stateDirFlag: nil, databaseFlag: nil, state: state, environment: [:]).completing("`etl runs`") == "`etl runs`")
        #expect(CommandHints(stateDirFlag: nil, databaseFlag: nil, state: StateLayout(root: URL(fileURLWithPath: "/var/lib/etl")),
                             environment: ["ETL_STATE_DIR": "/var/lib/etl"]).completing("`etl runs`") == "`etl runs` (with --state-dir /var/lib/etl)")
    }
}
