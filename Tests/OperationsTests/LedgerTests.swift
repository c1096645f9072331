import Foundation
import Glibc
import Logging
import Testing
@testable import Operations
import Pipeline
import Postgres
import TestSupport

@Suite struct RunIDTests {
    @Test func anIdIsItsStartTimeToTheMillisecondAndReadsBackAsThatTime() throws {
        // 2026-11-22 02:30:00.123 UTC
        let date = Date(timeIntervalSince1970: 1_795_314_600.1234)
        let id = RunID.at(date)
        #expect(id.description == "20261122023000123")
        #expect(abs(try #require(id.date).timeIntervalSince1970 - 1_795_314_600.123) < 0.0005)
        #expect(RunID.at(Date(timeIntervalSince1970: 1_795_314_659.9999)).description == "20261122023059999")
        #expect(RunID.at(Date(timeIntervalSince1970: 1_795_314_660)).description == "20261122023100000")
    }

    @Test func idsOfEveryLengthParseAndOnlyTimesReadAsTimes() {
        #expect(RunID("20261122023000123")?.rawValue == 20_261_122_023_000_123)
        #expect(RunID("20261122023000")?.rawValue == 20_261_122_023_000, "ids from before milliseconds still name their runs")
        #expect(RunID("2026112202300") == nil)
        #expect(RunID("2026112202300012a") == nil)
        #expect(RunID("20261122125861")?.date == nil, "…125861 is no time")
        #expect(RunID("20261122023000")?.date != nil)
        #expect(RunID("20261122023000") ?? RunID(rawValue: 0) < RunID("20261122023000000")!,
                "an old 14-digit id sorts before every new one")
    }

    @Test func aNewIdIsNeverOneTheLedgerOrTheStateDirectoryHolds() throws {
        let db = try TestServer.freshDatabase()
        let connection = try db.connect()
        _ = try Migrator(directory: Fixture.sql).migrate(connection)
        let state = StateLayout(root: URL(fileURLWithPath: try TestServer.temporaryDirectory()))
        let runner = PipelineRunner(config: Fixture.config, state: state, target: WarehouseTarget(url: db.url, state: state),
                                    logger: Logger(label: "test"))
        let now = Date(timeIntervalSince1970: 1_795_314_600.5)
        let first = try runner.newRunID(Ledger(connection: connection), at: now)
        #expect(first.description == "20261122023000500")
        // Its folder exists: the next millisecond.
        try FileManager.default.createDirectory(at: state.run(first).root, withIntermediateDirectories: true)
        let second = try runner.newRunID(Ledger(connection: connection), at: now)
        #expect(second.description == "20261122023000501")
        // In the ledger (its folder pruned): never again either.
        try Fixture.insertRun(second, on: connection)
        try Fixture.insertRun(RunID(rawValue: 20_261_122_023_000_502), on: connection)
        #expect(try runner.newRunID(Ledger(connection: connection), at: now).description == "20261122023000503")
        // At the end of a second the next id is the next second's, still a time.
        let edge = try runner.newRunID(Ledger(connection: connection), at: Date(timeIntervalSince1970: 1_795_314_659.999))
        #expect(edge.description == "20261122023059999")
        try FileManager.default.createDirectory(at: state.run(edge).root, withIntermediateDirectories: true)
        let next = try runner.newRunID(Ledger(connection: connection), at: Date(timeIntervalSince1970: 1_795_314_659.999))
        #expect(next.description == "20261122023100000" && next.date != nil)
    }
}

@Suite struct DeadRunTests {
    /// An attempt recorded as running by process `pid` on this host.
    func running(_ run: RunID, pid: Int32, on connection: Connection) throws -> Int64 {
        try Fixture.insertRun(run, on: connection)
        let ledger = Ledger(connection: connection)
        var attempt = Fixture.attempt(run)
        attempt.command = "run"
        let id = try ledger.beginAttempt(attempt)
        _ = try connection.execute("UPDATE etl.attempts SET pid = $2 WHERE attempt_id = $1", [String(id), String(pid)])
        _ = try ledger.stageStarted(attempt: id, run: run, stage: .load)
        return id
    }

