/// A kind of bad record the contract says must be rejected (`exports.md`, "Bad input").
public enum DirtyKind: String, Sendable, CaseIterable, Comparable {
    /// A date of the right shape that does not exist, e.g. `31-02-2015`.
    case nonexistentDate
    /// A CPR number of 9 digits, or whose date does not exist (`310213-xxxx`).
    case invalidCPR
    /// A `haendelse` / `type` outside the contract's list.
    case unknownEventType
    /// An institution number that is not in the register.
    case unknownInstitution
    /// `udmeldt` / `til` before `indmeldt` / `fra`.
    case endBeforeStart
    /// One field too few or too many.
    case wrongColumnCount
    /// A `"` inside an unquoted date field (`01-0"3-2015`): malformed under RFC 4180, and
    /// not a date under any lenient reading either. It never opens a quoted field, so the
    /// rest of the file reads normally.
    case strayQuote
    /// A register entry repeating an institution number already read; the first is kept.
    case duplicateInstitution

    public static func < (a: DirtyKind, b: DirtyKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What a drop holds, and every bad record put in on purpose.
public struct DropSummary: Sendable, Equatable {
    public struct File: Sendable, Equatable {
        public var name: String
        /// Data records, bad ones included: the MANIFEST's count.
        public var rows: Int
        public var bytes: Int
        public var sha256: String
    }

    /// One injected bad record.
    public struct Injected: Sendable, Equatable {
        public var file: String
        public var kind: DirtyKind
        /// 1-based among the file's data records (CSV) or record elements (XML).
        public var record: Int
        /// The physical line the record starts on (header = line 1); nil for XML.
        public var line: Int?
    }

    public struct CohortCounts: Sendable, Equatable {
        public var treatment = 0
        public var control = 0

        mutating func add(_ treated: Bool) { if treated { treatment += 1 } else { control += 1 } }
    }

    /// The figures `metrics.md` must give over the window `[windowFrom, asOf]`, known to the
    /// generator from its own records: for end-to-end checks of the warehouse.
    public struct Truth: Sendable, Equatable {
        public var exposureDays = CohortCounts()
        public var childrenExposed = CohortCounts()
        /// Children whose first case / investigation / measure is attributed to the cohort.
        public var detected = CohortCounts()
        public var investigated = CohortCounts()
        public var measured = CohortCounts()
    }

    /// Children simulated, including those never enrolled and never in a case.
    public var children = 0
    /// Children with at least one enrolment spell.
    public var childrenEnrolled = 0
    /// Good records per kind (the injected bad ones are not counted here).
    public var institutions = 0
    public var assignments = 0
    public var spells = 0
    public var cases = 0
    public var events = 0
    /// The files in the order written, `MANIFEST` excluded.
    public var files: [File] = []
    public var injected: [Injected] = []
    public var truth = Truth()

    public func injectedCount(kind: DirtyKind? = nil, file: String? = nil) -> Int {
        injected.reduce(0) { n, i in n + ((kind == nil || i.kind == kind) && (file == nil || i.file == file) ? 1 : 0) }
    }
}
