import Foundation
import Testing
@testable import Load
import Pipeline
import Postgres
import Synchronization

/// Analysts querying while loads run, and while a load dies: every answer is one whole
/// published run, the one before or the one after.
@Suite struct PublishIsolationTests {
    /// Reads the treatment cohort's (run, detected) over and over on its own connection
    /// until told to stop; returns every distinct answer seen.
    final class Reader: Sendable {
        private struct Seen { var stop = false; var answers: [String: Int] = [:]; var failure: String? }
        private let seen = Mutex(Seen())
        private let done = DispatchSemaphore(value: 0)

        init(url: String) {
            Thread.detachNewThread { [self] in
                defer { done.signal() }
                do {
                    let db = try Connection(url: url)
                    while !seen.withLock({ $0.stop }) {
                        let rows = try db.query("""
                            SELECT s.run_id, s.detected, c.treatment_count, (SELECT count(*) FROM metrics.data_quality)
                            FROM metrics.cohort_summary s, metrics.cohort_comparison c
                            WHERE s.cohort = 'treatment' AND c.comparison = 'detection_rate_per_1000'
                            """)
                        let key = rows.map { "\($0.string(0)!):\($0.string(1)!):\($0.string(2)!):\($0.string(3)!)" }.joined()
                        seen.withLock { $0.answers[key, default: 0] += 1 }
                    }
                } catch {
                    seen.withLock { $0.failure = "\(error)" }
                }
            }
        }

        /// Waits (up to 30 s) until the reader has seen `answer`.
        func waitFor(_ answer: String) {
            for _ in 0..<600 where seen.withLock({ $0.answers[answer] == nil && $0.failure == nil }) {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }

        func finish() -> (answers: [String: Int], failure: String?) {
            seen.withLock { $0.stop = true }
            done.wait()
            return seen.withLock { ($0.answers, $0.failure) }
        }
    }

    /// run:treatment detected:its comparison count:data-quality rows, before and after.
    let before = "20250101000000:6:6:3", after = "20250102000000:8:8:3"

    @Test func readersSeeOneWholeRunBeforeOrAfterALoad() throws {
        let h = try LoadHarness()
        try h.loadAndPublish(20250101000000)
        let reader = Reader(url: h.db.url)
        reader.waitFor(before)
        try h.loadAndPublish(20250102000000, extraTreatmentCases: 2)
        reader.waitFor(after)
        let (answers, failure) = reader.finish()
        #expect(failure == nil)
        #expect(Set(answers.keys) == [before, after], "\(answers)")
    }

    /// An analyst's transaction that began before a publish reads the run before, whole, to
    /// its end: the old load is not dropped under it (a dropped partition leaves the catalog
    /// at once, and such a transaction read the old run's exposure as empty), but after it.
    /// A load no view can read (a superseded load that was never published) goes at once.
    @Test func retentionLeavesTheOldLoadWhileATransactionFromBeforeThePublishReadsIt() throws {
        let h = try LoadHarness()
        try h.loadAndPublish(20250101000000)
        let analyst = try h.db.connect()
        try analyst.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        #expect(try analyst.query("SELECT run_id, detected FROM metrics.cohort_summary WHERE cohort = 'treatment'").first?.string(0) == "20250101000000")
        let second = h.state.run(RunID(rawValue: 20250102000000))
        try FactFixture.write(into: second, extraTreatmentCases: 2)
        try FactFixture.register(second.id, on: h.connection)
        let unpublished = try LoadStage(connection: h.connection).load(second)
        try h.loadAndPublish(20250102000000, extraTreatmentCases: 2)

        let publisher = Publisher(connection: h.connection)
        let held = try publisher.dropOldLoads(keepRuns: 1, readersWait: .milliseconds(300))
        #expect(held.dropped == [unpublished.loadID] && held.left.count == 1 && held.readers.count == 1, "\(held)")
        let exposure = "SELECT count(*) FROM warehouse.exposure e JOIN warehouse.published_run p USING (load_id)"
        #expect(try analyst.query(exposure).first?.int(0) == 40, "the run before, whole")
        #expect(try analyst.query("SELECT run_id FROM metrics.cohort_summary WHERE cohort = 'treatment'").first?.string(0) == "20250101000000")

        // A reader that ends while retention waits is waited for: here its idle transaction
        // is ended by the server, as an analyst role's is after an hour.
        try analyst.execute("SET idle_in_transaction_session_timeout = '700ms'")
        #expect(try publisher.dropOldLoads(keepRuns: 1) == Retention(dropped: held.left, left: [], readers: []))
        #expect(try h.db.connect().query(exposure).first?.int(0) == 40, "the run after")
    }

    @Test func aLoadKilledMidwayLeavesThePublishedRunAsItWas() throws {
        let h = try LoadHarness()
        try h.loadAndPublish(20250101000000)
        let killed = h.state.run(RunID(rawValue: 20250102000000))
        try FactFixture.write(into: killed, extraTreatmentCases: 2)
        try FactFixture.register(killed.id, on: h.connection)

        // Hold the exposure table so the load stops midway (after copying earlier files),
        // then kill its server process, as when the etl process is killed.
        let blocker = try h.db.connect()
        try blocker.execute("BEGIN; LOCK TABLE warehouse.exposure IN SHARE UPDATE EXCLUSIVE MODE")
        let reader = Reader(url: h.db.url)
        reader.waitFor(before)
        let url = h.db.url
        let loadFailed = DispatchSemaphore(value: 0)
        let loadError = Mutex<String?>(nil)
        Thread.detachNewThread {
            do {
                let db = try Connection(url: url)
                try db.execute("SET application_name = 'doomed load'")
                _ = try LoadStage(connection: db).load(killed)
            } catch { loadError.withLock { $0 = "\(error)" } }
            loadFailed.signal()
        }
        var waiting = false
        for _ in 0..<100 where !waiting {
            Thread.sleep(forTimeInterval: 0.05)
            waiting = try !h.connection.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'doomed load' AND wait_event_type = 'Lock'").isEmpty
        }
        #expect(waiting, "the load never reached the locked table")
        _ = try h.connection.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'doomed load'")
        loadFailed.wait()
        try blocker.execute("ROLLBACK")
        let (answers, failure) = reader.finish()

        #expect(loadError.withLock { $0 } != nil)
        #expect(failure == nil)
        #expect(Set(answers.keys) == [before], "\(answers)")
        #expect(try h.connection.query("SELECT count(*) FROM etl.loads").first?.int(0) == 1)
        #expect(try h.connection.query("SELECT count(*) FROM pg_class WHERE relname ~ '_l[0-9]+$'").first?.int(0) == FactFile.allCases.count)
        // The same run loads whole when tried again.
        let again = try LoadStage(connection: h.connection).load(killed)
        #expect(again.rowsByTable["exposure"] == 40)
    }
}
