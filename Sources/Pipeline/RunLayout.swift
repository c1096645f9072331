import Foundation

/// The stages of a run, in order.
public enum Stage: String, Sendable, CaseIterable, Codable, Comparable {
    case extract, transform, load

    public static func < (a: Stage, b: Stage) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Where things live under the state directory:
///
///     <state>/postgres/              the embedded server (cluster, socket, log)
///     <state>/pseudonym.key          the pseudonymisation key of the embedded default
///     <state>/runs/<id>/extract/     typed records, rejects, manifest.json
///     <state>/runs/<id>/transform/   fact rows in COPY format, manifest.json
///     <state>/runs/<id>/run.json     what the run was started with
public struct StateLayout: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root.standardizedFileURL }

    /// `--state-dir`, else `ETL_STATE_DIR`, else `.etl-state` in the working directory.
    public static func resolve(_ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> StateLayout {
        let path = explicit ?? environment["ETL_STATE_DIR"] ?? ".etl-state"
        return StateLayout(root: URL(fileURLWithPath: path, isDirectory: true))
    }

    public var postgres: URL { root.appendingPathComponent("postgres", isDirectory: true) }
    public var runs: URL { root.appendingPathComponent("runs", isDirectory: true) }
    public var defaultKeyFile: URL { root.appendingPathComponent("pseudonym.key") }
    public var lockFile: URL { root.appendingPathComponent("etl.lock") }

    public func run(_ id: RunID) -> RunFolder { RunFolder(root: runs.appendingPathComponent(id.description, isDirectory: true), id: id) }
}

/// A run's identity: its start time in UTC as `yyyymmddhhmmss`, a number that sorts by time
/// and names a partition in the warehouse.
public struct RunID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }

    public init?(_ text: String) {
        guard text.count == 14, let v = Int64(text) else { return nil }
        rawValue = v
    }

    public static func at(_ date: Date) -> RunID {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let v = ((((Int64(c.year!) * 100 + Int64(c.month!)) * 100 + Int64(c.day!)) * 100 + Int64(c.hour!)) * 100
                 + Int64(c.minute!)) * 100 + Int64(c.second!)
        return RunID(rawValue: v)
    }

    public var description: String { String(rawValue) }
    public static func < (a: RunID, b: RunID) -> Bool { a.rawValue < b.rawValue }
}

/// One run's folder.
public struct RunFolder: Sendable {
    public let root: URL
    public let id: RunID

    public func folder(_ stage: Stage) -> URL { root.appendingPathComponent(stage.rawValue, isDirectory: true) }
    public func file(_ stage: Stage, _ name: String) -> String { folder(stage).appendingPathComponent(name).path }
    public func manifest(_ stage: Stage) -> String { file(stage, "manifest.json") }
    public var runInfo: String { root.appendingPathComponent("run.json").path }

    /// Empties and recreates a stage's folder, so a rerun never mixes old and new files.
    public func resetStage(_ stage: Stage) throws {
        let url = folder(stage)
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
}

/// The file names inside stage folders.
public enum StageFile {
    // extract/
    public static let institutions = "institutions.tsv"
    public static let assignments = "assignments.tsv"
    public static let enrolments = "enrolments.tsv"
    public static let caseEvents = "case_events.tsv"
    public static let rejects = "rejects.tsv"
}

/// The fact files transform writes (COPY text; columns in this order), which load copies
/// into the warehouse tables of the same name (`sql/`).
public enum FactFile: String, Sendable, CaseIterable {
    /// number, name, type, district, cluster, places, opened, closed
    case institutions = "institutions.tsv"
    /// child_key, birth_date — every child of an enrolment or a case event
    case children = "children.tsv"
    /// child_key, institution, from_day, to_day (NULL while open)
    case enrolments = "enrolments.tsv"
    /// institution, from_day, to_day — days covered by a social worker, merged, ends clipped to as-of
    case coverage = "coverage.tsv"
    /// child_key, cohort, year, institution, district, days
    case exposure = "exposure.tsv"
    /// case_id, child_key, event_type, day, paragraph, source, reason, age_days,
    /// cohort, institution, district, unattributed_reason — every event, with the status of its day
    case caseEvents = "case_events.tsv"
    /// child_key, kind (case | investigation | measure), day, age_days,
    /// cohort, institution, district, unattributed_reason
    case firstEvents = "first_events.tsv"
    /// case_id, child_key, opened_day, age_days, cohort, institution, district, unattributed_reason,
    /// closed_day, closing_reason — one row per case with a sag_oprettet
    case cases = "cases.tsv"
    /// institution, period, period_start, period_end, grp, exposure_days, children, detected,
    /// investigated, measured — the evaluation panel: every institution of the register × every
    /// period 1…T (`evaluation.md`); grp is the institution's first covered period, 0 never
    case evaluationPanel = "evaluation_panel.tsv"

    /// The warehouse table it is copied into.
    public var table: String { String(rawValue.dropLast(4)) }
}
