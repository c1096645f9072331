import Evaluation
import Foundation
import Pipeline
import Postgres

/// What `etl national publish` made.
package struct PublishSummary: Sendable {
    package var snapshotID: Int64
    /// The municipalities in the snapshot, with the as-of date of the load each one's figures come from.
    package var municipalities: [(name: String, asOf: String)]
    /// Those of the national file left out (`--partial`), with why.
    package var missing: [NationalError.Unavailable]
    package var periods: Int
    package var periodLength: EvaluationPeriodLength
    /// Municipalities whose panels are in the national difference-in-differences.
    package var inEvaluation: Int
    /// Estimations made, of the six (three metrics × two control groups).
    package var estimated: Int
    /// Municipalities whose figures come from an older run, by its as-of date, than in the
    /// snapshot published before (their steward published an earlier run again), said as a warning.
    package var wentBack: [String] = []
    package var seconds: Double
    /// Seconds per step: probe (every feed read once), figures (the aggregates pulled),
    /// panel (the union panel pulled), evaluation (estimated and written), commit.
    package var phases: [(step: String, seconds: Double)] = []
}

extension Coordinator {
    /// Reads every municipality's feed and publishes a national snapshot, atomically: the
    /// figures, the difference-in-differences and the switch of `snapshot.published` are one
    /// transaction, so analysts see the old snapshot until the new one is whole. A feed that
    /// cannot be read (or has nothing published) stops it, naming the municipality, and the
    /// last snapshot stays; with `partial`, the snapshot is made of the others and says
    /// which are missing.
    package func publish(partial: Bool) throws -> PublishSummary {
        try exclusively("etl national publish") {
            let started = Date()
            try checkSynced()
            let published = try publishedSnapshot()
            let states = try file.municipalities.map(probe)
            let probed = Date()
            if !partial { try NationalError.check(states, published: published, publishing: true) }
            var ready = states.compactMap { state -> NationalFile.Member? in
                guard case .ready = state.outcome else { return nil }
                return state.member
            }
            var missing = states.compactMap { $0.unreachable } + states.compactMap { $0.unusable }
            func leaveOut(_ left: [NationalError.Unavailable]) throws {
                for m in left { logger.warning("left out of the snapshot (--partial)", metadata: ["municipality": "\(m.name)", "reason": "\(m.reason)"]) }
                ready.removeAll { m in left.contains { $0.name == m.name } }
                guard !ready.isEmpty else { throw NationalError.noMunicipalities(file: file.path) }
            }
            try leaveOut(missing)

            var summary: PublishSummary
            let reopen = try db.opener()
            var made: PublishSummary?   // written, and only the commit left
            while true {
                do {
                    // Its reads are bounded by read_timeout each, its commit by nothing the server has.
                    summary = try Watchdog.process.watch("the snapshot's read and commit", seconds: 6 * file.readTimeout + 60) {
                        try db.transaction { _ in
                            made = try writeSnapshot(ready, missing: missing)
                            return made!
                        }
                    }
                    break
                } catch NationalError.unusable(let left, _, _) where partial {
                    // Feeds found unusable as their rows were read (the checks): --partial leaves them
                    // out too, as it says (a re-test: it was refused the same way), and reads again.
                    missing += left
                    try leaveOut(left)
                    continue
                } catch let error as PostgresError where error.kind == .connection && !db.isOpen && made != nil {
                    // The answer to COMMIT was lost: asked again on a new session, as a warehouse's
                    // publish is (it said the old snapshot stayed when the new one was published:
                    // an adversarial review).
                    summary = try confirmCommitted(made!, open: reopen.open, error: error)
                    break
                } catch let error as PostgresError where error.kind == .connection && db.isOpen {
                    // A municipality's server went away while the snapshot was read (whose, before
                    // the probes connect to them again).
                    let broken = brokenFeeds(ready)
                    let gone = try ready.map(probe).compactMap(\.unreachable)
                    if gone.isEmpty { throw NationalError.feedLost(message: error.message, published: published, feeds: broken, partial: partial) }
                    throw NationalError.unreachable(gone, published: published, partial: partial)
                } catch let error as PostgresError where error.sqlState == "57014" && db.isOpen {
                    let gone = try ready.map(probe).compactMap(\.unreachable)
                    if gone.isEmpty { throw NationalError.readTimedOut(seconds: file.readTimeout, published: published, partial: partial) }
                    throw NationalError.unreachable(gone, published: published, partial: partial)
                } catch let error as PostgresError where db.isOpen && error.kind != .connection {
                    // One statement reads every feed, and its error does not say whose (a column
                    // missing): each feed is read alone to find it; else the error is as it came.
                    let broken = unreadable(ready)
                    if broken.isEmpty { throw error }
                    guard partial else { throw NationalError.unusable(broken, published: published) }
                    missing += broken
                    try leaveOut(broken)
                }
            }
            // Locally that took `etl publish --force`; nationally no one would be told (a review).
            for change in summary.wentBack {
                logger.warning("""
                    a municipality's figures went back to an older run than the snapshot published before had: \(change). \
                    Its steward published an earlier run again; if that was not meant, the newer run is published again \
                    on its warehouse (etl publish RUN --force, there), then `etl national publish`
                    """)
            }
            summary.phases.insert(("probe", probed.timeIntervalSince(started)), at: 0)
            summary.seconds = Date().timeIntervalSince(started)
            summary.phases.append(("commit", summary.seconds - summary.phases.reduce(0) { $0 + $1.seconds }))
            return summary
        }
    }