    @Test func anAttemptWhoseProcessIsGoneIsMarkedDeadWithItsStageAndRun() throws {
        let db = try TestServer.freshDatabase()
        let connection = try db.connect()
        _ = try Migrator(directory: Fixture.sql).migrate(connection)
        let gone = try deadPID()
        let run = RunID(rawValue: 20_261_122_023_000_001)
        _ = try running(run, pid: gone, on: connection)
        // Another process holds the run lock (a run under way elsewhere)…
        let other = try db.connect()
        _ = try other.query("SELECT pg_advisory_lock(\(AdvisoryLock.runKey))")
        // …yet this host knows the attempt's process has ended.
        #expect(try Ledger(connection: connection).markDead(lockHeld: false, by: "etl runs") == [run])
        let row = try #require(try connection.query("SELECT status, error FROM etl.attempts").first)
        #expect(row.string(0) == "dead")
        #expect(row.string(1)?.contains("pid \(gone)") == true && row.string(1)?.contains("etl runs") == true, "\(row.string(1) ?? "")")
        #expect(try connection.query("SELECT status FROM etl.stages").first?.string(0) == "dead")
        #expect(try connection.query("SELECT status FROM etl.runs").first?.string(0) == "dead")
    }

    @Test func anAttemptOfALiveProcessHoldingTheLockStaysRunning() throws {
        let db = try TestServer.freshDatabase()
        let connection = try db.connect()
        _ = try Migrator(directory: Fixture.sql).migrate(connection)
        let run = RunID(rawValue: 20_261_122_023_000_002)
        _ = try running(run, pid: getpid(), on: connection)
        let other = try db.connect()
        _ = try other.query("SELECT pg_advisory_lock(\(AdvisoryLock.runKey))")
        #expect(try Ledger(connection: connection).markDead(lockHeld: false, by: "etl runs").isEmpty)
        #expect(try connection.query("SELECT status FROM etl.attempts").first?.string(0) == "running")
        // Nobody holds the lock: no process can be working on it, whatever its pid.
        _ = try other.query("SELECT pg_advisory_unlock_all()")
        #expect(try Ledger(connection: connection).markDead(lockHeld: false, by: "etl runs") == [run])
        // The next run takes the lock: every attempt still running is dead.
        let later = RunID(rawValue: 20_261_122_023_000_003)
        _ = try running(later, pid: getpid(), on: connection)
        #expect(try Ledger(connection: connection).markDead(lockHeld: true, by: "etl run") == [later])
    }

    /// A refusal names the holder's session and role, and says when its process has ended
    /// (a session stuck in the server); a lock of the other key space (two integers) is not it.
    @Test func aRefusalOfTheRunLockNamesItsHolder() throws {
        let db = try TestServer.freshDatabase()
        let connection = try db.connect()
        _ = try Migrator(directory: Fixture.sql).migrate(connection)
        let other = try db.connect()
        _ = try other.query("SELECT pg_advisory_lock(\(AdvisoryLock.runKey >> 32)::integer, \(AdvisoryLock.runKey & 0xFFFF_FFFF)::integer)")
        #expect(try !AdvisoryLock.isHeld(on: connection), "the two-integer lock of the same bits is another lock")
        _ = try other.query("SELECT pg_advisory_unlock_all()")
        _ = try other.query("SELECT set_config('application_name', 'etl run 1', false), pg_advisory_lock(\(AdvisoryLock.runKey))")
        let refused = #expect(throws: OperationsError.self) { try AdvisoryLock(connection: connection, holder: "etl run 2") }
        let message = "\(String(describing: refused))"
        #expect(message.contains("etl run 1 (session ") && message.contains(" of role ") && !message.contains("not a session of this tool's role"),
                "\(message)")

