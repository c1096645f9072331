import Foundation
import Pipeline

/// The four export files of a drop, each writing good records and, now and then, a bad
/// one just before (`Injector`).
final class Exports {
    let variant: DropGenerator.Variant
    let layout: DropLayout
    let asOf: Day
    let register: Register
    private(set) var files: [OutputFile] = []
    private var institutionsCSV: CSVFile?, institutionsXML: XMLFile?
    private let assignmentsCSV: CSVFile
    private let spellsCSV: CSVFile
    private var eventsCSV: CSVFile?, eventsXML: XMLFile?
    var injectors: [Injector]
    /// Numbers never used in the register, for records pointing nowhere.
    private var spareNumbers: [Int]
    private var nextFake = 0
    private var takenNumbers: Set<Int>

    init(directory: URL, options o: DropGenerator.Options, register: Register) throws {
        variant = o.variant
        layout = o.variant.layout
        asOf = o.asOf
        self.register = register
        spareNumbers = register.unusedNumbers
        takenNumbers = Set(register.institutions.map(\.number) + register.unusedNumbers)
        let l = o.variant.layout
        var opened: [OutputFile] = []
        func open(_ f: DropLayout.File) throws -> OutputFile {
            let file = try OutputFile(directory: directory, name: f.name, encoding: f.encoding)
            opened.append(file)
            return file
        }
        func csv(_ f: DropLayout.File, bom: Bool = false, crlf: Bool) throws -> CSVFile {
            guard case .csv(let delimiter) = f.format else { preconditionFailure() }
            return CSVFile(try open(f), delimiter: delimiter.asciiValue!, lineEnd: crlf ? "\r\n" : "\n",
                           dates: f.dateFormat, bom: bom, header: f.columns.map(\.name))
        }
        let other = o.variant == .other
        if other {
            institutionsCSV = try csv(l.institutions, crlf: true)
        } else {
            institutionsXML = XMLFile(try open(l.institutions), root: "Institutionsregister",
                                      namespace: "urn:dk:kk:dagtilbud:institutioner:1", asOf: o.asOf)
        }
        let assignments = try csv(l.assignments, crlf: other)
        let spells = try csv(l.spells, bom: !other, crlf: other)
        if other {
            eventsXML = XMLFile(try open(l.events), root: "Sagshaendelser",
                                namespace: "urn:dk:kk:socialforvaltningen:sager:1", asOf: o.asOf)
        } else {
            eventsCSV = try csv(l.events, crlf: true)
        }
        assignmentsCSV = assignments
        spellsCSV = spells
        files = opened
        let csvOnly: [DirtyKind] = [.wrongColumnCount, .strayQuote]
        let kinds: [[DirtyKind]] = [
            [.nonexistentDate, .duplicateInstitution] + (other ? csvOnly : []),
            [.nonexistentDate, .unknownInstitution, .endBeforeStart] + csvOnly,
            [.nonexistentDate, .invalidCPR, .unknownInstitution, .endBeforeStart] + csvOnly,
            [.nonexistentDate, .invalidCPR, .unknownEventType] + (other ? [] : csvOnly),
        ]
        let names = l.files.map(\.name)
        injectors = names.indices.map {
            Injector(file: names[$0], rate: o.dirtyRate, kinds: kinds[$0], seed: o.seed, stream: 100 + UInt64($0))
        }
    }

    // MARK: Institutions

    func write(institution index: Int) throws {
        let inst = register.institutions[index]
        if let kind = injectors[0].draw() {
            var bad = inst
            var kind = kind
            if kind == .duplicateInstitution, index > 0 {
                bad.number = register.institutions[injectors[0].rng.below(index)].number
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

    private func institutionFields(_ i: Institution) -> [Field] {
        [.number(i.number), .text(i.name), .text(i.type.code), .text(Names.districts[i.district].name),
         .text(i.cluster), .number(i.places), .day(i.opened), .day(i.closed)]
    }

    private func writeInstitution(_ f: [Field], bad: DirtyKind?) throws {
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

    private func fakeNumber() -> Int {
        var rng = SeededRandom(seed: UInt64(nextFake), stream: 7)
        nextFake += 1
        while true {
            let n = rng.within(900_000...999_999)
            if takenNumbers.insert(n).inserted { return n }
        }
    }

    // MARK: Social-worker assignments

    func write(assignment a: Assignment) throws {
        let w = register.workers[a.worker]
        let number = register.institutions[a.institution].number
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
            var f = fields(inst, from, to)
            if kind == .wrongColumnCount { inj.wrongCount(&f) }
            inj.record(kind, record: assignmentsCSV.file.records + 1, line: assignmentsCSV.line)
            for x in f { assignmentsCSV.field(x) }
            try assignmentsCSV.endRecord()
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

    // MARK: Enrolment spells

    func write(spell s: Spell, cpr: Int64, rng: inout SeededRandom) throws {
        let dashed = rng.chance(0.5)
        let quoted = rng.chance(0.05)  // some exporters quote what they think of as text
        let number = register.institutions[Int(s.institution)].number
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
            var f: [Field] = order.map {
                switch $0 {
                case .cpr: return c
                case .institution: return inst
                case .from: return from
                case .to: return end
                }
            }
            if kind == .wrongColumnCount { inj.wrongCount(&f) }
            inj.record(kind, record: spellsCSV.file.records + 1, line: spellsCSV.line)
            for x in f { spellsCSV.field(x) }
            try spellsCSV.endRecord()
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

    private func eventFields(_ e: Event, cpr: Int64, dashed: Bool) -> [Field] {
        [.text(caseNumber(e.caseNumber)), .cpr(cpr, dashed: dashed), .text(e.type.code), .day(e.day),
         .text(e.paragraf), .text(e.kilde?.code ?? ""), .text(e.aarsag?.code ?? ""),
         .text(e.note >= 0 ? Names.notes[e.note] : "")]
    }

    private func writeEvent(_ f: [Field]) throws {
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

    private func caseNumber(_ n: Int) -> String {
        var b: [UInt8] = [83, 45]  // "S-"
        b.digits(n / 1_000_000, width: 4); b.append(45); b.digits(n % 1_000_000, width: 6)
        return String(decoding: b, as: UTF8.self)
    }

    // MARK: Closing

    /// Finishes the four files and writes `MANIFEST` last.
    func finish(directory: URL) throws -> [DropSummary.File] {
        institutionsXML?.finishDocument()
        eventsXML?.finishDocument()
        var out: [DropSummary.File] = []
        var manifest = ""
        for f in files {
            let sha = try f.finish()
            out.append(.init(name: f.name, rows: f.records, bytes: f.bytes, sha256: sha))
            manifest += sha + "  " + String(f.records) + "  " + f.name + "\n"
        }
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("MANIFEST"))
        return out
    }
}
