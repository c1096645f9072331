import Foundation
import Postgres

/// A view of the national feed (sql/views/80_national_feed.sql) and the coordinator's
/// partitioned table over it (sql/national/001_coordinator.sql).
package enum FeedTable: String, CaseIterable, Sendable {
    case publishedLoads = "published_loads"
    case cohortStats = "cohort_stats"
    case notificationStats = "notification_stats"
    case closureStats = "closure_stats"
    case evaluationPanel = "evaluation_panel"

    /// The view's name in the municipality's schema `national_feed`.
    package var remote: String { self == .publishedLoads ? "published_load" : rawValue }

    /// The foreign table of one municipality: a partition of `national.<rawValue>`.
    package func partition(_ member: NationalFile.Member) -> String { "\(rawValue)_\(member.code)" }
}

/// What a feed said when asked for its published load.
package struct FeedState: Sendable {
    package var member: NationalFile.Member
    package var outcome: Outcome

    package enum Outcome: Sendable {
        case ready(PublishedLoad)
        case unreachable(String)
        case unusable(String)
    }

    package var unreachable: NationalError.Unavailable? {
        guard case .unreachable(let why) = outcome else { return nil }
        return .init(name: member.name, code: member.code, reason: why)
    }

    package var unusable: NationalError.Unavailable? {
        guard case .unusable(let why) = outcome else { return nil }
        return .init(name: member.name, code: member.code, reason: why)
    }
}

/// A municipality's published load, as its feed states it.
package struct PublishedLoad: Sendable, Equatable {
    package var municipality: String
    package var feedVersion: Int
    package var runID: Int64
    package var loadID: Int64
    package var publishedAt: String
    package var asOf: String
    package var windowFrom: String
    package var windowTo: String
    package var smallCellMinimum: Int
    package var periodLength: String?
    package var periods: Int
    package var firstPeriodStart: String?
    package var lastPeriodEnd: String?
    package var panelInstitutions: Int
    package var institutionsWithheld: Int

    static let columns = "municipality, " + feedColumns
    /// The columns after the municipality's name.
    static let feedColumns = "feed_version, run_id, load_id, published_at, as_of, window_from, window_to, "
        + "small_cell_minimum, period_length, periods, first_period_start, last_period_end, panel_institutions, institutions_withheld"

    init(_ row: Row) throws {
        municipality = row.string(0) ?? ""
        feedVersion = try row.int(1) ?? 0
        runID = Int64(try row.int(2) ?? 0)
        loadID = Int64(try row.int(3) ?? 0)
        publishedAt = row.string(4) ?? ""
        asOf = row.string(5) ?? ""
        windowFrom = row.string(6) ?? ""
        windowTo = row.string(7) ?? ""
        smallCellMinimum = try row.int(8) ?? 1
        periodLength = row.string(9)
        periods = try row.int(10) ?? 0
        firstPeriodStart = row.string(11)
        lastPeriodEnd = row.string(12)
        panelInstitutions = try row.int(13) ?? 0
        institutionsWithheld = try row.int(14) ?? 0
    }
}

extension Coordinator {
    /// The layout of the feed views this coordinator reads (`feed_version` in the feed).
    package static let feedVersion = 1