    /// The feeds whose connection broke in the transaction just rolled back: postgres_fdw
    /// keeps the others' (and its error does not say whose it was: an adversarial review).
    private func brokenFeeds(_ members: [NationalFile.Member]) -> [String] {
        guard let kept = try? Set(db.query("SELECT server_name FROM postgres_fdw_get_connections()", name: "feed connections")
            .compactMap { $0.string(0) }) else { return [] }
        return members.filter { !kept.contains($0.server) }.map { "\($0.name) (\($0.code))" }
    }

    /// Whether the publish of `made` committed, asked on a new session (`open`) after the
    /// connection broke at its COMMIT: `made` when it did (with a warning), else why not.
    func confirmCommitted(_ made: PublishSummary, open: () throws -> Connection, error: PostgresError) throws -> PublishSummary {
        let message = Self.firstLine(error.message)
        let published: Int64?
        do {
            let fresh = try open()
            defer { fresh.close() }
            published = try fresh.query("SELECT snapshot_id FROM snapshot.published", name: "published snapshot").first
                .flatMap { try $0.int(0) }.map(Int64.init)
        } catch {
            throw NationalError.publishUnconfirmed(target: target, snapshot: made.snapshotID, message: message)
        }
        guard published == made.snapshotID else { throw NationalError.coordinatorLost(target: target, message: message, command: "publish") }
        logger.warning("the connection to the coordinator was lost as the publish committed, and the coordinator says national snapshot \(made.snapshotID) is published",
                       metadata: ["error": "\(message)"])
        return made
    }

