import Pipeline

/// Renders `Facts` into the fact files, columns in the order `FactFile` documents. A child
/// is its id (`child`, its index in `Facts.childKeys`) everywhere but `children`, where its
/// pseudonym is kept once.
/// Every text is escaped once up front; rows are then byte copies.
struct FactRows: Sendable {
    let facts: Facts
    private let keys: TextTable
    private let caseIDs: TextTable
    // The short texts in byte arenas too: read as `[[UInt8]]`, each field written retained and
    // released its array, a tenth of a national transform (docs/benchmarks.md).
    private let numbers: TextTable
    private let districts: TextTable
    private let vocabulary: TextTable
    /// cohort, institution, district, unattributed_reason for each packed status: text
    /// `code * institutions + institution` of `attributed` for codes 0, 1; `unattributed[code - 2]`.
    private let attributed: TextTable
    private let unattributed: TextTable
    private let eventTypes: TextTable
    private let cohorts: TextTable
    private let kinds: TextTable

    init(_ facts: Facts) {
        self.facts = facts
        keys = facts.childKeys.needsEscaping ? TextTable(facts.childKeys.map { String(decoding: CopyText.escaped($0), as: UTF8.self) }) : facts.childKeys
        caseIDs = facts.caseIDs.needsEscaping ? TextTable(facts.caseIDs.map { String(decoding: CopyText.escaped($0), as: UTF8.self) }) : facts.caseIDs
        numbers = TextTable(texts: facts.institutions.map { CopyText.escaped($0.number) })
        districts = TextTable(texts: facts.institutions.map { CopyText.escaped($0.district) })
        vocabulary = TextTable(texts: facts.vocabulary.map(CopyText.escaped))
        let null = Array("\\N".utf8), tab: [UInt8] = [0x09]
        attributed = TextTable(texts: [Cohort.control, .treatment].flatMap { cohort in
            facts.institutions.map { r in
                Array(cohort.rawValue.utf8) + tab + CopyText.escaped(r.number) + tab + CopyText.escaped(r.district) + tab + null
            }
        })
        unattributed = TextTable(texts: UnattributedReason.allCases.map { null + tab + null + tab + null + tab + Array($0.rawValue.utf8) })
        eventTypes = TextTable(texts: EventType.allCases.map { Array($0.rawValue.utf8) })
        cohorts = TextTable(texts: [Array(Cohort.control.rawValue.utf8), Array(Cohort.treatment.rawValue.utf8)])
        kinds = TextTable(texts: FirstEventKind.allCases.map { Array($0.rawValue.utf8) })
    }

    func write(_ file: FactFile, to path: String) throws(StageFileError) -> StageManifest.OutputFile {
        let out = try StageFileWriter(path: path)
        switch file {
        case .institutions: try institutions(out)
        case .children: try children(out)
        case .enrolments: try enrolments(out)
        case .coverage: try coverage(out)
        case .exposure: try exposure(out)
        case .caseEvents: try caseEvents(out)
        case .firstEvents: try firstEvents(out)
        case .cases: try cases(out)
        case .evaluationPanel: try evaluationPanel(out)
        }
        return try out.close(name: file.rawValue)
    }

    private func text(_ s: String?, _ out: StageFileWriter) {
        out.field(s)
    }

    private func word(_ id: Int32, _ out: StageFileWriter) {
        if id < 0 { out.null() } else { out.field(vocabulary, Int(id)) }
    }

    private func status(_ s: PackedAttribution, _ out: StageFileWriter) {
        if s.code < 2 {
            out.field(attributed, Int(s.code) &* facts.institutions.count &+ Int(s.institution))
        } else {
            out.field(unattributed, Int(s.code) - 2)
        }
    }

    private func institutions(_ out: StageFileWriter) throws(StageFileError) {
        for r in facts.institutions {
            text(r.number, out); text(r.name, out); text(r.type, out); text(r.district, out); text(r.cluster, out)
            out.field(r.places)
            out.field(r.opened); out.field(r.closed)
            try out.endRecord()
        }
    }

    private func children(_ out: StageFileWriter) throws(StageFileError) {
        for (i, birth) in facts.births.enumerated() {
            out.field(keys, i); out.field(birth); out.field(i)
            try out.endRecord()
        }
    }

    private func enrolments(_ out: StageFileWriter) throws(StageFileError) {
        for e in facts.enrolments {
            out.field(numbers, Int(e.institution)); out.field(e.from); out.field(e.to); out.field(Int(e.child))
            try out.endRecord()
        }
    }

    private func coverage(_ out: StageFileWriter) throws(StageFileError) {
        for c in facts.coverage {
            out.field(numbers, Int(c.institution)); out.field(c.from); out.field(c.to)
            try out.endRecord()
        }
    }

    private func exposure(_ out: StageFileWriter) throws(StageFileError) {
        for x in facts.exposure {
            out.field(cohorts, x.cohort == .control ? 0 : 1); out.field(Int(x.year))
            out.field(numbers, Int(x.institution)); out.field(districts, Int(x.institution)); out.field(Int(x.days))
            out.field(Int(x.child))
            try out.endRecord()
        }
    }

    private func caseEvents(_ out: StageFileWriter) throws(StageFileError) {
        for e in facts.caseEvents {
            out.field(caseIDs, Int(e.caseRef)); out.field(eventTypes, Int(e.type.order))
            out.field(e.day); word(e.paragraph, out); word(e.source, out); word(e.reason, out)
            out.field(Int(e.ageDays))
            status(e.status, out)
            out.field(Int(e.child))
            try out.endRecord()
        }
    }

    private func firstEvents(_ out: StageFileWriter) throws(StageFileError) {
        for e in facts.firstEvents {
            out.field(kinds, e.kind.order); out.field(e.day); out.field(Int(e.ageDays))
            status(PackedAttribution(e.attribution), out)
            out.field(Int(e.child))
            try out.endRecord()
        }
    }

    private func cases(_ out: StageFileWriter) throws(StageFileError) {
        for c in facts.cases {
            out.field(caseIDs, Int(c.caseRef)); out.field(c.opened); out.field(Int(c.ageDays))
            status(PackedAttribution(c.attribution), out)
            out.field(c.closed); word(c.closingReason, out); out.field(Int(c.child))
            try out.endRecord()
        }
    }

    private func evaluationPanel(_ out: StageFileWriter) throws(StageFileError) {
        let p = facts.panel
        for i in 0..<Int32(facts.institutions.count) {
            for (k, period) in p.periods.periods.enumerated() {
                let c = p.cell(i, k + 1)
                out.field(numbers, Int(i)); out.field(k + 1); out.field(period.lowerBound); out.field(period.upperBound)
                out.field(Int(p.groups[Int(i)])); out.field(Int(p.exposureDays[c])); out.field(Int(p.children[c]))
                for kind in p.events { out.field(Int(kind[c])) }
                try out.endRecord()
            }
        }
    }
}

extension StageFileWriter {
    /// Text `i` of a table already in COPY text.
    func field(_ table: TextTable, _ i: Int) {
        table.bytes.withUnsafeBytes { field(escaped: UnsafeRawBufferPointer(rebasing: $0[table.starts[i]..<table.starts[i + 1]])) }
    }
}
