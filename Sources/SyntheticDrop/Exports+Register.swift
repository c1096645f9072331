import Pipeline

/// The register and the roster: institutions (XML or CSV) and social-worker assignments.
extension Exports {
    // MARK: Institutions

    func write(institution index: Int) throws {
        let inst = daycare.institutions[index]
        if let kind = injectors[0].draw() {
            var bad = inst
            var kind = kind
            if kind == .duplicateInstitution, index > 0 {
                bad.number = daycare.institutions[injectors[0].rng.below(index)].number
            } else {
                if kind == .duplicateInstitution { kind = .nonexistentDate }
                bad.number = fakeNumber()
            }
            var fields = institutionFields(bad)
            let opened = 6  // Oprettet
            switch kind {
            case .nonexistentDate: fields[opened] = .raw(injectors[0].nonexistentDay(.iso))
            case .strayQuote: fields[opened] = .raw(injectors[0].strayQuoted(fields[opened].rendered(dates: .iso)))
            case .wrongColumnCount: injectors[0].wrongCount(&fields)
            default: break
            }
            try writeInstitution(fields, bad: kind)
        }
        try writeInstitution(institutionFields(inst), bad: nil)
    }

    func institutionFields(_ i: Institution) -> [Field] {
        [.number(i.number), .text(i.name), .text(i.type.code), .text(Names.districts[i.district].name),
         .text(i.cluster), .number(i.places), .day(i.opened), .day(i.closed)]
    }

    func writeInstitution(_ f: [Field], bad: DirtyKind?) throws {
        if let csv = institutionsCSV {
            if let bad { injectors[0].record(bad, record: csv.file.records + 1, line: csv.line) }
            for x in f { csv.field(x) }
            try csv.endRecord()
        } else if let xml = institutionsXML {
            if let bad { injectors[0].record(bad, record: xml.file.records + 1, line: nil) }
            xml.open("Institution", attributes: [("nummer", f[0].rendered(dates: .iso))])
            xml.element("Navn", f[1]); xml.element("Type", f[2]); xml.element("Bydel", f[3])
            xml.element("Klynge", f[4]); xml.element("Pladser", f[5]); xml.element("Oprettet", f[6])
            xml.element("Nedlagt", f[7])
            try xml.close("Institution")
        }
    }

    func fakeNumber() -> Int {
        var rng = SeededRandom(seed: UInt64(nextFake), stream: 7)
        nextFake += 1
        while true {
            let n = rng.within(900_000...999_999)
            if takenNumbers.insert(n).inserted { return n }
        }
    }

    // MARK: Social-worker assignments

    func write(assignment a: Assignment) throws {
        let w = daycare.workers[a.worker]
        let number = daycare.institutions[a.institution].number
        let order = variant.assignmentOrder
        func fields(_ inst: Field, _ from: Field, _ to: Field) -> [Field] {
            order.map {
                switch $0 {
                case .worker: return .text(w.id)
                case .extra: return .text(variant == .copenhagen ? w.name : w.title)
                case .institution: return inst
                case .from: return from
                case .to: return to
                }
            }
        }
        var inj = injectors[1]
        defer { injectors[1] = inj }
        if let kind = inj.draw() {
            let dates = assignmentsCSV.dates
            var inst = Field.number(number), from = Field.day(a.from), to = Field.day(a.to)
            switch kind {
            case .nonexistentDate: from = .raw(inj.nonexistentDay(dates))
            case .unknownInstitution: inst = .number(inj.rng.element(spareNumbers))
            case .endBeforeStart: to = .day(a.from - Int32(inj.rng.within(1...365)))
            case .strayQuote: from = .raw(inj.strayQuoted(from.rendered(dates: dates)))
            default: break
            }
            try inj.write(kind, fields(inst, from, to), to: assignmentsCSV)
        }
        // The hot path: no arrays.
        for field in order {
            switch field {
            case .worker: assignmentsCSV.field(.text(w.id))
            case .extra: assignmentsCSV.field(.text(variant == .copenhagen ? w.name : w.title))
            case .institution: assignmentsCSV.field(.number(number))
            case .from: assignmentsCSV.field(.day(a.from))
            case .to: assignmentsCSV.field(.day(a.to))
            }
        }
        try assignmentsCSV.endRecord()
    }
}
