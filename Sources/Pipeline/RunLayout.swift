import Foundation

/// The stages of a run, in order.
package enum Stage: String, Sendable, CaseIterable, Codable, Comparable {
    case extract, transform, load

    package static func < (a: Stage, b: Stage) -> Bool {
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
package struct StateLayout: Sendable {
    package let root: URL

    package init(root: URL) { self.root = root.standardizedFileURL }

    /// `--state-dir`, else `ETL_STATE_DIR`, else `.etl-state` in the working directory.
    package static func resolve(_ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> StateLayout {
        let path = explicit ?? environment["ETL_STATE_DIR"] ?? ".etl-state"
        return StateLayout(root: URL(fileURLWithPath: path, isDirectory: true))
    }

    package var postgres: URL { root.appendingPathComponent("postgres", isDirectory: true) }
    package var runs: URL { root.appendingPathComponent("runs", isDirectory: true) }
    package var defaultKeyFile: URL { root.appendingPathComponent("pseudonym.key") }
    package var lockFile: URL { root.appendingPathComponent("etl.lock") }

    package func run(_ id: RunID) -> RunFolder { RunFolder(root: runs.appendingPathComponent(id.description, isDirectory: true), id: id) }
}

/// A run's identity: its start time in UTC to the millisecond, `yyyymmddhhmmssSSS`, a
/// number that sorts by time. Ids of runs made before milliseconds were added have 14 digits
/// (`yyyymmddhhmmss`) and sort before every newer one. A new id is never one the ledger or
/// the state directory already holds (`PipelineRunner`), so an id is never used twice.
package struct RunID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    package var rawValue: Int64
    package init(rawValue: Int64) { self.rawValue = rawValue }

    /// 17 digits, or 14 for a run made before milliseconds were added.
    package init?(_ text: String) {
        guard text.count == 17 || text.count == 14, text.allSatisfy(\.isASCII), let v = Int64(text), v > 0 else { return nil }
        rawValue = v
    }

    /// The id of a run started at `date` (the millisecond it falls in).
    package static func at(_ date: Date) -> RunID {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let (days, second) = seconds.quotient.quotientAndRemainder(dividingBy: 86_400)
        let civil = Day(rawValue: Int32(days)).civil
        let hms = (second / 3600) * 10_000 + (second % 3600 / 60) * 100 + second % 60
        let ymd = (Int64(civil.year) * 100 + Int64(civil.month)) * 100 + Int64(civil.day)
        return RunID(rawValue: (ymd * 1_000_000 + hms) * 1000 + seconds.remainder)
    }

    /// The time the id names, or nil for one that names no time.
    package var date: Date? {
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

    package var description: String { String(rawValue) }
    package static func < (a: RunID, b: RunID) -> Bool { a.rawValue < b.rawValue }
}

/// One run's folder.
package struct RunFolder: Sendable {
    package let root: URL
    package let id: RunID

    package func folder(_ stage: Stage) -> URL { root.appendingPathComponent(stage.rawValue, isDirectory: true) }
    package func file(_ stage: Stage, _ name: String) -> String { folder(stage).appendingPathComponent(name).path }
    package func manifest(_ stage: Stage) -> String { file(stage, "manifest.json") }
    package var runInfo: String { root.appendingPathComponent("run.json").path }

    /// Empties and recreates a stage's folder, so a rerun never mixes old and new files.
    package func resetStage(_ stage: Stage) throws {
        let url = folder(stage)
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
}

/// The file names inside stage folders.
package enum StageFile {
    // extract/
    package static let institutions = "institutions.tsv"
    package static let assignments = "assignments.tsv"
    package static let enrolments = "enrolments.tsv"
    package static let caseEvents = "case_events.tsv"
    package static let rejects = "rejects.tsv"
}

/// The fact files transform writes (COPY text; columns in this order), which load copies
/// into the warehouse tables of the same name (`sql/`).
package enum FactFile: String, Sendable, CaseIterable {
    /// number, name, type, district, cluster, places, opened, closed
    case institutions = "institutions.tsv"
    /// child_key, birth_date, child — every child of an enrolment or a case event; `child`
    /// is its id in the other files (its rank by child_key, from 0)
    case children = "children.tsv"
    /// institution, from_day, to_day (NULL while open), child
    case enrolments = "enrolments.tsv"
    /// institution, from_day, to_day — days covered by a social worker, merged, ends clipped to as-of
    case coverage = "coverage.tsv"
    /// cohort, year, institution, district, days, child
    case exposure = "exposure.tsv"
    /// case_id, event_type, day, paragraph, source, reason, age_days,
    /// cohort, institution, district, unattributed_reason, child — every event, with the status of its day
    case caseEvents = "case_events.tsv"
    /// kind (case | investigation | measure), day, age_days,
    /// cohort, institution, district, unattributed_reason, child
    case firstEvents = "first_events.tsv"
    /// case_id, opened_day, age_days, cohort, institution, district, unattributed_reason,
    /// closed_day, closing_reason, child — one row per case with a sag_oprettet
    case cases = "cases.tsv"
    /// institution, period, period_start, period_end, grp, exposure_days, children, detected,
    /// investigated, measured — the evaluation panel: every institution of the register × every
    /// period 1…T (`evaluation.md`); grp is the institution's first covered period, 0 never
    case evaluationPanel = "evaluation_panel.tsv"

    /// The warehouse table it is copied into.
    package var table: String { String(rawValue.dropLast(4)) }
}