    /// Everything of one snapshot, inside the caller's transaction. Each municipality's
    /// server answers every query of a transaction from one snapshot of its own (postgres_fdw
    /// runs the remote transaction REPEATABLE READ), so its figures all come from one load.
    private func writeSnapshot(_ members: [NationalFile.Member], missing: [NationalError.Unavailable]) throws -> PublishSummary {
        var clock = Date()
        var phases: [(String, Double)] = []
        func lap(_ step: String) { phases.append((step, Date().timeIntervalSince(clock))); clock = Date() }
        // Every feed is read through its own foreign table, its rows named by the national
        // file, never by the name they carry: PostgreSQL does not hold a foreign partition's
        // rows to its bound, and a feed whose rows named another municipality had its
        // figures added to that one's (an adversarial review). One statement per table, a
        // branch per municipality, each run on its server, all at once (async append).
        let names = members.map(\.name)
        var loads: [String: PublishedLoad] = [:], repeated: Set<String> = []
        for row in try db.query(Self.branches(members, table: .publishedLoads) { "SELECT $\($0)::text, \(PublishedLoad.feedColumns) FROM \($1)" },
                                names, name: "read the published loads") {
            let load = try PublishedLoad(row)
            if loads.updateValue(load, forKey: load.municipality) != nil { repeated.insert(load.municipality) }
        }
        let unusable = members.compactMap { m -> NationalError.Unavailable? in
            if repeated.contains(m.name) { return .init(name: m.name, code: m.code, reason: "its feed gives more than one published load (is its national_feed schema as etl made it?)") }
            if loads[m.name] == nil { return .init(name: m.name, code: m.code, reason: "its published load went away while the snapshot was read") }
            return nil
        }
        if !unusable.isEmpty { throw NationalError.unusable(unusable, published: try publishedSnapshot()) }

        // The national periods: those every municipality with panels of the national length has.
        let length = file.period
        var notes: [String: String] = [:]
        var spans: [ClosedRange<Day>] = []
        for m in members {
            let load = loads[m.name]!
            guard load.periods > 0, let first = load.firstPeriodStart.flatMap(Day.init(iso:)),
                  let last = load.lastPeriodEnd.flatMap(Day.init(iso:)) else {
                notes[m.name] = "its evaluation window holds no whole period"
                continue
            }
            guard load.periodLength == length.rawValue else {
                notes[m.name] = "its periods are \(load.periodLength ?? "unknown"), the national panel's are \(length.rawValue)"
                continue
            }
            spans.append(first...last)
        }
        let periods = NationalPanel.periods(spans, length: length)
        let inEvaluation = members.filter { notes[$0.name] == nil }
        let minimum = max(file.smallCellMinimum, loads.values.map(\.smallCellMinimum).max() ?? 1)

        guard let id = try db.query("""
            INSERT INTO snapshot.snapshots (national_file, small_cell_minimum, period_length, periods, first_period_start,
                                            last_period_end, partial, missing, program_version)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9) RETURNING snapshot_id
            """, [file.path, String(minimum), length.rawValue, String(periods.count), periods.span?.lowerBound.iso,
                  periods.span?.upperBound.iso, missing.isEmpty ? "false" : "true",
                  // Who, not why: the reason is a feed's own text (a name, a number, its host), for the steward's log (a review).
                  Connection.textArray(missing.map { "\($0.name) (\($0.code)): left out; the national publish's log says why" }),
                  ProgramVersion.current],
            name: "create snapshot").first.flatMap({ try $0.int(0) }).map(Int64.init) else {
            throw PostgresError(.query, "no snapshot id returned", statement: "create snapshot")
        }
        let sid = String(id)
        for m in members {
            let l = loads[m.name]!
            _ = try db.execute("""
                INSERT INTO snapshot.municipalities (snapshot_id, municipality, code, run_id, load_id, published_at, as_of,
                    window_from, window_to, small_cell_minimum, period_length, periods, first_period_start, last_period_end,
                    panel_institutions, institutions_withheld, in_evaluation, evaluation_note)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
                """, [sid, m.name, m.code, String(l.runID), String(l.loadID), l.publishedAt, l.asOf, l.windowFrom, l.windowTo,
                      String(l.smallCellMinimum), l.periodLength, String(l.periods), l.firstPeriodStart, l.lastPeriodEnd,
                      String(l.panelInstitutions), String(l.institutionsWithheld), notes[m.name] == nil ? "true" : "false",
                      notes[m.name]], name: "record \(m.name)")
        }
        let wentBack = try db.query("""
            SELECT format('%s: run %s as of %s, was run %s as of %s', m.municipality, m.run_id, m.as_of, o.run_id, o.as_of)
            FROM snapshot.municipalities m
            JOIN snapshot.published p ON true
            JOIN snapshot.municipalities o ON o.snapshot_id = p.snapshot_id AND o.municipality = m.municipality
            WHERE m.snapshot_id = $1 AND m.as_of < o.as_of ORDER BY m.municipality
            """, [sid], name: "municipalities gone back").compactMap { $0.string(0) }
        try checkFeeds(members)
        for statement in Self.pullStatements(members) {
            _ = try db.execute(statement.sql, [sid] + names, name: statement.name)
        }
        try checkSnapshot(sid, members)
        lap("figures")

        let rows = inEvaluation.isEmpty ? [] : try readPanel(inEvaluation, periods: periods)
        let panel = try NationalPanel(rows, periods: periods)
        lap("panel")
        let estimated = try writeEvaluation(panel, snapshot: sid)
        lap("evaluation")

        try db.execute("""
            INSERT INTO snapshot.published (singleton, snapshot_id) VALUES (true, \(id))
            ON CONFLICT (singleton) DO UPDATE SET snapshot_id = excluded.snapshot_id, published_at = now()
            """, name: "publish snapshot")
        _ = try db.execute("""
            DELETE FROM snapshot.snapshots WHERE snapshot_id NOT IN (SELECT snapshot_id FROM snapshot.published)
              AND snapshot_id NOT IN (SELECT snapshot_id FROM snapshot.snapshots ORDER BY snapshot_id DESC LIMIT $1)
            """, [String(file.keepSnapshots)], name: "drop old snapshots")
        return PublishSummary(snapshotID: id, municipalities: members.map { (name: $0.name, asOf: loads[$0.name]!.asOf) }, missing: missing,
                              periods: periods.count, periodLength: length, inEvaluation: inEvaluation.count,
                              estimated: estimated, wentBack: wentBack, seconds: 0, phases: phases)
    }

