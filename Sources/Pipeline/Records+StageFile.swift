import Foundation

/// The stage-file codec of each record type: its columns, in file order, written and read
/// in one place. Extract writes with these, transform and load read with them; the column
/// order is the file format (`docs/pipeline-files.md`; keep it in step with `sql/`).
///
/// The two big files (enrolments, case events) also have a byte form (`Fields`): extract
/// writes them from bytes of the export, transform reads them without a String per field.

extension InstitutionRecord {
    package func write(to w: StageFileWriter) throws {
        w.field(number); w.field(name); w.field(type); w.field(district); w.field(cluster)
        w.field(places); w.field(opened); w.field(closed); w.field(line)
        try w.endRecord()
    }

    package init(_ f: StageRecord, path: String, line: Int) throws {
        guard f.count == 9, let number = StageField.string(f[0]), let l = StageField.int(f[8]) else {
            throw StageFileError(path: path, line: line, message: "not an institution record")
        }
        self.init(number: number, name: StageField.string(f[1]) ?? "", type: StageField.string(f[2]) ?? "",
                  district: StageField.string(f[3]) ?? "", cluster: StageField.string(f[4]),
                  places: StageField.int(f[5]), opened: StageField.day(f[6]), closed: StageField.day(f[7]), line: l)
    }
}

extension AssignmentRecord {
    package func write(to w: StageFileWriter) throws {
        w.field(staffID); w.field(institution); w.field(from); w.field(to); w.field(line)
        try w.endRecord()
    }

    package init(_ f: StageRecord, path: String, line: Int) throws {
        guard f.count == 5, let staff = StageField.string(f[0]), let inst = StageField.string(f[1]),
              let from = StageField.day(f[2]), let l = StageField.int(f[4]) else {
            throw StageFileError(path: path, line: line, message: "not an assignment record")
        }
        self.init(staffID: staff, institution: inst, from: from, to: StageField.day(f[3]), line: l)
    }
}

extension EnrolmentRecord {
    /// An enrolment with its texts as bytes (unescaped): child key, birth, institution, from, to, line.
    package struct Fields {
        package var childKey: UnsafeRawBufferPointer
        package var birth: Day
        package var institution: UnsafeRawBufferPointer
        package var from: Day
        package var to: Day?
        package var line: Int

        package init(childKey: UnsafeRawBufferPointer, birth: Day, institution: UnsafeRawBufferPointer, from: Day, to: Day?, line: Int) {
            self.childKey = childKey; self.birth = birth; self.institution = institution; self.from = from; self.to = to; self.line = line
        }

        /// The columns in file order. `hexKey`: the child key as extract holds it.
        package func write(to w: StageFileWriter, hexKey: SIMD64<UInt8>? = nil) throws {
            if let hexKey { w.field(hex: hexKey) } else { w.field(childKey) }
            w.field(birth); w.field(institution); w.field(from); w.field(to); w.field(line)
            try w.endRecord()
        }

        /// `body` with the record's fields; a record that is not an enrolment is an error.
        /// Not generic: called from transform, a generic one ran unspecialised, and looked up
        /// its result's type metadata each record (docs/benchmarks.md).
        package static func read(_ f: StageRecord, path: String, line: Int, _ body: (Fields) throws -> Void) throws {
            guard f.count == 6, !StageField.isNull(f[0]), !StageField.isNull(f[2]), let birth = StageField.day(f[1]),
                  let from = StageField.day(f[3]), let l = StageField.int(f[5]) else {
                throw StageFileError(path: path, line: line, message: "not an enrolment record")
            }
            let to = StageField.day(f[4])
            try withTexts(f[0], f[2]) { (key, institution) in
                try body(Fields(childKey: key, birth: birth, institution: institution, from: from, to: to, line: l))
            }
        }
    }

    package func write(to w: StageFileWriter) throws {
        var (key, inst) = (childKey, institution)
        try key.withUTF8 { k in
            try inst.withUTF8 { i in
                try Fields(childKey: UnsafeRawBufferPointer(k), birth: birth, institution: UnsafeRawBufferPointer(i),
                           from: from, to: to, line: line).write(to: w)
            }
        }
    }

    package init(_ f: StageRecord, path: String, line: Int) throws {
        var record: EnrolmentRecord?
        try Fields.read(f, path: path, line: line) { r in
            record = EnrolmentRecord(childKey: String(decoding: r.childKey, as: UTF8.self), birth: r.birth,
                                     institution: String(decoding: r.institution, as: UTF8.self), from: r.from, to: r.to, line: r.line)
        }
        self = record!
    }
}

