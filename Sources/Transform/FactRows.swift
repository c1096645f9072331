import Pipeline

/// Renders `Facts` into the fact files, columns in the order `FactFile` documents.
/// Every text is escaped once up front; rows are then byte copies.
struct FactRows: Sendable {
    let facts: Facts
    private let keys: TextTable
    private let caseIDs: TextTable
    private let numbers: [[UInt8]]
    private let districts: [[UInt8]]
    private let vocabulary: [[UInt8]]
    /// cohort, institution, district, unattributed_reason for each packed status:
    /// `attributed[code][institution]` for codes 0, 1; `unattributed[code - 2]`.
    private let attributed: [[[UInt8]]]
    private let unattributed: [[UInt8]]
    private let eventTypes: [[UInt8]]
    private let cohorts: [[UInt8]]
    private let kinds: [[UInt8]]

    init(_ facts: Facts) {
        self.facts = facts
        keys = facts.childKeys.needsEscaping ? TextTable(facts.childKeys.map { String(decoding: escaped($0), as: UTF8.self) }) : facts.childKeys
        caseIDs = facts.caseIDs.needsEscaping ? TextTable(facts.caseIDs.map { String(decoding: escaped($0), as: UTF8.self) }) : facts.caseIDs
        numbers = facts.institutions.map { escaped($0.number) }
        districts = facts.institutions.map { escaped($0.district) }
        vocabulary = facts.vocabulary.map(escaped)
        let null = Array("\\N".utf8), tab: [UInt8] = [0x09]
        attributed = [Cohort.control, .treatment].map { cohort in
            (0..<facts.institutions.count).map { i in
                Array(cohort.rawValue.utf8) + tab + escaped(facts.institutions[i].number) + tab
                    + escaped(facts.institutions[i].district) + tab + null
            }
        }
        unattributed = UnattributedReason.allCases.map { null + tab + null + tab + null + tab + Array($0.rawValue.utf8) }
        eventTypes = EventType.allCases.map { Array($0.rawValue.utf8) }
        cohorts = [Array(Cohort.control.rawValue.utf8), Array(Cohort.treatment.rawValue.utf8)]
        kinds = FirstEventKind.allCases.map { Array($0.rawValue.utf8) }
    }

    func write(_ file: FactFile, to path: String) throws(TransformError) -> StageManifest.OutputFile {
        var out = try FactFileOutput(path: path)
        switch file {
        case .institutions: try institutions(&out)
        case .children: try children(&out)
        case .enrolments: try enrolments(&out)
        case .coverage: try coverage(&out)
        case .exposure: try exposure(&out)
        case .caseEvents: try caseEvents(&out)
        case .firstEvents: try firstEvents(&out)
        case .cases: try cases(&out)
        case .evaluationPanel: try evaluationPanel(&out)
        }
        return try out.finish(name: file.rawValue)
    }

    private func text(_ s: String?, _ out: inout FactFileOutput) {
        if let s { out.field(escaped(s)) } else { out.null() }
    }

    private func word(_ id: Int32, _ out: inout FactFileOutput) {
        if id < 0 { out.null() } else { out.field(vocabulary[Int(id)]) }
    }

    private func status(_ s: PackedAttribution, _ out: inout FactFileOutput) {
        out.next()
        out.raw(s.code < 2 ? attributed[Int(s.code)][Int(s.institution)] : unattributed[Int(s.code) - 2])
    }

    private func institutions(_ out: inout FactFileOutput) throws(TransformError) {
        for r in facts.institutions {
            text(r.number, &out); text(r.name, &out); text(r.type, &out); text(r.district, &out); text(r.cluster, &out)
            if let p = r.places { out.field(p) } else { out.null() }
            out.field(r.opened); out.field(r.closed)
            try out.endRow()
        }
    }

    private func children(_ out: inout FactFileOutput) throws(TransformError) {
        for (i, birth) in facts.births.enumerated() {
            out.field(keys, i); out.field(birth)
            try out.endRow()
        }
    }

    private func enrolments(_ out: inout FactFileOutput) throws(TransformError) {
        for e in facts.enrolments {
            out.field(keys, Int(e.child)); out.field(numbers[Int(e.institution)]); out.field(e.from); out.field(e.to)
            try out.endRow()
        }
    }

    private func coverage(_ out: inout FactFileOutput) throws(TransformError) {
        for c in facts.coverage {
            out.field(numbers[Int(c.institution)]); out.field(c.from); out.field(c.to)
            try out.endRow()
        }
    }

    private func exposure(_ out: inout FactFileOutput) throws(TransformError) {
        for x in facts.exposure {
            out.field(keys, Int(x.child)); out.field(cohorts[x.cohort == .control ? 0 : 1]); out.field(Int(x.year))
            out.field(numbers[Int(x.institution)]); out.field(districts[Int(x.institution)]); out.field(Int(x.days))
            try out.endRow()
        }
    }

    private func caseEvents(_ out: inout FactFileOutput) throws(TransformError) {
        for e in facts.caseEvents {
            out.field(caseIDs, Int(e.caseRef)); out.field(keys, Int(e.child)); out.field(eventTypes[Int(e.type.order)])
            out.field(e.day); word(e.paragraph, &out); word(e.source, &out); word(e.reason, &out)
            out.field(Int(e.ageDays))
            status(e.status, &out)
            try out.endRow()
        }
    }

    private func firstEvents(_ out: inout FactFileOutput) throws(TransformError) {
        for e in facts.firstEvents {
            out.field(keys, Int(e.child)); out.field(kinds[e.kind.order]); out.field(e.day); out.field(Int(e.ageDays))
            status(PackedAttribution(e.attribution), &out)
            try out.endRow()
        }
    }

    private func cases(_ out: inout FactFileOutput) throws(TransformError) {
        for c in facts.cases {
            out.field(caseIDs, Int(c.caseRef)); out.field(keys, Int(c.child)); out.field(c.opened); out.field(Int(c.ageDays))
            status(PackedAttribution(c.attribution), &out)
            out.field(c.closed); word(c.closingReason, &out)
            try out.endRow()
        }
    }

    private func evaluationPanel(_ out: inout FactFileOutput) throws(TransformError) {
        let p = facts.panel
        for i in 0..<Int32(facts.institutions.count) {
            for (k, period) in p.periods.periods.enumerated() {
                let c = p.cell(i, k + 1)
                out.field(numbers[Int(i)]); out.field(k + 1); out.field(period.lowerBound); out.field(period.upperBound)
                out.field(Int(p.groups[Int(i)])); out.field(Int(p.exposureDays[c])); out.field(Int(p.children[c]))
                for kind in p.events { out.field(Int(kind[c])) }
                try out.endRow()
            }
        }
    }
}