        // A holder whose process has ended, its session still there (stuck in the server): said so.
        let dead = try deadPID()
        let name = AdvisoryLock.naming("etl national publish").replacingOccurrences(of: "(pid \(getpid()))", with: "(pid \(dead))")
        _ = try other.query("SELECT set_config('application_name', $1, false)", [name])
        let stuck = #expect(throws: OperationsError.self) { try AdvisoryLock(connection: connection, holder: "etl run 2") }
        #expect("\(String(describing: stuck))".contains("its process (pid \(dead)) has ended"), "\(String(describing: stuck))")
        _ = try other.query("SELECT set_config('application_name', $1, false)", [AdvisoryLock.naming("etl national publish")])
        let running = #expect(throws: OperationsError.self) { try AdvisoryLock(connection: connection, holder: "etl run 2") }
        #expect(!"\(String(describing: running))".contains("has ended"), "\(String(describing: running))")
    }

    /// A session left holding the run lock for an attempt the ledger has ended (its client cut,
    /// the server's side kept open by something between) is ended, and the lock taken; one of
    /// a running attempt, one marked dead by another command, or one busy since, is not.
    @Test func aSessionOfAnEndedAttemptDoesNotHoldTheNightsBack() throws {
        let db = try TestServer.freshDatabase()
        let connection = try db.connect()
        _ = try Migrator(directory: Fixture.sql).migrate(connection)
        let run = RunID(rawValue: 20_261_122_023_000_004)
        let attempt = try running(run, pid: getpid(), on: connection)
        let orphan = try db.connect(), sibling = try db.connect()
        _ = try orphan.query("SELECT set_config('application_name', $1, false), pg_advisory_lock(\(AdvisoryLock.runKey))",
                             [AdvisoryLock.attemptHolder("etl run \(run)", attempt: attempt)])
        // A COPY session of the same load, named alike, in its transaction.
        _ = try sibling.query("SELECT set_config('application_name', $1, false)", [AdvisoryLock.attemptHolder("etl run \(run)", attempt: attempt)])
        _ = try sibling.execute("BEGIN")
        // Running: refused, naming it.
        let refused = #expect(throws: OperationsError.self) { try AdvisoryLock(connection: connection, holder: "etl run 2") }
        #expect("\(String(describing: refused))".contains("etl run \(run) (attempt \(attempt)) (session "))
        // Marked dead by another command (a host name and a pid, which another machine can share): not ended.
        _ = try connection.execute("UPDATE etl.attempts SET status = 'dead' WHERE attempt_id = $1", [String(attempt)])
        #expect(throws: OperationsError.self) { try AdvisoryLock(connection: connection, holder: "etl run 2") }
        // Its attempt recorded failed by its process (on another connection): the session is ended, the lock taken.
        try Ledger(connection: connection).finishAttempt(attempt, run: run, error: "lost")
        // One that began a statement since (work after its end, as a rerun's last query) is not.
        _ = try orphan.query("SELECT 1")
        #expect(throws: OperationsError.self) { try AdvisoryLock(connection: connection, holder: "etl run 2") }
        _ = try connection.execute("UPDATE etl.attempts SET finished_at = clock_timestamp() WHERE attempt_id = $1", [String(attempt)])
        let lock = try AdvisoryLock(connection: connection, holder: "etl run 2")
        #expect(throws: PostgresError.self) { try orphan.query("SELECT 1") }
        #expect(throws: PostgresError.self, "the load's other session of that attempt") { try sibling.query("SELECT 1") }
        withExtendedLifetime(lock) {}
        // The longest command's name, with an attempt in the thousands, fits a session's name (63 bytes).
        #expect(AdvisoryLock.attemptHolder("etl run --from transform --run 20261122023000004", attempt: 9_999).utf8.count <= 63)
    }

    /// An attempt stopped by a signal left its line in the run folder as it ended: the next
    /// command records it failed, at the line's time, so a session of it that something between
    /// kept open (a proxy paused mid-COPY) is ended and the night goes on. Marked dead, it
    /// refused every later night (exit 75) until someone ended it by hand (an adversarial review).
    @Test func anAttemptThatLeftItsStopLineIsFailedAndItsKeptSessionEnded() throws {
        let db = try TestServer.freshDatabase()
        let connection = try db.connect()
        _ = try Migrator(directory: Fixture.sql).migrate(connection)
        let run = RunID(rawValue: 20_261_122_023_000_004)
        let attempt = try running(run, pid: try deadPID(), on: connection)
        let orphan = try db.connect()
        _ = try orphan.query("SELECT set_config('application_name', $1, false), pg_advisory_lock(\(AdvisoryLock.runKey))",
                             [AdvisoryLock.attemptHolder("etl run \(run)", attempt: attempt)])
        let state = StateLayout(root: URL(fileURLWithPath: try TestServer.temporaryDirectory()))
        let note = state.run(run).unrecordedError(attempt: attempt)
        try FileManager.default.createDirectory(atPath: state.run(run).root.path, withIntermediateDirectories: true)
        Thread.sleep(forTimeInterval: 0.05)
        try "stopped by SIGTERM in run \(run), stage load\n".write(toFile: note, atomically: true, encoding: .utf8)

        #expect(try Ledger(connection: connection).markDead(lockHeld: false, by: "etl run", state: state) == [run])
        let recorded = try connection.query("SELECT status, finished_at IS NOT NULL, error FROM etl.attempts WHERE attempt_id = $1", [String(attempt)])
        let ended = try recorded.first?.bool(1)
        #expect(recorded.first?.string(0) == "failed" && ended == true, "\(recorded.map(\.values))")
        #expect(recorded.first?.string(2)?.contains("stopped by SIGTERM in run \(run), stage load") == true)
        let lock = try AdvisoryLock(connection: connection, holder: "etl run 2")
        #expect(throws: PostgresError.self, "the kept session was ended") { try orphan.query("SELECT 1") }
        withExtendedLifetime(lock) {}
    }

    /// The pid of a process that has ended.
    func deadPID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }
}