extension CaseEventRecord {
    /// A case event with its texts as bytes (unescaped; nil: NULL): case id, child key,
    /// birth, event type, day, paragraph, source, reason, line.
    package struct Fields {
        package var caseID: UnsafeRawBufferPointer
        package var childKey: UnsafeRawBufferPointer
        package var birth: Day
        package var event: EventType
        package var day: Day
        package var paragraph: UnsafeRawBufferPointer?
        package var source: UnsafeRawBufferPointer?
        package var reason: UnsafeRawBufferPointer?
        package var line: Int

        package init(caseID: UnsafeRawBufferPointer, childKey: UnsafeRawBufferPointer, birth: Day, event: EventType, day: Day,
                     paragraph: UnsafeRawBufferPointer?, source: UnsafeRawBufferPointer?, reason: UnsafeRawBufferPointer?, line: Int) {
            self.caseID = caseID; self.childKey = childKey; self.birth = birth; self.event = event; self.day = day
            self.paragraph = paragraph; self.source = source; self.reason = reason; self.line = line
        }

        /// The columns in file order. `hexKey`: the child key as extract holds it.
        package func write(to w: StageFileWriter, hexKey: SIMD64<UInt8>? = nil) throws {
            w.field(caseID)
            if let hexKey { w.field(hex: hexKey) } else { w.field(childKey) }
            w.field(birth); w.field(escaped: event.stageText); w.field(day)
            if let paragraph { w.field(paragraph) } else { w.null() }
            if let source { w.field(source) } else { w.null() }
            if let reason { w.field(reason) } else { w.null() }
            w.field(line)
            try w.endRecord()
        }

        /// `body` with the record's fields; a record that is not a case event is an error.
        /// The three optional texts stay raw (`StageField.withText` reads them).
        package static func read(_ f: StageRecord, path: String, line: Int,
                                 _ body: (Fields, _ optional: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, UnsafeRawBufferPointer))
                                     throws -> Void) throws {
            guard f.count == 9, !StageField.isNull(f[0]), !StageField.isNull(f[1]), let birth = StageField.day(f[2]),
                  let event = EventType(stageText: f[3]),
                  let day = StageField.day(f[4]), let l = StageField.int(f[8]) else {
                throw StageFileError(path: path, line: line, message: "not a case-event record")
            }
            try withTexts(f[0], f[1]) { (caseID, key) in
                try body(Fields(caseID: caseID, childKey: key, birth: birth, event: event, day: day,
                                paragraph: nil, source: nil, reason: nil, line: l), (f[5], f[6], f[7]))
            }
        }
    }

    package func write(to w: StageFileWriter) throws {
        var (caseID, key) = (self.caseID, childKey)
        let texts = [paragraph, source, reason].map { $0.map { Array($0.utf8) } }
        try caseID.withUTF8 { c in
            try key.withUTF8 { k in
                try texts[0].withOptionalBytes { p in
                    try texts[1].withOptionalBytes { s in
                        try texts[2].withOptionalBytes { r in
                            try Fields(caseID: UnsafeRawBufferPointer(c), childKey: UnsafeRawBufferPointer(k), birth: birth,
                                       event: event, day: day, paragraph: p, source: s, reason: r, line: line).write(to: w)
                        }
                    }
                }
            }
        }
    }

    package init(_ f: StageRecord, path: String, line: Int) throws {
        var record: CaseEventRecord?
        try Fields.read(f, path: path, line: line) { r, optional in
            record = CaseEventRecord(caseID: String(decoding: r.caseID, as: UTF8.self), childKey: String(decoding: r.childKey, as: UTF8.self),
                                     birth: r.birth, event: r.event, day: r.day, paragraph: StageField.string(optional.0),
                                     source: StageField.string(optional.1), reason: StageField.string(optional.2), line: r.line)
        }
        self = record!
    }
}

extension RejectRecord {
    package func write(to w: StageFileWriter) throws {
        w.field(file); w.field(line); w.field(field); w.field(reason.rawValue); w.field(message)
        try w.endRecord()
    }

    package init(_ f: StageRecord, path: String, line: Int) throws {
        guard f.count == 5, let file = StageField.string(f[0]), let l = StageField.int(f[1]),
              let reason = StageField.string(f[3]).flatMap(RejectReason.init(rawValue:)) else {
            throw StageFileError(path: path, line: line, message: "not a reject record")
        }
        self.init(file: file, line: l, field: StageField.string(f[2]), reason: reason, message: StageField.string(f[4]) ?? "")
    }
}

extension EventType {
    /// The order of a case's life (`allCases`): output order of events on one day.
    package var order: UInt8 {
        switch self {
        case .notification: 0
        case .caseOpened: 1
        case .investigationStarted: 2
        case .investigationEnded: 3
        case .measureStarted: 4
        case .measureEnded: 5
        case .caseClosed: 6
        }
    }

    /// The raw value's bytes, as the stage files hold it: constant bytes of the program, so a
    /// row neither looks them up nor counts a reference to them (a static array of the
    /// texts did both, 2 % of a national extract).
    package var stageText: UnsafeRawBufferPointer {
        let name: StaticString = switch self {
        case .notification: "underretning"
        case .caseOpened: "sag_oprettet"
        case .investigationStarted: "undersoegelse_startet"
        case .investigationEnded: "undersoegelse_afsluttet"
        case .measureStarted: "foranstaltning_startet"
        case .measureEnded: "foranstaltning_ophoert"
        case .caseClosed: "sag_afsluttet"
        }
        return UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
    }

    /// The event type whose raw value these bytes are, without making a String; nil when none is.
    package init?(stageText f: UnsafeRawBufferPointer) {
        for type in EventType.allCases {
            let text = type.stageText
            if text.count == f.count, memcmp(text.baseAddress!, f.baseAddress!, f.count) == 0 { self = type; return }
        }
        return nil
    }
}

/// `body` with two fields' unescaped bytes (neither NULL: the caller checked).
private func withTexts(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer,
                       _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) rethrows {
    _ = try StageField.withText(a) { a in try StageField.withText(b) { b in try body(a, b) } }
}

extension Optional where Wrapped == [UInt8] {
    fileprivate func withOptionalBytes<R>(_ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        guard let self else { return try body(nil) }
        return try self.withUnsafeBytes { try body($0) }
    }
}
