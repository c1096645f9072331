import Extract
import Foundation
import Glibc
import Pipeline
import Postgres

/// The run ledger: what each run read, did and how it ended.
///
/// - `etl.runs`: a run, recorded once when it starts (its id, drop, municipality), and how
///   its last attempt ended;
/// - `etl.attempts`: every command that worked on a run (the night's `etl run`, a stage
///   rerun, `run --from`), with its pipeline file, checksum, settings and program version;
/// - `etl.stages`: every attempt of every stage;
/// - `etl.files`: the export files of the run's latest extract (each load keeps its own);
/// - `etl.warehouse`: the municipality the warehouse holds, recorded at its first run, and
///   the pseudonym key's fingerprint, at its first extract.
///
/// A finished attempt is never rewritten: a rerun adds rows.
package struct Ledger {
    package let connection: Connection

    package init(connection: Connection) { self.connection = connection }

    /// A new run: what it was started on, recorded once.
    package struct RunStart: Sendable {
        package var run: RunID
        package var pipeline: String
        package var municipality: String
        package var drop: String
        package var dropChecksum: String
        package var asOf: Day
        package var windowFrom: Day
        package var windowTo: Day
        package var smallCellMinimum: Int
    }

    /// One attempt: the command, its stages, and the pipeline file and settings it ran with.
    package struct AttemptStart: Sendable {
        package var run: RunID
        package var command: String
        package var first: Stage
        package var last: Stage
        package var pipeline: String
        package var pipelineSHA256: String?
        package var municipality: String
        package var asOf: Day
        package var windowFrom: Day
        package var windowTo: Day
        package var smallCellMinimum: Int
    }

    /// What a warehouse holds: one municipality, real or the demo's.
    package struct Holder: Sendable, Equatable {
        package var municipality: String
        package var demo: Bool
        package var firstRun: RunID
    }

    package func holder() throws -> Holder? {
        let rows = try connection.query("SELECT municipality, demo, first_run FROM etl.warehouse", name: "warehouse holder")
        guard let row = rows.first, let municipality = row.string(0), let demo = try row.bool(1), let first = try row.int(2)
        else { return nil }
        return Holder(municipality: municipality, demo: demo, firstRun: RunID(rawValue: Int64(first)))
    }

    /// The fingerprint of the key the warehouse's runs are extracted with; nil before one is recorded.
    package func keyFingerprint() throws -> String? {
        try connection.query("SELECT key_fingerprint FROM etl.warehouse", name: "warehouse key").first?.string(0)
    }

    /// Records an extract's key as the warehouse's, when none is recorded or `replacing` (`etl run --new-key`).
    package func recordKeyFingerprint(_ fingerprint: String, replacing: Bool) throws {
        _ = try connection.execute("""
            UPDATE etl.warehouse SET key_fingerprint = $1 WHERE key_fingerprint IS NULL OR ($2 AND key_fingerprint <> $1)
            """, [fingerprint, String(replacing)], name: "record the warehouse's key")
    }

    package func exists(_ run: RunID) throws -> Bool {
        try !connection.query("SELECT 1 FROM etl.runs WHERE run_id = $1", [run.description], name: "run exists").isEmpty
    }

    /// Records a new run and its first attempt, and (at the warehouse's first run) the
    /// municipality it holds, in one transaction. Returns the attempt's id.
    package func beginRun(_ r: RunStart, attempt: AttemptStart, demo: Bool) throws -> Int64 {
        try connection.transaction { db in
            _ = try db.execute("""
                INSERT INTO etl.warehouse (municipality, demo, first_run) VALUES ($1, $2, $3)
                ON CONFLICT (singleton) DO NOTHING
                """, [r.municipality, String(demo), r.run.description], name: "record the warehouse's municipality")
            _ = try db.execute("""
                INSERT INTO etl.runs (run_id, pipeline, municipality, drop_path, drop_checksum, as_of, window_from,
                                      window_to, small_cell_minimum, program_version, started_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, clock_timestamp())
                """, [r.run.description, r.pipeline, r.municipality, r.drop, r.dropChecksum, r.asOf.iso,
                      r.windowFrom.iso, r.windowTo.iso, String(r.smallCellMinimum), ProgramVersion.current],
                name: "begin run")
            return try Ledger(connection: db).beginAttempt(attempt)
        }
    }

    /// Records an attempt on an existing run; the run's status becomes `running`.
    package func beginAttempt(_ a: AttemptStart) throws -> Int64 {
        try connection.transaction { db in
            let rows = try db.query("""
                INSERT INTO etl.attempts (run_id, command, first_stage, last_stage, pipeline, pipeline_sha256, municipality,
                                          as_of, window_from, window_to, small_cell_minimum, program_version, host, pid)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                RETURNING attempt_id
                """, [a.run.description, a.command, a.first.rawValue, a.last.rawValue, a.pipeline, a.pipelineSHA256,
                      a.municipality, a.asOf.iso, a.windowFrom.iso, a.windowTo.iso, String(a.smallCellMinimum),
                      ProgramVersion.current, Self.host, String(getpid())], name: "begin attempt")
            guard let id = try rows.first?.int(0) else { throw OperationsError.io(path: "etl.attempts", message: "the warehouse recorded the attempt but gave back no id; check that etl.attempts is as `etl migrate` made it") }
            _ = try db.execute("""
                UPDATE etl.runs SET status = 'running', error = NULL, finished_at = NULL WHERE run_id = $1
                """, [a.run.description], name: "run running")
            return Int64(id)
        }
    }

    /// A stage of an attempt started; returns its row's id.
    package func stageStarted(attempt: Int64, run: RunID, stage: Stage) throws -> Int64 {
        let rows = try connection.query("""
            INSERT INTO etl.stages (run_id, stage, attempt_id, started_at, status) VALUES ($1, $2, $3, clock_timestamp(), 'running')
            RETURNING stage_attempt_id
            """, [run.description, stage.rawValue, String(attempt)], name: "stage started")
        guard let id = try rows.first?.int(0) else { throw OperationsError.io(path: "etl.stages", message: "the warehouse recorded the stage but gave back no id; check that etl.stages is as `etl migrate` made it") }
        return Int64(id)
    }

    package func stageFinished(_ id: Int64, seconds: Double, counts: [String: Int], error: String? = nil) throws {
        let json = String(decoding: try JSONEncoder().encode(counts), as: UTF8.self)
        _ = try connection.execute("""
            UPDATE etl.stages SET finished_at = clock_timestamp(), seconds = $2, status = $3, error = $4, counts = $5::jsonb
            WHERE stage_attempt_id = $1
            """, [String(id), String(seconds), error == nil ? "succeeded" : "failed", error.map { CPRInText.masking($0) }, json], name: "stage finished")
    }

    /// The export files of the run's latest extract, and the run's read and rejected totals.
    package func recordFiles(_ run: RunID, _ files: [StageManifest.InputFile]) throws {
        try connection.transaction { db in
            _ = try db.execute("DELETE FROM etl.files WHERE run_id = $1", [run.description], name: "clear files")
            for f in files {
                _ = try db.execute("""
                    INSERT INTO etl.files (run_id, name, bytes, sha256, rows_read, accepted, rejected)
                    VALUES ($1, $2, $3, $4, $5, $6, $7)
                    """, [run.description, f.name, String(f.bytes), f.checksum.hex, String(f.rowsRead), String(f.accepted),
                          String(f.rejected)], name: "record file")
            }
            _ = try db.execute("UPDATE etl.runs SET rows_read = $2, rows_rejected = $3 WHERE run_id = $1",
                               [run.description, String(files.reduce(0) { $0 + $1.rowsRead }),
                                String(files.reduce(0) { $0 + $1.rejected })], name: "record read and rejected")
        }
    }

    /// The data rows each export file of the run's latest extract held, by `DropManifest.sameFile`.
    package func rowsRead(_ run: RunID) throws -> [String: Int] {
        let rows = try connection.query("SELECT name, rows_read FROM etl.files WHERE run_id = $1", [run.description], name: "rows read")
        return Dictionary(try rows.map { (DropManifest.sameFile($0.string(0) ?? ""), try $0.int(1) ?? 0) }) { first, _ in first }
    }

    /// Ends an attempt, and with it the run's status; `loaded`: the rows its load copied.
    package func finishAttempt(_ attempt: Int64, run: RunID, error: String?, loaded: Int? = nil) throws {
        let status = error == nil ? "succeeded" : "failed"
        let error = error.map { CPRInText.masking($0) }
        try connection.transaction { db in
            _ = try db.execute("""
                UPDATE etl.attempts SET finished_at = clock_timestamp(), status = $2, error = $3 WHERE attempt_id = $1
                """, [String(attempt), status, error], name: "finish attempt")
            // A stage whose own record was lost with its connection ends with its attempt.
            _ = try db.execute("""
                UPDATE etl.stages SET finished_at = clock_timestamp(), status = 'failed', error = $2
                WHERE attempt_id = $1 AND status = 'running' AND $2::text IS NOT NULL
                """, [String(attempt), error], name: "finish attempt's stage")
            _ = try db.execute("""
                UPDATE etl.runs SET finished_at = clock_timestamp(), status = $2, error = $3,
                    rows_loaded = coalesce($4::bigint, rows_loaded)
                WHERE run_id = $1
                """, [run.description, status, error, loaded.map(String.init)], name: "finish run")
        }
    }

    /// A run's drop as an extract redone on a changed drop read it.
    package func recordDropChecksum(_ run: RunID, _ checksum: String) throws {
        _ = try connection.execute("UPDATE etl.runs SET drop_checksum = $2 WHERE run_id = $1", [run.description, checksum],
                                   name: "record the drop's checksum")
    }

    /// The run that loaded a drop with these checksums, if any: its load finished, or it is
    /// the published run.
    package func runThatLoaded(dropChecksum: String) throws -> RunID? {
        let rows = try connection.query("""
            SELECT r.run_id FROM etl.runs r
            WHERE r.drop_checksum = $1
              AND (EXISTS (SELECT FROM etl.stages s WHERE s.run_id = r.run_id AND s.stage = 'load' AND s.status = 'succeeded')
                   -- killed after its publish, or published by hand after a kill: its load is what analysts see
                   OR EXISTS (SELECT FROM etl.published p WHERE p.run_id = r.run_id))
            ORDER BY r.run_id DESC LIMIT 1
            """, [dropChecksum], name: "drop already loaded")
        return try rows.first?.int(0).map { RunID(rawValue: Int64($0)) }
    }

    /// Runs whose folder a later command may need: each with a load in the warehouse (to
    /// rerun it from a stage, or publish it again), and the published one.
    package func runsWithLoads() throws -> Set<RunID> {
        let rows = try connection.query("SELECT run_id FROM etl.loads UNION SELECT run_id FROM etl.published", name: "runs with loads")
        return Set(try rows.compactMap { try $0.int(0).map { RunID(rawValue: Int64($0)) } })
    }

    /// Marks dead the attempts (and their stages and runs) whose process is gone: all that
    /// are still `running` when the caller holds the run lock (`lockHeld`); otherwise those
    /// whose process this host knows has ended, and all of them when no process holds the
    /// warehouse's run lock. Returns the runs marked.
    @discardableResult
    ///
    /// `state`: where a dead attempt may have left the error the warehouse could not take
    /// (`RunFolder.unrecordedError`), recorded here instead of "killed".
    package func markDead(lockHeld: Bool, by command: String, state: StateLayout? = nil) throws -> [RunID] {
        let running = try connection.query("""
            SELECT attempt_id, run_id, host, pid FROM etl.attempts WHERE status = 'running' ORDER BY attempt_id
            """, name: "running attempts")
        guard !running.isEmpty else { return [] }
        let lockFree = try lockHeld || !AdvisoryLock.isHeld(on: connection)
        var dead: [(attempt: Int64, run: RunID, process: String)] = []
        for row in running {
            guard let attempt = try row.int(0), let run = try row.int(1) else { continue }
            let host = row.string(2), pid = try row.int(3)
            let gone = host == Self.host && pid.map { !Self.isAlive(pid_t($0)) } == true
            if lockFree || gone {
                let process = pid.map { "pid \($0)" + (host.map { " on \($0)" } ?? "") } ?? "its process"
                dead.append((Int64(attempt), RunID(rawValue: Int64(run)), process))
            }
        }
        // When a killed attempt died is not known: finished_at stays empty; the error says when
        // it was found. One stopped by a signal left its line in the run folder as it ended: it
        // failed then, by its own word, and a session of it that something between kept open
        // is ended by the next command (`AdvisoryLock`): marked dead, it held every later
        // night back (exit 75) until someone ended it by hand (an adversarial review).
        for d in dead {
            let note = state.map { $0.run(d.run).unrecordedError(attempt: d.attempt) }
            let left = note.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }
            let stoppedAt = left == nil ? nil : note.flatMap { try? FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date }
            let found = left.map { "\(d.process) stopped without recording why in the warehouse (it left it in the run folder): \($0.trimmingCharacters(in: .whitespacesAndNewlines)); recorded by `\(command)` at " }
                ?? "\(d.process) stopped without finishing (killed, or the machine went down); found by `\(command)` at "
            try connection.transaction { db in
                let marked = try db.execute("""
                    UPDATE etl.attempts SET status = CASE WHEN $3::float8 IS NULL THEN 'dead' ELSE 'failed' END,
                        finished_at = to_timestamp($3::float8),
                        error = $2 || to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC'
                    WHERE attempt_id = $1 AND status = 'running'
                    """, [String(d.attempt), found, stoppedAt.map { String($0.timeIntervalSince1970) }], name: "attempt dead")
                guard marked > 0 else { return }
                _ = try db.execute("""
                    UPDATE etl.stages s SET status = a.status, error = a.error
                    FROM etl.attempts a WHERE a.attempt_id = $1 AND s.attempt_id = $1 AND s.status = 'running'
                    """, [String(d.attempt)], name: "stage dead")
                _ = try db.execute("""
                    UPDATE etl.runs r SET status = a.status, error = a.error
                    FROM etl.attempts a
                    WHERE a.attempt_id = $2 AND r.run_id = $1 AND r.status = 'running'
                      AND NOT EXISTS (SELECT FROM etl.attempts later WHERE later.run_id = $1 AND later.attempt_id > $2)
                    """, [d.run.description, String(d.attempt)], name: "run dead")
            }
        }
        return dead.map(\.run)
    }

    /// This machine's name, recorded with each attempt so a later command here can tell
    /// whether its process is still alive.
    static let host: String = {
        var name = [UInt8](repeating: 0, count: 256)
        let got = name.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { gethostname($0.baseAddress!, $0.count) }
        }
        guard got == 0 else { return "localhost" }
        return String(decoding: name.prefix { $0 != 0 }, as: UTF8.self)
    }()

    static func isAlive(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