@Suite struct RunFolderRetentionTests {
    @Test func pruningKeepsTheNewestFoldersThePublishedRunsAndEveryRunWithALoad() throws {
        let db = try TestServer.freshDatabase()
        let connection = try db.connect()
        _ = try Migrator(directory: Fixture.sql).migrate(connection)
        let state = StateLayout(root: URL(fileURLWithPath: try TestServer.temporaryDirectory()))
        let ids = (1...8).map { RunID(rawValue: 20_261_101_023_000_000 + Int64($0) * 86_400_000_000) }
        for id in ids {
            try Fixture.insertRun(id, on: connection)
            try FileManager.default.createDirectory(at: state.run(id).root, withIntermediateDirectories: true)
        }
        // Run 1 is published (a steward put it back), run 3 has a kept load; 7 and 8 are the newest.
        for id in [ids[0], ids[2]] {
            _ = try connection.execute("""
                INSERT INTO etl.loads (run_id, finished_at, municipality, as_of, window_from, window_to, small_cell_minimum, pipeline)
                VALUES ($1, now(), 'København', '2026-11-01', '2012-01-01', '2026-11-01', 5, '/p.yaml')
                """, [id.description])
        }
        _ = try connection.execute("INSERT INTO etl.published (load_id, run_id) SELECT load_id, run_id FROM etl.loads WHERE run_id = $1",
                                   [ids[0].description])
        let runner = PipelineRunner(config: Fixture.config, state: state, target: WarehouseTarget(url: db.url, state: state),
                                    logger: Logger(label: "test"))
        try runner.pruneRunFolders(keeping: 1, current: ids[4], ledger: Ledger(connection: connection))
        let left = try FileManager.default.contentsOfDirectory(atPath: state.runs.path).compactMap(RunID.init).sorted()
        #expect(left == [ids[0], ids[2], ids[4], ids[6], ids[7]])
    }
}

