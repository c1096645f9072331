import Foundation

/// A municipality's pipeline file (`pipelines/*.yaml`): where its exports are, how they
/// are written, the evaluation window and the thresholds. See `docs/pipeline-files.md`.
package struct PipelineConfig: Sendable {
    /// The file it was read from.
    package var path: String
    /// `path`, absolute and standardized (a relative one is taken from the working
    /// directory): how the ledger and the stage files name it.
    package var absolutePath: String { URL(fileURLWithPath: path).absoluteURL.standardizedFileURL.path }
    package var municipality: String
    /// Start of the evaluation window.
    package var windowFrom: Day
    /// End of the evaluation window; nil: the run's as-of date.
    package var windowTo: Day?
    /// The as-of date when the drop does not say (see `AsOf`); usually nil.
    package var asOf: Day?
    /// The share of a file's records that may be rejected before the run stops.
    package var rejectThreshold: Double
    /// Counts from 1 to `smallCellMinimum − 1` are suppressed in analysts' views.
    package var smallCellMinimum: Int
    /// The largest `small_cell_minimum` a pipeline or national file may set: far beyond any
    /// use, and well within the warehouse's integer.
    package static let largestSmallCellMinimum = 1_000_000
    /// How many runs the warehouse keeps; older ones are dropped after a publish.
    package var keepRuns: Int
    /// A libpq URL or keyword string; nil: the embedded server.
    package var database: String?
    package var pseudonymKey: KeySource
    package var sources: Sources
    /// The difference-in-differences' periods and headline control group (`evaluation.md`).
    package var evaluation = EvaluationSettings()

    package struct EvaluationSettings: Sendable, Equatable {
        package var period: EvaluationPeriodLength = .quarter
        package var controlGroup: EvaluationControlGroup = .neverTreated
    }

    /// The committee's report (`report:`): its language and where the nightly run copies it.
    package var report = ReportSettings()

    /// Where the HMAC key comes from: an environment variable first, then a file.
    package struct KeySource: Sendable, Equatable {
        package var environmentVariable: String
        /// Relative paths are taken from the state directory; nil: `<state>/pseudonym.key`.
        package var file: String?
    }

    package struct Sources: Sendable {
        package var institutions: Source
        package var assignments: Source
        package var enrolments: Source
        package var caseEvents: Source

        package var all: [Source] { [institutions, assignments, enrolments, caseEvents] }
    }

    /// How one export is written and where its fields are.
    package struct Source: Sendable {
        package var kind: SourceKind
        package var file: String
        package var format: SourceFormat
        package var delimiter: UInt8
        package var encoding: TextEncoding
        package var dateFormats: [DateFormat]
        /// For XML: the local name of the element that is one record.
        package var recordElement: String
        /// Contract field → the municipality's column (CSV) or attribute/element name (XML).
        /// Every required field is mapped (checked on load); an optional one may be absent.
        package var columns: [String: String]
        /// Where each mapping is written in the pipeline file (for messages about a column).
        package var columnLines: [String: Int] = [:]
        /// This source's share of rejected records that stops the run; nil: the pipeline's.
        package var rejectThreshold: Double? = nil
        /// Institutions only: a regular expression every `nummer` must match.
        package var numberPattern: String? = nil
        /// Contract field → how the export's values become the contract's.
        package var values: [String: ValueMap] = [:]
        /// Which rows to read; nil: all.
        package var filter: RowFilter? = nil
        /// CSV: how many lines one quoted field may span before the file is refused.
        package var maxFieldLines: Int = 20
        /// The export may be a symbolic link to a file outside the drop.
        package var allowLinkOutsideDrop: Bool = false

        /// The municipality's name for a contract field; nil when it is not mapped.
        package func column(_ field: String) -> String? { columns[field] }
    }

    /// How the values of one field are turned into the contract's: whole values first, then
    /// parts (in the order written), then the default. Compared without surrounding spaces
    /// and without regard to case.
    package struct ValueMap: Sendable, Equatable {
        package struct Rule: Sendable, Equatable {
            package var match: String
            /// nil: the value becomes empty.
            package var value: String?

            package init(match: String, value: String?) { self.match = match; self.value = value }
        }
        package enum Fallback: Sendable, Equatable {
            /// An unmatched value is kept as written (and counted).
            case keep
            /// An unmatched value becomes empty (and is counted).
            case empty
            /// An unmatched value becomes this one (and is counted).
            case value(String)
        }
        package var exact: [Rule] = []
        package var contains: [Rule] = []
        package var fallback: Fallback = .keep

        package init(exact: [Rule] = [], contains: [Rule] = [], fallback: Fallback = .keep) {
            self.exact = exact; self.contains = contains; self.fallback = fallback
        }
    }

    /// Rows kept or skipped by the value of a column (any column of the export, mapped or
    /// not). A row is read when every `keep` condition holds and no `skip` condition does.
    package struct RowFilter: Sendable, Equatable {
        package struct Condition: Sendable, Equatable {
            package var column: String
            /// Compared without surrounding spaces and without regard to case.
            package var values: [String]
            /// Where the condition is written in the pipeline file.
            package var line: Int?

            package init(column: String, values: [String], line: Int? = nil) {
                self.column = column; self.values = values; self.line = line
            }
        }
        package var keep: [Condition] = []
        package var skip: [Condition] = []

        package init(keep: [Condition] = [], skip: [Condition] = []) { self.keep = keep; self.skip = skip }

        package var columns: [String] { (keep + skip).map(\.column) }
    }
}

