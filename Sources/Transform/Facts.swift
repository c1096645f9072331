import Pipeline

/// One enrolment spell as read (`FactFile.enrolments`). `child` and `institution` are ids:
/// indexes into `Facts.childKeys` and `Facts.institutions`.
public struct EnrolmentFact: Sendable, Equatable {
    public var child: Int32
    public var institution: Int32
    public var from: Day
    /// nil while open; the spell then runs to the as-of date.
    public var to: Day?
    /// The line in extract's file, for tracing back and as the last tie-break of the order.
    public var line: Int32
}

/// A merged stretch of days on which an institution had a social worker (`FactFile.coverage`).
public struct CoverageFact: Sendable, Equatable {
    public var institution: Int32
    public var from: Day
    public var to: Day
}

/// Exposure days of one child in one cohort, calendar year and institution (`FactFile.exposure`).
public struct ExposureFact: Sendable, Equatable {
    public var child: Int32
    public var cohort: Cohort
    public var year: Int32
    public var institution: Int32
    public var days: Int32
}

/// A case event with the status of its day (`FactFile.caseEvents`). Text fields are ids:
/// `caseRef` into `Facts.caseIDs`, `paragraph`/`source`/`reason` into `Facts.vocabulary`
/// (-1: NULL), so five million events take 200 MB, not gigabytes.
public struct CaseEventFact: Sendable, Equatable {
    public var caseRef: Int32
    public var child: Int32
    public var day: Day
    public var paragraph: Int32
    public var source: Int32
    public var reason: Int32
    /// `day − birth`, always filled.
    public var ageDays: Int32
    /// The line in extract's file; unique there, so it completes the output order.
    public var line: Int32
    public var type: EventType
    var status: PackedAttribution

    public var attribution: Attribution {
        get { status.attribution }
        set { status = PackedAttribution(newValue) }
    }
}

/// A child's first case, investigation or measure (`FactFile.firstEvents`).
public struct FirstEventFact: Sendable, Equatable {
    public var child: Int32
    public var kind: FirstEventKind
    public var day: Day
    public var ageDays: Int32
    public var attribution: Attribution
}

/// One case (sagsnummer) that has a `sag_oprettet` (`FactFile.cases`).
public struct CaseFact: Sendable, Equatable {
    public var caseRef: Int32
    /// The child of the earliest `sag_oprettet`.
    public var child: Int32
    public var opened: Day
    public var ageDays: Int32
    public var attribution: Attribution
    /// The latest `sag_afsluttet` of the case; nil when none.
    public var closed: Day?
    /// Its `aarsag`, a `Facts.vocabulary` id; -1: NULL.
    public var closingReason: Int32
}

/// A record the transform could not use, kept so a steward can see which and why.
public struct SkippedRecord: Sendable, Equatable {
    public var file: String
    public var line: Int
    public var reason: String
}

/// Everything transform derives from one extract, in output order (every array is sorted
/// by the total order its file is written in).
public struct Facts: Sendable {
    /// The register, one per number (the first kept), sorted by number byte-wise: the
    /// index is the institution id, so "smallest number" is "smallest id".
    public var institutions: [InstitutionRecord]
    /// Child keys sorted byte-wise: the index is the child id.
    public var childKeys: TextTable
    /// Birth day per child id.
    public var births: [Day]
    /// Case ids sorted byte-wise: the index is `caseRef`.
    public var caseIDs: TextTable
    /// Paragraphs, sources and closing reasons, by id.
    public var vocabulary: [String]

    public var enrolments: [EnrolmentFact]
    public var coverage: [CoverageFact]
    public var exposure: [ExposureFact]
    public var caseEvents: [CaseEventFact]
    public var firstEvents: [FirstEventFact]
    public var cases: [CaseFact]
    package var panel: PanelFacts

    /// The manifest's counts (see `TransformCounts`).
    public var counts: [String: Int]
    /// Records skipped (unknown institution), at most `TransformCounts.skippedListLimit`.
    public var skipped: [SkippedRecord]

    public func text(_ id: Int32) -> String? { id < 0 ? nil : vocabulary[Int(id)] }
    public func district(_ institution: Int32) -> String { institutions[Int(institution)].district }
    public func number(_ institution: Int32) -> String { institutions[Int(institution)].number }
}
