import Pipeline

/// The placement office's spells and the case system's events.
extension Exports {
    // MARK: Enrolment spells

    func write(spell s: Spell, cpr: Int64, rng: inout SeededRandom) throws {
        let dashed = rng.chance(0.5)
        let quoted = rng.chance(0.05)  // some exporters quote what they think of as text
        let number = daycare.institutions[Int(s.institution)].number
        let order = variant.spellOrder
        let to: Day? = s.open ? nil : s.to
        var inj = injectors[2]
        defer { injectors[2] = inj }
        if let kind = inj.draw() {
            let dates = spellsCSV.dates
            var c = Field.cpr(cpr, dashed: dashed), inst = Field.number(number), from = Field.day(s.from), end = Field.day(to)
            switch kind {
            case .nonexistentDate: from = .raw(inj.nonexistentDay(dates))
            case .invalidCPR: c = .text(inj.invalidCPR(from: cpr, dashed: dashed))
            case .unknownInstitution: inst = .number(inj.rng.element(spareNumbers))
            case .endBeforeStart: end = .day(s.from - Int32(inj.rng.within(1...200)))
            case .strayQuote: from = .raw(inj.strayQuoted(from.rendered(dates: dates)))
            default: break
            }
            try inj.write(kind, order.map {
                switch $0 {
                case .cpr: return c
                case .institution: return inst
                case .from: return from
                case .to: return end
                }
            }, to: spellsCSV)
        }
        for field in order {
            switch field {
            case .cpr:
                if quoted {
                    var b = [UInt8](); b.cpr(cpr, dashed: dashed)
                    spellsCSV.field(.quoted(String(decoding: b, as: UTF8.self)))
                } else {
                    spellsCSV.field(.cpr(cpr, dashed: dashed))
                }
            case .institution: spellsCSV.field(.number(number))
            case .from: spellsCSV.field(.day(s.from))
            case .to: spellsCSV.field(.day(to))
            }
        }
        try spellsCSV.endRecord()
    }

    // MARK: Case events

    func write(event e: Event, cpr: Int64, rng: inout SeededRandom) throws {
        let dashed = rng.chance(0.5)
        var inj = injectors[3]
        defer { injectors[3] = inj }
        if let kind = inj.draw() {
            let dates = eventsCSV?.dates ?? .iso
            var f = eventFields(e, cpr: cpr, dashed: dashed)
            switch kind {
            case .nonexistentDate: f[3] = .raw(inj.nonexistentDay(dates))
            case .invalidCPR: f[1] = .text(inj.invalidCPR(from: cpr, dashed: dashed))
            case .unknownEventType: f[2] = .text(inj.rng.element(Names.unknownEventTypes))
            case .strayQuote: f[3] = .raw(inj.strayQuoted(f[3].rendered(dates: dates)))
            case .wrongColumnCount: inj.wrongCount(&f)
            default: break
            }
            if let csv = eventsCSV {
                inj.record(kind, record: csv.file.records + 1, line: csv.line)
            } else if let xml = eventsXML {
                inj.record(kind, record: xml.file.records + 1, line: nil)
            }
            try writeEvent(f)
        }
        try writeEvent(eventFields(e, cpr: cpr, dashed: dashed))
    }

    func eventFields(_ e: Event, cpr: Int64, dashed: Bool) -> [Field] {
        [.text(caseNumber(e.caseNumber)), .cpr(cpr, dashed: dashed), .text(e.type.rawValue), .day(e.day),
         .text(e.paragraf), .text(e.kilde?.code ?? ""), .text(e.aarsag?.code ?? ""),
         .text(e.note >= 0 ? Names.notes[e.note] : "")]
    }

    func writeEvent(_ f: [Field]) throws {
        if let csv = eventsCSV {
            for x in f { csv.field(x) }
            try csv.endRecord()
        } else if let xml = eventsXML {
            xml.open("Haendelse", attributes: [("sagsnummer", f[0].rendered(dates: .iso)), ("type", f[2].rendered(dates: .iso))])
            xml.element("Cpr", f[1]); xml.element("Dato", f[3]); xml.element("Paragraf", f[4])
            xml.element("Kilde", f[5]); xml.element("Aarsag", f[6])
            try xml.close("Haendelse")
        }
    }

    func caseNumber(_ n: Int) -> String {
        var b: [UInt8] = [83, 45]  // "S-"
        b.digits(n / 1_000_000, width: 4); b.append(45); b.digits(n % 1_000_000, width: 6)
        return String(decoding: b, as: UTF8.self)
    }
}
