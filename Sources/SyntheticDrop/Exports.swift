import Foundation
import Pipeline

/// The four export files of a drop, each writing good records and, now and then, a bad
/// one just before (`Injector`).
final class Exports {
    let variant: DropGenerator.Variant
    let layout: DropLayout
    let asOf: Day
    let daycare: Daycare
    private(set) var files: [OutputFile] = []
    var institutionsCSV: CSVFile?, institutionsXML: XMLFile?
    let assignmentsCSV: CSVFile
    let spellsCSV: CSVFile
    var eventsCSV: CSVFile?, eventsXML: XMLFile?
    var injectors: [Injector]
    /// Numbers never used in the register, for records pointing nowhere.
    var spareNumbers: [Int]
    var nextFake = 0
    var takenNumbers: Set<Int>

    init(directory: URL, options o: DropGenerator.Options, daycare: Daycare) throws {
        variant = o.variant
        layout = o.variant.layout
        asOf = o.asOf
        self.daycare = daycare
        spareNumbers = daycare.unusedNumbers
        takenNumbers = Set(daycare.institutions.map(\.number) + daycare.unusedNumbers)
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
        // Atomically: a new file renamed over whatever (a link, too) was there.
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("MANIFEST"), options: .atomic)
        return out
    }
}
