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

/// A run's identity: its start time in UTC to the millisecond, `yyyymmddhhmmssSSS`, a
/// number that sorts by time. Ids of runs made before milliseconds were added have 14 digits
/// (`yyyymmddhhmmss`) and sort before every newer one. A new id is never one the ledger or
/// the state directory already holds (`PipelineRunner`), so an id is never used twice.
public struct RunID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// 17 digits, or 14 for a run made before milliseconds were added.
    public init?(_ text: String) {
        guard text.count == 17 || text.count == 14, text.allSatisfy(\.isASCII), let v = Int64(text), v > 0 else { return nil }
        rawValue = v
    }

    /// The id of a run started at `date` (the millisecond it falls in).
    public static func at(_ date: Date) -> RunID {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let (days, second) = seconds.quotient.quotientAndRemainder(dividingBy: 86_400)
        let civil = Day(rawValue: Int32(days)).civil
        let hms = (second / 3600) * 10_000 + (second % 3600 / 60) * 100 + second % 60
        let ymd = (Int64(civil.year) * 100 + Int64(civil.month)) * 100 + Int64(civil.day)
        return RunID(rawValue: (ymd * 1_000_000 + hms) * 1000 + seconds.remainder)
    }

    /// The time the id names, or nil for one that names no time.
    public var date: Date? {
        let digits = description
        guard digits.count == 17 || digits.count == 14 else { return nil }
        func part(_ from: Int, _ length: Int) -> Int64? {
            let start = digits.index(digits.startIndex, offsetBy: from)
            return Int64(digits[start..<digits.index(start, offsetBy: length)])
        }
        guard let y = part(0, 4), let mo = part(4, 2), let d = part(6, 2), let h = part(8, 2), let mi = part(10, 2),
              let s = part(12, 2), h < 24, mi < 60, s < 60,
              let day = Day(year: Int(y), month: Int(mo), day: Int(d)) else { return nil }
        let ms = digits.count == 17 ? (part(14, 3) ?? 0) : 0
        let total = ((Int64(day.rawValue) * 86_400 + h * 3600 + mi * 60 + s) * 1000) + ms
        return Date(timeIntervalSince1970: Double(total) / 1000)
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