    /// Makes the coordinator read exactly the municipalities of the national file: for each, a
    /// postgres_fdw server (`async_capable`, so the partitions of one query are scanned at
    /// once), a user mapping with its feed role's password, and a foreign table per feed view
    /// as a partition of `national.*`; municipalities no longer in the file are dropped. One
    /// transaction: the definitions are wholly the old or the new. Foreign tables hold no data,
    /// so they are made anew each time. Then every feed is read once, and the answer returned.
    package func sync() throws -> [FeedState] {
        try exclusively("etl national sync") {
            let passwords = try file.municipalities.map { try $0.readPassword(file: file) }
            let dropped = try db.transaction { db in
                let existing = try db.query("""
                    SELECT srvname FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
                    WHERE w.fdwname = 'postgres_fdw' AND srvname LIKE 'municipality\\_%'
                    """, name: "list servers").compactMap { $0.string(0) }
                for server in existing {
                    try db.execute(try db.format("DROP SERVER %I CASCADE", [server]), name: "drop server \(server)")
                }
                try db.execute("DELETE FROM national.municipalities", name: "forget municipalities")
                // The user mappings' statements carry the feeds' passwords: kept out of the
                // server's log whatever it is set to log (`log_statement = ddl` wrote them
                // there, an adversarial review found; sampled logging and pg_stat_statements too,
                // a re-test). Settings only a superuser may change.
                _ = try db.query("""
                    SELECT set_config(name, value, true)
                    FROM (VALUES ('log_statement', 'none'), ('log_min_duration_statement', '-1'), ('log_min_duration_sample', '-1'),
                                 ('log_transaction_sample_rate', '0'), ('log_min_error_statement', 'panic'), ('pg_stat_statements.track', 'none'))
                         AS s(name, value)
                    WHERE (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                    """, name: "no statement logging")
                for (member, password) in zip(file.municipalities, passwords) {
                    try define(member, password: password)
                }
                return Set(existing).subtracting(file.municipalities.map(\.server)).sorted()
            }
            logger.info("synced the coordinator", metadata: [
                "municipalities": "\(file.municipalities.count)", "dropped": "\(dropped.isEmpty ? "none" : dropped.joined(separator: ","))"])
            do {
                return try file.municipalities.map(probe)
            } catch let error as PostgresError where error.kind == .connection && !db.isOpen {
                throw NationalError.syncedUnprobed(target: target, message: Self.firstLine(error.message))
            }
        }
    }

    private func define(_ member: NationalFile.Member, password: String) throws {
        var info = ConnectionInfo.parse(member.feed) ?? [:]
        let user = info.removeValue(forKey: "user") ?? NationalFile.defaultFeedUser
        info.removeValue(forKey: "password")
        if info["connect_timeout"] == nil { info["connect_timeout"] = String(file.connectTimeout) }
        // A server that stops answering mid-read is found by TCP, as by the tool's own sessions;
        // and one cut off as the coordinator commits (its COMMIT unacknowledged, where neither
        // keepalives nor read_timeout reach) within a minute, not the kernel's fifteen: the
        // coordinator sends feeds only short statements, so the zero window that keeps
        // `tcp_user_timeout` from a COPY's connection (`lostPeerOptions`) does not arise.
        for (option, value) in Connection.lostPeerOptions + [("tcp_user_timeout", "60000")] where info[option] == nil {
            info[option] = value
        }
        info["application_name"] = info["application_name"] ?? "etl national"
        info["async_capable"] = "true"
        // Rows come back in one round trip per partition, not a hundred at a time.
        info["fetch_size"] = "10000"
        // What a row costs to bring over, as PostgreSQL 17 sets it by default (15's 0.01 makes
        // the planner fetch the feeds' rows and aggregate here rather than on their servers).
        info["fdw_tuple_cost"] = "0.2"
        let options = info.keys.sorted()
        let template = "CREATE SERVER %I FOREIGN DATA WRAPPER postgres_fdw OPTIONS ("
            + options.map { _ in "%I %L" }.joined(separator: ", ") + ")"
        try db.execute(try db.format(template, [member.server] + options.flatMap { [$0, info[$0]!] }),
                       name: "create server \(member.server)")
        try db.execute(try db.format("CREATE USER MAPPING FOR CURRENT_USER SERVER %I OPTIONS (user %L, password %L)",
                                     [member.server, user, password]), name: "create user mapping \(member.server)")
        for table in FeedTable.allCases {
            try db.execute(try db.format("""
                CREATE FOREIGN TABLE national_remote.%I PARTITION OF national.%I FOR VALUES IN (%L)
                SERVER %I OPTIONS (schema_name 'national_feed', table_name %L)
                """, [table.partition(member), table.rawValue, member.name, member.server, table.remote]),
                name: "create foreign table \(table.partition(member))")
        }
        _ = try db.execute("""
            INSERT INTO national.municipalities (code, name, server, feed, password_source) VALUES ($1, $2, $3, $4, $5)
            """, [member.code, member.name, member.server, member.feed, member.password.description], name: "record municipality")
    }

