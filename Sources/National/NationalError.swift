import Operations
import Pipeline

/// What stops `etl national sync` or `publish`, naming the municipality and what to do.
package enum NationalError: StewardError, Equatable {
    /// Feeds that could not be read: the server is down, refuses the role, or is not there.
    /// `publishing`: said by `publish`, which then published nothing; `partial`: by `publish --partial`.
    case unreachable([Unavailable], published: Int64?, publishing: Bool = true, partial: Bool = false)
    /// A feed answered but has nothing published yet (or states another municipality, or
    /// speaks another feed version).
    case unusable([Unavailable], published: Int64?, publishing: Bool = true)
    /// The national file lists municipalities `etl national sync` has not made (or made
    /// with another connection): the foreign tables do not match the file.
    /// `listed`: the file names them as the coordinator does not read them; else the
    /// coordinator still reads them and the file no longer lists them.
    case notSynced(names: [String], file: String, listed: Bool)
    /// With `--partial`, no municipality was left.
    case noMunicipalities(file: String)
    /// A feed's rows do not fit the national panel (a coordinator or feed bug, not data).
    case malformedFeed(municipality: String, problem: String)
    /// The coordinator database was made by something else than `etl national`.
    case notACoordinator(target: String, detail: String)
    /// A feed's session broke while the snapshot was read, and every feed answers again
    /// (its backend was terminated, say): postgres_fdw's error does not say whose it was.
    case feedLost(message: String, published: Int64?, feeds: [String] = [], partial: Bool = false)
    /// The snapshot's read took longer than the national file's `read_timeout`, and every feed
    /// answers its probe: one answers that but not the read (a lock held on its server, say).
    case readTimedOut(seconds: Int, published: Int64?, partial: Bool = false)
    /// The connection to the coordinator's own database broke (`command`: `publish` or `sync`).
    case coordinatorLost(target: String, message: String, command: String)
    /// The connection to the coordinator broke after the sync committed, while the feeds were probed.
    case syncedUnprobed(target: String, message: String)
    /// The connection broke as the publish of `snapshot` committed, and a new session could
    /// not ask whether it did.
    case publishUnconfirmed(target: String, snapshot: Int64, message: String)

    package struct Unavailable: Sendable, Equatable, CustomStringConvertible {
        package var name: String
        package var code: String
        package var reason: String
        package init(name: String, code: String, reason: String) { self.name = name; self.code = code; self.reason = reason }
        package var description: String { "\(name) (\(code)): \(reason)" }
    }

    /// Throws for the feeds that cannot be reached (first) or used, if any.
    package static func check(_ states: [FeedState], published: Int64?, publishing: Bool) throws {
        let unreachable = states.compactMap { $0.unreachable }, unusable = states.compactMap { $0.unusable }
        if !unreachable.isEmpty { throw NationalError.unreachable(unreachable, published: published, publishing: publishing) }
        if !unusable.isEmpty { throw NationalError.unusable(unusable, published: published, publishing: publishing) }
    }

    package var description: String {
        func outcome(_ published: Int64?, _ publishing: Bool) -> String {
            let kept = published.map { "national snapshot \($0) stays published" } ?? "no national snapshot is published yet"
            return publishing ? ", so nothing was published (\(kept))" : ""
        }
        func publish(_ partial: Bool) -> String { partial ? "`etl national publish --partial`" : "`etl national publish`" }
        switch self {
        case .unreachable(let list, let published, let publishing, let partial):
            return "\(list.count == 1 ? "a municipality's feed" : "\(list.count) municipalities' feeds") could not be reached"
                + outcome(published, publishing) + ": " + list.map(\.description).joined(separator: "; ")
                + ". Check that each server runs and lets national_feed in over TCP (`etl warehouse start --listen`, "
                + "`etl national feed-role`), and the password (then `etl national sync`); "
                + (partial ? "or run `etl national publish --partial` again, which now leaves them out (they went away during its read)"
                           : "or publish without them: `etl national publish --partial`")
        case .unusable(let list, let published, let publishing):
            return "\(list.count == 1 ? "a municipality's feed is" : "\(list.count) municipalities' feeds are") not usable"
                + outcome(published, publishing) + ": " + list.map(\.description).joined(separator: "; ")
                + ". Publish without them with `etl national publish --partial`"
        case .notSynced(let names, let file, let listed):
            let which = names.joined(separator: ", ")
            return (listed ? "\(file) lists \(which), which the coordinator is not synced to read as it says (new, or its name, code or connection changed)"
                           : "the coordinator still reads \(which), which \(file) no longer lists")
                + "; run `etl national sync --file \(file)` first"
        case .noMunicipalities(let file):
            return "no municipality of \(file) could be read, so there is nothing to publish"
        case .malformedFeed(let municipality, let problem):
            return "the feed of \(municipality) does not fit the national panel: \(problem). Check that its warehouse and the coordinator run the same etl version"
        case .feedLost(let message, let published, let feeds, let partial):
            let whose = feeds.isEmpty ? "a municipality's feed" : feeds.count == 1 ? "the feed of \(feeds[0])" : "the feeds of \(feeds.joined(separator: ", "))"
            return "the connection to \(whose) broke while the snapshot was read (\(message))"
                + outcome(published, true) + ". Every feed answers again (`etl national status`): run \(publish(partial)) again"
        case .readTimedOut(let seconds, let published, let partial):
            return "the snapshot's read took longer than read_timeout (\(seconds) s): every municipality's feed answers its probe, "
                + "but one did not finish the read (a lock held on its server, or a server overloaded; its steward sees "
                + "a national_feed session waiting in pg_stat_activity)" + outcome(published, true)
                + ". Run \(publish(partial)) again later, or with a longer read_timeout in the national file"
        case .coordinatorLost(let target, let message, let command):
            let kept = command == "sync" ? "a sync is one transaction, so the servers and foreign tables are as they were "
                + "(or, had it broken as the sync committed, wholly as the national file says)"
                : "a publish is one transaction, and the coordinator says the national snapshot published before stays published"
            return "the connection to the coordinator's database (\(target)) broke (\(message)); \(kept). Check that server (for the "
                + "embedded one: `etl warehouse status` with the same --state-dir), then run the command again"
        case .syncedUnprobed(let target, let message):
            return "the coordinator was synced, but the connection to its database (\(target)) broke while the feeds were probed "
                + "(\(message)); `etl national status` probes them once that server answers (for the embedded one: "
                + "`etl warehouse status` with the same --state-dir)"
        case .publishUnconfirmed(let target, let snapshot, let message):
            return "the connection to the coordinator's database (\(target)) broke as the publish of national snapshot \(snapshot) "
                + "committed (\(message)), and a new session could not ask whether it did: `etl national status` says which snapshot "
                + "is published once the coordinator answers; if it is not \(snapshot), run `etl national publish` again"
        case .notACoordinator(let target, let detail):
            return "\(target) is not a national coordinator's database (\(detail)); give `etl national` a database of its own (--database, or `database:` in the national file)"
        }
    }

    package var exitStatus: ExitStatus {
        switch self {
        case .unreachable, .feedLost, .readTimedOut, .coordinatorLost, .syncedUnprobed, .publishUnconfirmed: .databaseUnreachable
        case .notSynced, .notACoordinator: .usage
        case .unusable, .noMunicipalities, .malformedFeed: .failure
        }
    }
}