/// The four exports of a drop, named as in `exports.md`.
package enum SourceKind: String, Sendable, CaseIterable {
    case institutions = "institutioner"
    case assignments = "socialraadgivere"
    case enrolments = "indmeldelser"
    case caseEvents = "sagshaendelser"

    /// The contract's fields of this export, in the order validators read them.
    package var fields: [String] {
        switch self {
        case .institutions: ["nummer", "navn", "type", "bydel", "klynge", "pladser", "oprettet", "nedlagt"]
        case .assignments: ["medarbejder_id", "institutionsnummer", "fra", "til"]
        case .enrolments: ["cpr", "institutionsnummer", "indmeldt", "udmeldt"]
        case .caseEvents: ["sagsnummer", "cpr", "haendelse", "dato", "paragraf", "kilde", "aarsag"]
        }
    }

    /// The fields a record cannot do without (`docs/decisions.md`); a pipeline file must map
    /// these, and may leave the others unmapped.
    package var requiredFields: [String] {
        switch self {
        case .institutions: ["nummer"]
        case .assignments: ["institutionsnummer", "fra"]
        case .enrolments: ["cpr", "institutionsnummer", "indmeldt"]
        case .caseEvents: ["sagsnummer", "cpr", "haendelse", "dato"]
        }
    }

    /// The fields kept as text in the stage files and the warehouse: where a CPR number
    /// typed by mistake is looked for.
    package var textFields: [String] {
        switch self {
        case .institutions: ["nummer", "navn", "type", "bydel", "klynge"]
        case .assignments: ["medarbejder_id", "institutionsnummer"]
        case .enrolments: ["institutionsnummer"]
        case .caseEvents: ["sagsnummer", "paragraf", "kilde", "aarsag"]
        }
    }

    /// The fields that describe a record rather than identify or date it: an XML record that
    /// gives one twice keeps the first (a register may repeat `<Type>`), where a second,
    /// different value of any other field rejects the record.
    package var descriptiveFields: [String] {
        switch self {
        case .institutions: ["navn", "type", "bydel", "klynge"]
        case .caseEvents: ["paragraf", "kilde", "aarsag"]
        case .assignments, .enrolments: []
        }
    }

    /// The fields whose values a pipeline file may map (`values`).
    package var mappableFields: [String] {
        switch self {
        case .institutions: ["navn", "type", "bydel", "klynge"]
        case .assignments, .enrolments: []
        case .caseEvents: ["haendelse", "paragraf", "kilde", "aarsag"]
        }
    }
}

package enum SourceFormat: String, Sendable, CaseIterable { case csv, xml }

package enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case windows1252 = "windows-1252"
    case latin1 = "iso-8859-1"

    /// The encoding a pipeline file names: its IANA name or a common alias (`UTF8`, `cp1252`,
    /// `latin1`, as export tools and PostgreSQL write them), in any case, with or without `-` and `_`.
    package init?(named name: String) {
        switch String(name.lowercased().unicodeScalars.filter { $0 != "-" && $0 != "_" }) {
        case "utf8": self = .utf8
        case "windows1252", "cp1252", "win1252": self = .windows1252
        case "iso88591", "latin1", "l1", "cp819", "ibm819", "isoir100": self = .latin1
        default: return nil
        }
    }
}