/// The copenhagen pipeline and the schema, for tests that need a ledger.
enum Fixture {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sql = repo.appendingPathComponent("sql").path
    static let config = try! PipelineConfig.load(path: repo.appendingPathComponent("pipelines/copenhagen.yaml").path)

    static func attempt(_ run: RunID) -> Ledger.AttemptStart {
        Ledger.AttemptStart(run: run, command: "run", first: .extract, last: .load, pipeline: config.path, pipelineSHA256: nil,
                            municipality: config.municipality, asOf: Day(iso: "2026-11-21")!, windowFrom: config.windowFrom,
                            windowTo: Day(iso: "2026-11-21")!, smallCellMinimum: config.smallCellMinimum)
    }

    /// A fresh ledger holding `run`, and its connection.
    static func ledger(with run: RunID) throws -> (Connection, Ledger) {
        let connection = try TestServer.freshDatabase().connect()
        _ = try Migrator(directory: sql).migrate(connection)
        try insertRun(run, on: connection)
        return (connection, Ledger(connection: connection))
    }

    static func insertRun(_ run: RunID, on connection: Connection) throws {
        _ = try connection.execute("""
            INSERT INTO etl.runs (run_id, pipeline, municipality, drop_path, drop_checksum, as_of, window_from, window_to,
                                  small_cell_minimum, program_version)
            VALUES ($1, '/p.yaml', 'København', '/drop', 'x', '2026-11-21', '2012-01-01', '2026-11-21', 5, 'test')
            """, [run.description])
    }
}

@Suite struct AttemptEndTests {
    /// A stage whose connection was lost cannot record its own end; its failed attempt
    /// (recorded on a fresh session) ends it too, instead of leaving it `running` for ever.
    @Test func aFailedAttemptEndsTheStageItLeftRunning() throws {
        let run = RunID(rawValue: 20_261_122_023_000_002)
        let (connection, ledger) = try Fixture.ledger(with: run)
        let first = try ledger.beginAttempt(Fixture.attempt(run))
        _ = try ledger.stageStarted(attempt: first, run: run, stage: .extract)
        try ledger.finishAttempt(first, run: run, error: "the connection to the warehouse was lost")
        #expect(try connection.query("SELECT status, error FROM etl.stages WHERE run_id = $1", [run.description]).map(\.values)
                == [["failed", "the connection to the warehouse was lost"]])
    }
}

@Suite struct RunListTests {
    /// `etl runs` gives the last attempt's seconds: a rerun an hour later is no hour-long run.
    @Test func secondsAreTheLastAttempts() throws {
        let run = RunID(rawValue: 20_261_122_023_000_001)
        let (connection, ledger) = try Fixture.ledger(with: run)
        for (start, end) in [("02:30:00", "02:30:05"), ("03:30:00", "03:30:02")] {
            let id = try ledger.beginAttempt(Fixture.attempt(run))
            try ledger.finishAttempt(id, run: run, error: nil)
            _ = try connection.execute("""
                UPDATE etl.attempts SET started_at = '2026-11-22 \(start)+00', finished_at = '2026-11-22 \(end)+00' WHERE attempt_id = $1;
                """, [String(id)])
        }
        _ = try connection.execute("UPDATE etl.runs SET started_at = '2026-11-22 02:30:00+00', finished_at = '2026-11-22 03:30:02+00'")
        let state = StateLayout(root: URL(fileURLWithPath: try TestServer.temporaryDirectory()))
        let list = try RunReports(connection: connection, state: state).list()
        let line = try #require(list.split(separator: "\n").first { $0.hasPrefix(run.description) })
        #expect(line.split(separator: " ").contains("2.0") && !line.contains("3602"), "\(line)")
    }
}
