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

// MARK: - Stage-file codecs (column order is the file format; keep in step with sql/)

extension InstitutionRecord {
    package func write(to w: CopyTextWriter) throws {
        w.field(number); w.field(name); w.field(type); w.field(district); w.field(cluster)
        w.field(places); w.field(opened); w.field(closed); w.field(line)
        try w.endRecord()
    }

    package init(fields f: [ArraySlice<UInt8>], path: String, line: Int) throws {
        guard f.count == 9, let number = CopyField.string(f[0]), let line = CopyField.int(f[8]) else {
            throw StageFileError(path: path, line: line, message: "not an institution record")
        }
        self.init(number: number, name: CopyField.string(f[1]) ?? "", type: CopyField.string(f[2]) ?? "",
                  district: CopyField.string(f[3]) ?? "", cluster: CopyField.string(f[4]),
                  places: CopyField.int(f[5]), opened: CopyField.day(f[6]), closed: CopyField.day(f[7]), line: line)
    }
}

extension AssignmentRecord {
    package func write(to w: CopyTextWriter) throws {
        w.field(staffID); w.field(institution); w.field(from); w.field(to); w.field(line)
        try w.endRecord()
    }

    package init(fields f: [ArraySlice<UInt8>], path: String, line: Int) throws {
        guard f.count == 5, let staff = CopyField.string(f[0]), let inst = CopyField.string(f[1]),
              let from = CopyField.day(f[2]), let l = CopyField.int(f[4]) else {
            throw StageFileError(path: path, line: line, message: "not an assignment record")
        }
        self.init(staffID: staff, institution: inst, from: from, to: CopyField.day(f[3]), line: l)
    }
}

extension EnrolmentRecord {
    package func write(to w: CopyTextWriter) throws {
        w.field(childKey); w.field(birth); w.field(institution); w.field(from); w.field(to); w.field(line)
        try w.endRecord()
    }

    package init(fields f: [ArraySlice<UInt8>], path: String, line: Int) throws {
        guard f.count == 6, let child = CopyField.string(f[0]), let birth = CopyField.day(f[1]),
              let inst = CopyField.string(f[2]), let from = CopyField.day(f[3]), let l = CopyField.int(f[5]) else {
            throw StageFileError(path: path, line: line, message: "not an enrolment record")
        }
        self.init(childKey: child, birth: birth, institution: inst, from: from, to: CopyField.day(f[4]), line: l)
    }
}

extension CaseEventRecord {
    package func write(to w: CopyTextWriter) throws {
        w.field(caseID); w.field(childKey); w.field(birth); w.field(event.rawValue); w.field(day)
        w.field(paragraph); w.field(source); w.field(reason); w.field(line)
        try w.endRecord()
    }

    package init(fields f: [ArraySlice<UInt8>], path: String, line: Int) throws {
        guard f.count == 9, let caseID = CopyField.string(f[0]), let child = CopyField.string(f[1]),
              let birth = CopyField.day(f[2]), let event = CopyField.string(f[3]).flatMap(EventType.init(rawValue:)),
              let day = CopyField.day(f[4]), let l = CopyField.int(f[8]) else {
            throw StageFileError(path: path, line: line, message: "not a case-event record")
        }
        self.init(caseID: caseID, childKey: child, birth: birth, event: event, day: day,
                  paragraph: CopyField.string(f[5]), source: CopyField.string(f[6]), reason: CopyField.string(f[7]), line: l)
    }
}

extension RejectRecord {
    package func write(to w: CopyTextWriter) throws {
        w.field(file); w.field(line); w.field(field); w.field(reason.rawValue); w.field(message)
        try w.endRecord()
    }

    package init(fields f: [ArraySlice<UInt8>], path: String, line: Int) throws {
        guard f.count == 5, let file = CopyField.string(f[0]), let l = CopyField.int(f[1]),
              let reason = CopyField.string(f[3]).flatMap(RejectReason.init(rawValue:)) else {
            throw StageFileError(path: path, line: line, message: "not a reject record")
        }
        self.init(file: file, line: l, field: CopyField.string(f[2]), reason: reason, message: CopyField.string(f[4]) ?? "")
    }
}

extension CopyTextReader {
    /// Reads every record of a stage file with a record type's decoder.
    package static func readAll<R>(_ path: String, _ decode: ([ArraySlice<UInt8>], String, Int) throws -> R) throws -> [R] {
        var reader = try CopyTextReader(path: path)
        var out: [R] = []
        try reader.forEach { fields, line in out.append(try decode(fields, path, line)) }
        return out
    }
}
