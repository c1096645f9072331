import Pipeline

/// The institution register: one record per number, ids in byte order of numbers.
struct Register: Sendable {
    let institutions: [InstitutionRecord]
    /// Number bytes → id (ids interned in sorted order, so the interner's id is the id).
    private let numbers: ByteInterner
    /// Register entries repeating a number already read (extract rejects these; counted here).
    let duplicates: Int

    init(_ records: [InstitutionRecord]) {
        var seen = ByteInterner()
        var firsts: [InstitutionRecord] = []
        for r in records where seen.intern(r.number).isNew { firsts.append(r) }
        institutions = firsts.sorted { bytewiseLess($0.number, $1.number) }
        var numbers = ByteInterner()
        for r in institutions { _ = numbers.intern(r.number) }
        self.numbers = numbers
        duplicates = records.count - firsts.count
    }

    func id(_ number: UnsafeRawBufferPointer) -> Int32? { numbers.find(number) }

    func id(_ number: String) -> Int32? {
        var n = number
        return n.withUTF8 { id(UnsafeRawBufferPointer($0)) }
    }
}

/// Children seen in one input file: keys interned, birth per key as first read.
struct ChildKeys: Sendable {
    var keys = ByteInterner()
    var births: [Int32] = []
    /// Records whose birth differs from the first one read for the same key.
    var birthConflicts = 0

    mutating func id(_ key: UnsafeRawBufferPointer, birth: Day) -> Int32 {
        let (id, isNew) = keys.intern(key)
        if isNew { births.append(birth.rawValue) } else if births[Int(id)] != birth.rawValue { birthConflicts += 1 }
        return id
    }
}

/// Enrolment spells in compact form, children by local id.
struct SpellTable: Sendable {
    var children = ChildKeys()
    var spells: [EnrolmentFact] = []
    var rowsRead = 0
    var skipped: [SkippedRecord] = []
    var skippedCount = 0
    let register: Register

    init(register: Register, capacity: Int = 0) {
        self.register = register
        spells.reserveCapacity(capacity)
    }

    mutating func add(_ r: EnrolmentRecord) {
        var key = r.childKey
        key.withUTF8 { key in
            add(child: UnsafeRawBufferPointer(key), birth: r.birth, institution: register.id(r.institution),
                from: r.from, to: r.to, line: r.line)
        }
    }

    /// Decodes a stage-file record with `EnrolmentRecord`'s codec, from its bytes: no
    /// String per field.
    mutating func add(_ f: StageRecord, path: String, line: Int) throws {
        try EnrolmentRecord.Fields.read(f, path: path, line: line) { r in
            add(child: r.childKey, birth: r.birth, institution: register.id(r.institution), from: r.from, to: r.to, line: r.line)
        }
    }

    private mutating func add(child key: UnsafeRawBufferPointer, birth: Day, institution: Int32?, from: Day, to: Day?, line: Int) {
        rowsRead += 1
        guard let institution else {
            // Extract rejects these; should one get through, it must not take a day from a real spell.
            skippedCount += 1
            if skipped.count < TransformCounts.skippedListLimit {
                skipped.append(SkippedRecord(file: StageFile.enrolments, line: line, reason: "unknown_institution"))
            }
            return
        }
        let child = children.id(key, birth: birth)
        spells.append(EnrolmentFact(child: child, institution: institution, from: from, to: to, line: Int32(clamping: line)))
    }
}

/// Case events in compact form: children by local id, case ids and short texts interned.
struct EventTable: Sendable {
    var children = ChildKeys()
    var caseIDs = ByteInterner()
    var vocabulary = ByteInterner()
    var events: [CaseEventFact] = []

    init(capacity: Int = 0) { events.reserveCapacity(capacity) }

    mutating func add(_ r: CaseEventRecord) {
        var (caseID, key) = (r.caseID, r.childKey)
        let caseRef = caseID.withUTF8 { caseIDs.intern(UnsafeRawBufferPointer($0)).id }
        let child = key.withUTF8 { children.id(UnsafeRawBufferPointer($0), birth: r.birth) }
        append(caseRef: caseRef, child: child, type: r.event, day: r.day,
               paragraph: word(r.paragraph), source: word(r.source), reason: word(r.reason), line: r.line)
    }

    /// Decodes a stage-file record with `CaseEventRecord`'s codec, from its bytes.
    mutating func add(_ f: StageRecord, path: String, line: Int) throws {
        try CaseEventRecord.Fields.read(f, path: path, line: line) { r, optional in
            let caseRef = caseIDs.intern(r.caseID).id
            let child = children.id(r.childKey, birth: r.birth)
            append(caseRef: caseRef, child: child, type: r.event, day: r.day,
                   paragraph: word(optional.0), source: word(optional.1), reason: word(optional.2), line: r.line)
        }
    }

    private mutating func append(caseRef: Int32, child: Int32, type: EventType, day: Day,
                                 paragraph: Int32, source: Int32, reason: Int32, line: Int) {
        events.append(CaseEventFact(caseRef: caseRef, child: child, day: day, paragraph: paragraph, source: source,
                                    reason: reason, ageDays: 0, line: Int32(clamping: line), type: type,
                                    status: PackedAttribution(.unattributed(.outsideWindow))))
    }

    private mutating func word(_ text: String?) -> Int32 {
        guard var text else { return -1 }
        return text.withUTF8 { vocabulary.intern(UnsafeRawBufferPointer($0)).id }
    }

    private mutating func word(_ field: UnsafeRawBufferPointer) -> Int32 {
        StageField.withText(field) { vocabulary.intern($0).id } ?? -1
    }
}
