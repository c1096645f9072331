import Pipeline

/// One enrolment spell as read (`FactFile.enrolments`). `child` and `institution` are ids:
/// indexes into `Facts.childKeys` and `Facts.institutions`.
package struct EnrolmentFact: Sendable, Equatable {
    package var child: Int32
    package var institution: Int32
    package var from: Day
    /// nil while open; the spell then runs to the as-of date.
    package var to: Day?
    /// The line in extract's file, for tracing back and as the last tie-break of the order.
    package var line: Int32
}

/// A merged stretch of days on which an institution had a social worker (`FactFile.coverage`).
package struct CoverageFact: Sendable, Equatable {
    package var institution: Int32
    package var from: Day
    package var to: Day
}

/// Exposure days of one child in one cohort, calendar year and institution (`FactFile.exposure`).
package struct ExposureFact: Sendable, Equatable {
    package var child: Int32
    package var cohort: Cohort
    package var year: Int32
    package var institution: Int32
    package var days: Int32
}

/// A case event with the status of its day (`FactFile.caseEvents`). Text fields are ids:
/// `caseRef` into `Facts.caseIDs`, `paragraph`/`source`/`reason` into `Facts.vocabulary`
/// (-1: NULL), so five million events take 200 MB, not gigabytes.
package struct CaseEventFact: Sendable, Equatable {
    package var caseRef: Int32
    package var child: Int32
    package var day: Day
    package var paragraph: Int32
    package var source: Int32
    package var reason: Int32
    /// `day − birth`, always filled.
    package var ageDays: Int32
    /// The line in extract's file; unique there, so it completes the output order.
    package var line: Int32
    package var type: EventType
    var status: PackedAttribution

    package var attribution: Attribution {
        get { status.attribution }
        set { status = PackedAttribution(newValue) }
    }
}

/// A child's first case, investigation or measure (`FactFile.firstEvents`).
package struct FirstEventFact: Sendable, Equatable {
    package var child: Int32
    package var kind: FirstEventKind
    package var day: Day
    package var ageDays: Int32
    package var attribution: Attribution
}

/// One case (sagsnummer) that has a `sag_oprettet` (`FactFile.cases`).
package struct CaseFact: Sendable, Equatable {
    package var caseRef: Int32
    /// The child of the earliest `sag_oprettet`.
    package var child: Int32
    package var opened: Day
    package var ageDays: Int32
    package var attribution: Attribution
    /// The latest `sag_afsluttet` of the case; nil when none.
    package var closed: Day?
    /// Its `aarsag`, a `Facts.vocabulary` id; -1: NULL.
    package var closingReason: Int32
}

/// A record the transform could not use, kept so a steward can see which and why.
package struct SkippedRecord: Sendable, Equatable {
    package var file: String
    package var line: Int
    package var reason: String
}

/// Everything transform derives from one extract, in output order (every array is sorted
/// by the total order its file is written in).
package struct Facts: Sendable {
    /// The register, one per number (the first kept), sorted by number byte-wise: the
    /// index is the institution id, so "smallest number" is "smallest id".
    package var institutions: [InstitutionRecord]
    /// Child keys sorted byte-wise: the index is the child id.
    package var childKeys: TextTable
    /// Birth day per child id.
    package var births: [Day]
    /// Case ids sorted byte-wise: the index is `caseRef`.
    package var caseIDs: TextTable
    /// Paragraphs, sources and closing reasons, by id.
    package var vocabulary: [String]

    package var enrolments: [EnrolmentFact]
    package var coverage: [CoverageFact]
    package var exposure: [ExposureFact]
    package var caseEvents: [CaseEventFact]
    package var firstEvents: [FirstEventFact]
    package var cases: [CaseFact]
    package var panel: PanelFacts

    /// The manifest's counts (see `TransformCounts`).
    package var counts: [String: Int]
    /// Records skipped (unknown institution), at most `TransformCounts.skippedListLimit`.
    package var skipped: [SkippedRecord]
    /// The source lines of the first few case events that repeat an earlier one exactly
    /// (`TransformCounts.repeatedEvents` counts them all).
    package var repeatedEventLines: [Int] = []

    package func text(_ id: Int32) -> String? { id < 0 ? nil : vocabulary[Int(id)] }
    package func district(_ institution: Int32) -> String { institutions[Int(institution)].district }
    package func number(_ institution: Int32) -> String { institutions[Int(institution)].number }
}