    /// The feeds that fail when each of their tables is read alone, with the server's reason.
    private func unreadable(_ members: [NationalFile.Member]) -> [NationalError.Unavailable] {
        members.compactMap { m in
            for table in FeedTable.allCases {
                do {
                    _ = try db.query("SELECT * FROM national_remote.\(Connection.quoteIdentifier(table.partition(m))) LIMIT 1",
                                     name: "read the feed of \(m.name)")
                } catch let error as PostgresError where db.isOpen {
                    // postgres_fdw's message names only its server; libpq's reason is in the detail.
                    if Self.isUnreachable(error) {
                        return .init(name: m.name, code: m.code, reason: "its server could not be reached ("
                                     + Self.firstLine(error.message + (error.detail.map { ": " + $0 } ?? "")) + "); is it up, and does it let the national_feed role in?")
                    }
                    return .init(name: m.name, code: m.code, reason: "its \(table.remote) could not be read (\(Self.firstLine(error.message))); "
                                 + "is its warehouse migrated by this version of etl (etl migrate)?")
                } catch { return nil }
            }
            return nil
        }
    }

    /// Refuses feeds whose rows no feed made by etl gives: a key twice (its figures would be
    /// summed twice) or a negative count. Each municipality's rows are asked for on its own
    /// server, one statement a table, and named by the national file.
    private func checkFeeds(_ members: [NationalFile.Member]) throws {
        var problems: [String: [String]] = [:]
        for check in Self.checkStatements(members) {
            for row in try db.query(check.sql, members.map(\.name), name: "check the feeds' \(check.table.rawValue)") {
                problems[row.string(0) ?? "", default: []].append("its \(check.table.remote) \(check.problem)")
            }
        }
        guard !problems.isEmpty else { return }
        throw NationalError.unusable(members.filter { problems[$0.name] != nil }.map {
            .init(name: $0.name, code: $0.code, reason: Array(Set(problems[$0.name]!)).sorted().joined(separator: ", ")
                  + " (is its national_feed schema as etl made it?)")
        }, published: try publishedSnapshot())
    }

    /// Refuses feeds whose rows, as pulled into the snapshot, no warehouse could give: held to
    /// the rows written, not to a check read before them, which a feed could answer otherwise
    /// (an adversarial review); and what the national views would fail on or show as figures
    /// (sums of squares that do not fit their sums, counts beyond any country's, words outside
    /// the contract's: a text of the export's own is personal data).
    private func checkSnapshot(_ sid: String, _ members: [NationalFile.Member]) throws {
        var problems: [String: [String]] = [:]
        for row in try db.query(Self.snapshotCheck, [sid], name: "check the snapshot's rows") {
            problems[row.string(0) ?? "", default: []].append(row.string(1) ?? "")
        }
        guard !problems.isEmpty else { return }
        throw NationalError.unusable(members.filter { problems[$0.name] != nil }.map {
            .init(name: $0.name, code: $0.code, reason: Array(Set(problems[$0.name]!)).sorted().joined(separator: ", ")
                  + " (is its national_feed schema as etl made it?)")
        }, published: try publishedSnapshot())
    }

