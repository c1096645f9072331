import Foundation

/// A municipality's pipeline file (`pipelines/*.yaml`): where its exports are, how they
/// are written, the evaluation window and the thresholds. See `docs/pipeline-files.md`.
public struct PipelineConfig: Sendable {
    /// The file it was read from.
    public var path: String
    public var municipality: String
    /// Start of the evaluation window.
    public var windowFrom: Day
    /// End of the evaluation window; nil: the run's as-of date.
    public var windowTo: Day?
    /// The as-of date when the drop does not say (see `AsOf`); usually nil.
    public var asOf: Day?
    /// The share of a file's records that may be rejected before the run stops.
    public var rejectThreshold: Double
    /// Counts from 1 to `smallCellMinimum − 1` are suppressed in analysts' views.
    public var smallCellMinimum: Int
    /// How many runs the warehouse keeps; older ones are dropped after a publish.
    public var keepRuns: Int
    /// A libpq URL or keyword string; nil: the embedded server.
    public var database: String?
    public var pseudonymKey: KeySource
    public var sources: Sources
    /// The difference-in-differences' periods and headline control group (`evaluation.md`).
    package var evaluation = EvaluationSettings()

    package struct EvaluationSettings: Sendable, Equatable {
        package var period: EvaluationPeriodLength = .quarter
        package var controlGroup: EvaluationControlGroup = .neverTreated
    }

    /// Where the HMAC key comes from: an environment variable first, then a file.
    public struct KeySource: Sendable, Equatable {
        public var environmentVariable: String
        /// Relative paths are taken from the state directory; nil: `<state>/pseudonym.key`.
        public var file: String?
    }

    public struct Sources: Sendable {
        public var institutions: Source
        public var assignments: Source
        public var enrolments: Source
        public var caseEvents: Source

        public var all: [Source] { [institutions, assignments, enrolments, caseEvents] }
    }

    /// How one export is written and where its fields are.
    public struct Source: Sendable {
        public var kind: SourceKind
        public var file: String
        public var format: SourceFormat
        public var delimiter: UInt8
        public var encoding: TextEncoding
        public var dateFormats: [DateFormat]
        /// For XML: the local name of the element that is one record.
        public var recordElement: String
        /// Contract field → the municipality's column (CSV) or attribute/element name (XML).
        public var columns: [String: String]

        /// The municipality's name for a contract field; every field is mapped (checked on load).
        public func column(_ field: String) -> String { columns[field]! }
    }
}

/// The four exports of a drop, named as in `exports.md`.
public enum SourceKind: String, Sendable, CaseIterable {
    case institutions = "institutioner"
    case assignments = "socialraadgivere"
    case enrolments = "indmeldelser"
    case caseEvents = "sagshaendelser"

    /// The contract's fields of this export; each must be mapped by a pipeline file.
    public var fields: [String] {
        switch self {
        case .institutions: ["nummer", "navn", "type", "bydel", "klynge", "pladser", "oprettet", "nedlagt"]
        case .assignments: ["medarbejder_id", "institutionsnummer", "fra", "til"]
        case .enrolments: ["cpr", "institutionsnummer", "indmeldt", "udmeldt"]
        case .caseEvents: ["sagsnummer", "cpr", "haendelse", "dato", "paragraf", "kilde", "aarsag"]
        }
    }
}

public enum SourceFormat: String, Sendable, CaseIterable { case csv, xml }

public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case windows1252 = "windows-1252"
    case latin1 = "iso-8859-1"
}

/// A pipeline file that cannot be used: says which file, line and key, and what is wrong.
public struct PipelineConfigError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var line: Int?
    public var key: String
    public var message: String

    public init(path: String, line: Int?, key: String, message: String) {
        self.path = path; self.line = line; self.key = key; self.message = message
    }

    public var description: String {
        "\(path)\(line.map { ":\($0)" } ?? ""): \(key): \(message)"
    }
}
