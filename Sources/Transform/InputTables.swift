import Pipeline

/// The institution register: one record per number, ids in byte order of numbers.
struct Register: Sendable {
    let institutions: [InstitutionRecord]
    private let ids: [String: Int32]
    /// Register entries repeating a number already read (extract rejects these; counted here).
    let duplicates: Int

    init(_ records: [InstitutionRecord]) {
        var firstByNumber: [String: InstitutionRecord] = [:]
        var duplicates = 0
        for r in records {
            if firstByNumber[r.number] == nil { firstByNumber[r.number] = r } else { duplicates += 1 }
        }
        institutions = firstByNumber.values.sorted { bytewiseLess($0.number, $1.number) }
        ids = Dictionary(uniqueKeysWithValues: institutions.enumerated().map { ($1.number, Int32($0)) })
        self.duplicates = duplicates
    }

    func id(_ number: String) -> Int32? { ids[number] }
}

/// Children seen in one input file: keys interned, birth per key as first read.
struct ChildKeys: Sendable {
    var keys = ByteInterner()
    var births: [Int32] = []
    /// Records whose birth differs from the first one read for the same key.
    var birthConflicts = 0

    mutating func id(_ key: String, birth: Day) -> Int32 {
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

    init(register: Register) { self.register = register }

    mutating func add(_ r: EnrolmentRecord) {
        rowsRead += 1
        guard let institution = register.id(r.institution) else {
            // Extract rejects these; should one get through, it must not take a day from a real spell.
            skippedCount += 1
            if skipped.count < TransformCounts.skippedListLimit {
                skipped.append(SkippedRecord(file: StageFile.enrolments, line: r.line, reason: "unknown_institution"))
            }
            return
        }
        let child = children.id(r.childKey, birth: r.birth)
        spells.append(EnrolmentFact(child: child, institution: institution, from: r.from, to: r.to,
                                    line: Int32(clamping: r.line), seq: Int32(clamping: spells.count)))
    }
}

/// Case events in compact form: children by local id, case ids and short texts interned.
struct EventTable: Sendable {
    var children = ChildKeys()
    var caseIDs = ByteInterner()
    var vocabulary = ByteInterner()
    var events: [CaseEventFact] = []

    mutating func add(_ r: CaseEventRecord) {
        let child = children.id(r.childKey, birth: r.birth)
        events.append(CaseEventFact(
            caseRef: caseIDs.intern(r.caseID).id, child: child, type: r.event, day: r.day,
            paragraph: word(r.paragraph), source: word(r.source), reason: word(r.reason),
            ageDays: 0, attribution: .unattributed(.outsideWindow),
            line: Int32(clamping: r.line), seq: Int32(clamping: events.count)))
    }

    private mutating func word(_ text: String?) -> Int32 {
        guard let text else { return -1 }
        return vocabulary.intern(text).id
    }
}