    /// One row per municipality and problem. A warehouse counts at most `maxChildren` children
    /// (more than Denmark has), each exposed at most every day of 150 years and aged at most
    /// `maxAgeDays` at an event: bounds that keep the national sums within `bigint`.
    static let maxChildren = 10_000_000, maxAgeDays = 40_000
    static let snapshotCheck: String = {
        let counts = rowChecks.first { $0.table == .cohortStats }!.counts
        func ages(_ kind: String, _ n: String) -> String {
            let (sum, squares, median) = ("\(kind)_age_days_sum::numeric", "\(kind)_age_days_sum_squares::numeric", "\(kind)_age_median_months")
            return """
                \(sum) > \(n)::numeric * \(maxAgeDays) OR \(squares) > \(n)::numeric * \(maxAgeDays) ^ 2
                        OR \(squares) * \(n) < \(sum) ^ 2 OR (\(n) = 0 AND \(sum) <> 0)
                        OR NOT (coalesce(\(median), 0) BETWEEN 0 AND \(maxAgeDays / 30))
                """
        }
        return """
            SELECT municipality, 'its cohort_stats has ' || problem FROM (
                SELECT municipality, CASE
                    WHEN cohort NOT IN ('treatment', 'control') THEN 'a cohort that is neither treatment nor control'
                    WHEN (grain = 'total') <> (year IS NULL) OR year NOT BETWEEN 1858 AND 2200 THEN 'a year out of place'
                    WHEN least(\(counts.joined(separator: ", "))) < 0 THEN 'negative counts'
                    WHEN children_exposed > \(maxChildren) OR exposure_days > children_exposed::numeric * 366 * 150
                        THEN 'more children or exposure days than a municipality has'
                    WHEN greatest(detected, investigated, measured) > children_exposed
                        THEN 'more children with an event than children exposed'
                    WHEN cases_closed_resolved > cases_closed THEN 'more cases closed as resolved than closed'
                    WHEN greatest(notifications, cases_closed) > \(maxChildren) * 100 THEN 'more notifications or closed cases than a municipality has'
                    WHEN \(ages("investigation", "investigated")) THEN 'ages at first investigation no children can have'
                    WHEN \(ages("measure", "measured")) THEN 'ages at first measure no children can have'
                END AS problem
                FROM snapshot.cohort_stats WHERE snapshot_id = $1) c
            WHERE problem IS NOT NULL
            UNION
            \(wordsCheck(.notificationStats, count: "notifications", word: "source", of: "kilde", "a source"))
            UNION
            \(wordsCheck(.closureStats, count: "cases_closed", word: "closing_reason", of: "aarsag", "a closing reason"))
            """
    }()

    /// The check of a table of counts by cohort and a word of the contract's field `field`.
    private static func wordsCheck(_ table: FeedTable, count: String, word: String, of field: String, _ what: String) -> String {
        let words = (ContractVocabulary.values[field] ?? []).sorted().map { "'\($0)'" }.joined(separator: ", ")
        return """
            SELECT municipality, 'its \(table.rawValue) has ' || CASE
                WHEN cohort NOT IN ('treatment', 'control') THEN 'a cohort that is neither treatment nor control'
                WHEN \(count) NOT BETWEEN 0 AND \(maxChildren) * 100 THEN 'counts out of range'
                ELSE '\(what) outside the contract''s words' END
            FROM snapshot.\(table.rawValue)
            WHERE snapshot_id = $1 AND (cohort NOT IN ('treatment', 'control') OR \(count) NOT BETWEEN 0 AND \(maxChildren) * 100
                                        OR \(word) NOT IN (\(words)))
            """
    }

    /// What no feed made by etl gives: a key twice, a negative count. One statement a table,
    /// each branch grouped on its municipality's server; it selects its key, or the
    /// coordinator wraps each remote scan and visits the servers one after another.
    package static func checkStatements(_ members: [NationalFile.Member]) -> [(table: FeedTable, problem: String, sql: String)] {
        rowChecks.map { check in
            (check.table, check.problem, branches(members, table: check.table) {
                "SELECT $\($0)::text, \(check.key) FROM \($1) GROUP BY \(check.key) HAVING count(*) > 1 OR bool_or("
                    + check.counts.map { "\($0) < 0" }.joined(separator: " OR ") + ")"
            })
        }
    }

    private static let rowChecks: [(table: FeedTable, problem: String, key: String, counts: [String])] = [
        (.cohortStats, "repeats a grain, cohort and year, or has negative counts", "grain, cohort, year",
         ["children_exposed", "exposure_days", "detected", "investigated", "investigation_age_days_sum", "investigation_age_days_sum_squares",
          "measured", "measure_age_days_sum", "measure_age_days_sum_squares", "notifications", "cases_closed", "cases_closed_resolved"]),
        (.notificationStats, "repeats a cohort and source, or has negative counts", "cohort, source", ["notifications"]),
        (.closureStats, "repeats a cohort and closing reason, or has negative counts", "cohort, closing_reason", ["cases_closed"]),
    ]

    /// `branch(k, partition)` for each municipality's foreign table of `table`, joined by
    /// `UNION ALL`: `$k` is to be the municipality's name, from `firstParameter` on.
    static func branches(_ members: [NationalFile.Member], table: FeedTable, firstParameter: Int = 1,
                         _ branch: (Int, String) -> String) -> String {
        members.indices.map { k in
            branch(firstParameter + k, "national_remote." + Connection.quoteIdentifier(table.partition(members[k])))
        }.joined(separator: "\nUNION ALL\n")
    }

