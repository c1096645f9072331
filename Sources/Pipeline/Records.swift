/// The typed, validated records extract writes and transform reads, one stage file each.
/// A child appears only by its pseudonym (`childKey`, HMAC-SHA-256 hex) and birth day.

/// A daycare institution from the register.
public struct InstitutionRecord: Sendable, Equatable {
    public var number: String
    public var name: String
    public var type: String
    public var district: String
    public var cluster: String?
    public var places: Int?
    public var opened: Day?
    public var closed: Day?
    /// The line (CSV) or element index (XML) in the export.
    public var line: Int

    public init(number: String, name: String, type: String, district: String, cluster: String?,
                places: Int?, opened: Day?, closed: Day?, line: Int) {
        self.number = number; self.name = name; self.type = type; self.district = district
        self.cluster = cluster; self.places = places; self.opened = opened; self.closed = closed
        self.line = line
    }
}

/// A social worker's assignment to an institution; `to == nil` while it lasts.
public struct AssignmentRecord: Sendable, Equatable {
    public var staffID: String
    public var institution: String
    public var from: Day
    public var to: Day?
    public var line: Int

    public init(staffID: String, institution: String, from: Day, to: Day?, line: Int) {
        self.staffID = staffID; self.institution = institution; self.from = from; self.to = to; self.line = line
    }
}

/// A child's enrolment spell; `to == nil` while the child is still enrolled.
public struct EnrolmentRecord: Sendable, Equatable {
    public var childKey: String
    public var birth: Day
    public var institution: String
    public var from: Day
    public var to: Day?
    public var line: Int

    public init(childKey: String, birth: Day, institution: String, from: Day, to: Day?, line: Int) {
        self.childKey = childKey; self.birth = birth; self.institution = institution
        self.from = from; self.to = to; self.line = line
    }
}

/// The event types of `haendelse`.
public enum EventType: String, Sendable, CaseIterable, Codable {
    case notification = "underretning"
    case caseOpened = "sag_oprettet"
    case investigationStarted = "undersoegelse_startet"
    case investigationEnded = "undersoegelse_afsluttet"
    case measureStarted = "foranstaltning_startet"
    case measureEnded = "foranstaltning_ophoert"
    case caseClosed = "sag_afsluttet"
}

/// One event on a child's welfare case.
public struct CaseEventRecord: Sendable, Equatable {
    public var caseID: String
    public var childKey: String
    public var birth: Day
    public var event: EventType
    public var day: Day
    public var paragraph: String?
    /// `kilde`: who notified (notifications only).
    public var source: String?
    /// `aarsag`: why the case closed (closures only).
    public var reason: String?
    public var line: Int

    public init(caseID: String, childKey: String, birth: Day, event: EventType, day: Day,
                paragraph: String?, source: String?, reason: String?, line: Int) {
        self.caseID = caseID; self.childKey = childKey; self.birth = birth; self.event = event
        self.day = day; self.paragraph = paragraph; self.source = source; self.reason = reason
        self.line = line
    }
}

/// Why a record was rejected. The raw values are what stewards filter on: keep them stable.
public enum RejectReason: String, Sendable, CaseIterable, Codable {
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
public struct RejectRecord: Sendable, Equatable {
    public var file: String
    public var line: Int
    public var field: String?
    public var reason: RejectReason
    public var message: String

    public init(file: String, line: Int, field: String?, reason: RejectReason, message: String) {
        self.file = file; self.line = line; self.field = field; self.reason = reason; self.message = message
    }
}