    /// Reads one municipality's published load through its own foreign table, in a
    /// transaction of its own, and says whether its feed can be used.
    package func probe(_ member: NationalFile.Member) throws -> FeedState {
        let rows: [Row]
        do {
            // One row: a feed that takes longer than its connection may (twice connect_timeout)
            // does not answer, and is said so without waiting for read_timeout.
            try db.execute("SET statement_timeout = \(probeSeconds * 1000)", name: "probe timeout")
            defer { _ = try? db.execute("SET statement_timeout = \(file.readTimeout * 1000)", name: "read timeout") }
            // Its implicit commit, on the feed's server too, is not bounded by the timeout.
            rows = try Watchdog.process.watch("the probe of \(member.name) (\(member.code))", seconds: probeSeconds + 30) {
                try db.query("SELECT \(PublishedLoad.columns) FROM national_remote.\(Connection.quoteIdentifier(FeedTable.publishedLoads.partition(member)))",
                             name: "read the feed of \(member.name)")
            }
        } catch let error as PostgresError where db.isOpen {
            // The coordinator is there. Its own foreign table missing: not synced. The
            // municipality's server down or refusing the role (class 08, 28, 57P0x): not
            // reachable. Anything else the server answered (no feed, another layout): not usable.
            if error.sqlState == "42P01", error.message.contains("national_remote.") {
                throw NationalError.notSynced(names: [member.name], file: file.path, listed: true)
            }
            if Self.isUnreachable(error) {
                // postgres_fdw's message names only its server; libpq's reason is in the detail.
                return FeedState(member: member, outcome: .unreachable(Self.firstLine(error.message + (error.detail.map { ": " + $0 } ?? ""))))
            }
            if error.sqlState == "57014" {
                return FeedState(member: member, outcome: .unreachable("it did not answer within \(probeSeconds) s"))
            }
            return FeedState(member: member, outcome: .unusable(
                "its feed could not be read (\(Self.firstLine(error.message))); is its warehouse migrated by this version of etl (etl migrate)?"))
        }
        guard let row = rows.first else {
            return FeedState(member: member, outcome: .unusable("its warehouse has published nothing yet"))
        }
        guard rows.count == 1 else {   // a feed made by etl gives its one published load
            return FeedState(member: member, outcome: .unusable("its feed gives \(rows.count) published loads, not one (is its national_feed schema as etl made it?)"))
        }
        let load = try PublishedLoad(row)
        if load.feedVersion != Self.feedVersion {
            return FeedState(member: member, outcome: .unusable(
                "its feed is version \(load.feedVersion), this coordinator reads version \(Self.feedVersion): run the same etl version on both"))
        }
        if load.municipality != member.name {
            return FeedState(member: member, outcome: .unusable(
                "its feed says it is '\(load.municipality)', but \(file.path)\(member.line.map { ":\($0)" } ?? "") names it '\(member.name)': "
                    + "correct the name (as its pipeline file's municipality:) or the connection"))
        }
        return FeedState(member: member, outcome: .ready(load))
    }

    /// Whether the foreign tables are those the national file asks for (`sync` made them
    /// from the same names, codes and connections).
    func checkSynced() throws {
        let synced = try db.query("SELECT code, name, feed FROM national.municipalities", name: "read synced municipalities")
            .reduce(into: [String: [String?]]()) { $0[$1.string(0) ?? ""] = [$1.string(1), $1.string(2)] }
        let missing = file.municipalities.filter { synced[$0.code] != [$0.name, $0.feed] }.map(\.name)
        if !missing.isEmpty { throw NationalError.notSynced(names: missing, file: file.path, listed: true) }
        // Both ways: a municipality taken out of the file but still synced would otherwise be
        // left out of a snapshot that does not say it is partial.
        let codes = Set(file.municipalities.map(\.code))
        let dropped = synced.filter { !codes.contains($0.key) }.map { $0.value.first.flatMap { $0 } ?? $0.key }.sorted()
        if !dropped.isEmpty { throw NationalError.notSynced(names: dropped, file: file.path, listed: false) }
    }

    private var probeSeconds: Int { 2 * file.connectTimeout }

    /// A feed's server down or refusing the role (class 08, 28, 57P0x; none: the connection
    /// itself), as postgres_fdw reports it.
    static func isUnreachable(_ error: PostgresError) -> Bool {
        let state = error.sqlState ?? "08000"
        return state.hasPrefix("08") || state.hasPrefix("28") || state.hasPrefix("57P0")
    }

    static func firstLine(_ message: String) -> String {
        message.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}