    /// The feeds' aggregates into the snapshot: each municipality's partition aggregated on
    /// its server (Remote SQL with GROUP BY), all at once, its rows named by the national
    /// file. `$1` is the snapshot, `$2…` the municipalities' names in `members`' order.
    package static func pullStatements(_ members: [NationalFile.Member]) -> [(name: String, sql: String)] {
        pulls.map { pull in
            (pull.name, "INSERT INTO snapshot.\(pull.table.rawValue) (snapshot_id, municipality, \(pull.columns))\n"
                + branches(members, table: pull.table, firstParameter: 2) { "SELECT $1::bigint, $\($0)::text, \(pull.select) FROM \($1) GROUP BY \(pull.groupBy)" })
        }
    }

    static let pulls: [(name: String, table: FeedTable, columns: String, select: String, groupBy: String)] = [
        ("pull cohort statistics", .cohortStats, """
            grain, cohort, year, children_exposed, exposure_days, detected, investigated, investigation_age_days_sum, \
            investigation_age_days_sum_squares, investigation_age_median_months, measured, measure_age_days_sum, \
            measure_age_days_sum_squares, measure_age_median_months, notifications, cases_closed, cases_closed_resolved
            """, """
            grain, cohort, year, sum(children_exposed), sum(exposure_days), sum(detected), sum(investigated), \
            sum(investigation_age_days_sum), sum(investigation_age_days_sum_squares), max(investigation_age_median_months), \
            sum(measured), sum(measure_age_days_sum), sum(measure_age_days_sum_squares), max(measure_age_median_months), \
            sum(notifications), sum(cases_closed), sum(cases_closed_resolved)
            """, "grain, cohort, year"),
        ("pull notification statistics", .notificationStats, "cohort, source, notifications", "cohort, source, sum(notifications)", "cohort, source"),
        ("pull closure statistics", .closureStats, "cohort, closing_reason, cases_closed", "cohort, closing_reason, sum(cases_closed)", "cohort, closing_reason"),
    ]

    /// One row per institution of the national span, its periods as arrays built on the
    /// municipality's server, named by the national file. `$1` and `$2` the span, `$3…` the
    /// municipalities' names in `members`' order.
    package static func panelQuery(_ members: [NationalFile.Member]) -> String {
        branches(members, table: .evaluationPanel, firstParameter: 3) { k, partition in
            """
            SELECT $\(k)::text, institution, grp_start, array_agg(period_start ORDER BY period_start),
                   array_agg(exposure_days ORDER BY period_start), array_agg(children ORDER BY period_start),
                   array_agg(detected ORDER BY period_start), array_agg(investigated ORDER BY period_start),
                   array_agg(measured ORDER BY period_start)
            FROM \(partition) WHERE period_start >= $1::date AND period_end <= $2::date
            GROUP BY institution, grp_start
            """
        }
    }

    private func readPanel(_ members: [NationalFile.Member], periods: EvaluationPeriods) throws -> [NationalPanel.FeedRows] {
        guard let span = periods.span else { return [] }
        let byName = Dictionary(uniqueKeysWithValues: members.map { ($0.name, $0) })
        return try db.query(Self.panelQuery(members), [span.lowerBound.iso, span.upperBound.iso] + members.map(\.name),
                            name: "pull the evaluation panel").map { row in
            let name = row.string(0) ?? ""
            guard let member = byName[name] else {
                throw NationalError.malformedFeed(municipality: name, problem: "a panel row of a municipality not asked for")
            }
            func ints(_ i: Int) throws -> [Int] {
                try Self.arrayElements(row.string(i)).map {
                    guard let v = Int($0) else { throw NationalError.malformedFeed(municipality: name, problem: "panel value '\($0)' is not a whole number") }
                    return v
                }
            }
            let starts = try Self.arrayElements(row.string(3)).map {
                guard let d = Day(iso: $0) else { throw NationalError.malformedFeed(municipality: name, problem: "panel period start '\($0)' is not a date") }
                return d
            }
            return NationalPanel.FeedRows(municipality: name, code: member.code, institution: row.string(1) ?? "",
                                          groupStart: row.string(2).flatMap(Day.init(iso:)), periodStarts: starts,
                                          exposureDays: try ints(4), children: try ints(5),
                                          events: [try ints(6), try ints(7), try ints(8)])
        }
    }

    /// The elements of a one-dimensional array of numbers or dates in PostgreSQL's text form.
    static func arrayElements(_ text: String?) -> [String] {
        guard let text, text.count >= 2 else { return [] }
        let inner = text.dropFirst().dropLast()
        return inner.isEmpty ? [] : inner.split(separator: ",").map(String.init)
    }
}
