/// The typed, validated records extract writes and transform reads, one stage file each.
/// A child appears only by its pseudonym (`childKey`, HMAC-SHA-256 hex) and birth day.

/// A daycare institution from the register.
package struct InstitutionRecord: Sendable, Equatable {
    package var number: String
    package var name: String
    package var type: String
    package var district: String
    package var cluster: String?
    package var places: Int?
    package var opened: Day?
    package var closed: Day?
    /// The line (CSV) or element index (XML) in the export.
    package var line: Int

    package init(number: String, name: String, type: String, district: String, cluster: String?,
                places: Int?, opened: Day?, closed: Day?, line: Int) {
        self.number = number; self.name = name; self.type = type; self.district = district
        self.cluster = cluster; self.places = places; self.opened = opened; self.closed = closed
        self.line = line
    }
}

/// A social worker's assignment to an institution; `to == nil` while it lasts.
package struct AssignmentRecord: Sendable, Equatable {
    package var staffID: String
    package var institution: String
    package var from: Day
    package var to: Day?
    package var line: Int

    package init(staffID: String, institution: String, from: Day, to: Day?, line: Int) {
        self.staffID = staffID; self.institution = institution; self.from = from; self.to = to; self.line = line
    }
}

/// A child's enrolment spell; `to == nil` while the child is still enrolled.
package struct EnrolmentRecord: Sendable, Equatable {
    package var childKey: String
    package var birth: Day
    package var institution: String
    package var from: Day
    package var to: Day?
    package var line: Int

    package init(childKey: String, birth: Day, institution: String, from: Day, to: Day?, line: Int) {
        self.childKey = childKey; self.birth = birth; self.institution = institution
        self.from = from; self.to = to; self.line = line
    }
}

/// The values of the contract's fields of closed vocabulary (`exports.md`), by field name:
/// a value map need not list them, and one it leaves as written is no unmapped value.
package enum ContractVocabulary {
    package static let values: [String: Set<String>] = [
        "haendelse": Set(EventType.allCases.map(\.rawValue)),
        "kilde": ["daginstitution", "daginstitutionsraadgiver", "skole", "sundhedspleje", "politi", "foraeldre", "andre"],
        "aarsag": ["bekymring_ophoert", "familien_selv", "flyttet", "anden_sag", "andet"],
    ]
}

/// The event types of `haendelse`.
package enum EventType: String, Sendable, CaseIterable, Codable {
    case notification = "underretning"
    case caseOpened = "sag_oprettet"
    case investigationStarted = "undersoegelse_startet"
    case investigationEnded = "undersoegelse_afsluttet"
    case measureStarted = "foranstaltning_startet"
    case measureEnded = "foranstaltning_ophoert"
    case caseClosed = "sag_afsluttet"
}

/// One event on a child's welfare case.
package struct CaseEventRecord: Sendable, Equatable {
    package var caseID: String
    package var childKey: String
    package var birth: Day
    package var event: EventType
    package var day: Day
    package var paragraph: String?
    /// `kilde`: who notified (notifications only).
    package var source: String?
    /// `aarsag`: why the case closed (closures only).
    package var reason: String?
    package var line: Int

    package init(caseID: String, childKey: String, birth: Day, event: EventType, day: Day,
                paragraph: String?, source: String?, reason: String?, line: Int) {
        self.caseID = caseID; self.childKey = childKey; self.birth = birth; self.event = event
        self.day = day; self.paragraph = paragraph; self.source = source; self.reason = reason
        self.line = line
    }
}

/// Why a record was rejected. The raw values are what stewards filter on: keep them stable.
package enum RejectReason: String, Sendable, CaseIterable, Codable {
    case wrongColumnCount = "wrong_column_count"
    case malformedField = "malformed_field"        // e.g. a stray quote
    case missingValue = "missing_value"
    case invalidDate = "invalid_date"              // not a date in a declared layout
    case nonexistentDate = "nonexistent_date"      // shaped like a date, no such day
    case invalidCPR = "invalid_cpr"
    case unknownEventType = "unknown_event_type"
    case unknownInstitution = "unknown_institution"
    case endBeforeStart = "end_before_start"
    case duplicateInstitution = "duplicate_institution"
    case invalidNumber = "invalid_number"
    case invalidInstitutionNumber = "invalid_institution_number"   // fails the source's nummer_pattern
    case controlCharacter = "control_character"    // e.g. NUL, which COPY cannot take
}

/// A record extract could not accept. Never holds a CPR number in clear: only `DDMMYY-****`.
package struct RejectRecord: Sendable, Equatable {
    package var file: String
    package var line: Int
    package var field: String?
    package var reason: RejectReason
    package var message: String

    package init(file: String, line: Int, field: String?, reason: RejectReason, message: String) {
        self.file = file; self.line = line; self.field = field; self.reason = reason; self.message = message
    }
}
