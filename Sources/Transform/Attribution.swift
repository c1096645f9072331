import Pipeline

/// The two cohorts of `metrics.md`. Raw values are what the warehouse stores.
package enum Cohort: String, Sendable, CaseIterable, Comparable {
    case control, treatment

    /// Output order: by the stored text ("control" < "treatment").
    package static func < (a: Cohort, b: Cohort) -> Bool { a == .control && b == .treatment }
}

/// Why an event's day is not an exposure day, in the order `metrics.md` checks them.
package enum UnattributedReason: String, Sendable, CaseIterable {
    case outsideWindow = "outside_window"
    case notEnrolled = "not_enrolled"
    case outOfAge = "out_of_age"
}

/// The status of one child on one day: an exposure day of a cohort at an institution
/// (its id in `Facts.institutions`), or why not.
package enum Attribution: Hashable, Sendable {
    case attributed(Cohort, institution: Int32)
    case unattributed(UnattributedReason)

    package var cohort: Cohort? {
        if case let .attributed(c, _) = self { return c }
        return nil
    }

    package var institution: Int32? {
        if case let .attributed(_, i) = self { return i }
        return nil
    }

    package var reason: UnattributedReason? {
        if case let .unattributed(r) = self { return r }
        return nil
    }
}

/// An `Attribution` in 5 bytes instead of 9, for the millions of case events.
struct PackedAttribution: Sendable, Equatable {
    /// 0 control, 1 treatment, 2+ the reason's index in `UnattributedReason.allCases`.
    var code: UInt8
    var institution: Int32

    init(_ a: Attribution) {
        switch a {
        case let .attributed(cohort, i): code = cohort == .control ? 0 : 1; institution = i
        case let .unattributed(r): code = 2 + UInt8(UnattributedReason.allCases.firstIndex(of: r)!); institution = -1
        }
    }

    var attribution: Attribution {
        switch code {
        case 0: .attributed(.control, institution: institution)
        case 1: .attributed(.treatment, institution: institution)
        default: .unattributed(UnattributedReason.allCases[Int(code - 2)])
        }
    }
}

/// The three first events of `metrics.md`, in output order.
package enum FirstEventKind: String, Sendable, CaseIterable {
    case `case`, investigation, measure

    /// Output order (also the order of the text).
    var order: Int {
        switch self {
        case .case: 0
        case .investigation: 1
        case .measure: 2
        }
    }
}
