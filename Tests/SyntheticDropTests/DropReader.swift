import Foundation
import Pipeline
@testable import SyntheticDrop

/// Reads a generated drop the way the contract says a pipeline must (`exports.md`):
/// columns by header name through the variant's layout, every bad record rejected with
/// its kind. The tests' independent view of the files.
struct ReadDrop: Equatable {
    struct Institution: Equatable { var number: String; var district: String; var name: String }
    struct Assignment: Equatable { var institution: String; var from: Day; var to: Day? }
    struct Spell: Equatable { var cpr: String; var institution: String; var from: Day; var to: Day? }
    struct Event: Equatable { var caseNumber: String; var cpr: String; var type: String; var day: Day; var kilde: String; var aarsag: String }
    struct Reject: Equatable, Comparable {
        var file: String; var kind: DirtyKind; var record: Int; var line: Int?
        static func < (a: Reject, b: Reject) -> Bool { (a.file, a.record) < (b.file, b.record) }
    }

    var asOf: Day?
    var institutions: [Institution] = []
    var assignments: [Assignment] = []
    var spells: [Spell] = []
    var events: [Event] = []
    var rejects: [Reject] = []
    /// Data records per file, bad ones included.
    var rows: [String: Int] = [:]

    static let eventTypes: Set = ["underretning", "sag_oprettet", "undersoegelse_startet", "undersoegelse_afsluttet",
                                  "foranstaltning_startet", "foranstaltning_ophoert", "sag_afsluttet"]

    init(directory: URL, variant: DropGenerator.Variant) throws {
        let layout = variant.layout
        var numbers = Set<String>()

        // A record as contract name → text, or the reason it cannot be read.
        func records(_ f: DropLayout.File, element: String) throws -> [(values: [String: String], record: Int, line: Int?, bad: DirtyKind?)] {
            let data = try Data(contentsOf: directory.appendingPathComponent(f.name))
            var out: [(values: [String: String], record: Int, line: Int?, bad: DirtyKind?)] = []
            switch f.format {
            case .csv(let delimiter):
                let (header, recs) = readCSV([UInt8](data), delimiter: delimiter.asciiValue!, windows1252: f.encoding == .windows1252)
                precondition(header == f.columns.map(\.name), "header of \(f.name): \(header)")
                for (k, r) in recs.enumerated() {
                    var v: [String: String] = [:]
                    for (c, col) in f.columns.enumerated() where c < r.fields.count { if let n = col.contract { v[n] = r.fields[c] } }
                    let bad: DirtyKind? = r.malformed ? .strayQuote : r.fields.count != header.count ? .wrongColumnCount : nil
                    out.append((v, k + 1, r.line, bad))
                }
            case .xml(let namespace):
                let doc = try readXML(data)
                precondition(doc.namespace == namespace)
                asOf = doc.rootAttributes["udtraeksdato"].flatMap { Day(iso: $0) }
                let byName = Dictionary(uniqueKeysWithValues: f.columns.map { ($0.name, $0.contract!) })
                for (k, r) in doc.records.enumerated() {
                    precondition(r.name == element)
                    var v: [String: String] = [:]
                    for (name, text) in r.attributes.merging(r.children, uniquingKeysWith: { a, _ in a }) {
                        if let c = byName[name] { v[c] = text }
                    }
                    out.append((v, k + 1, nil, nil))
                }
            }
            rows[f.name] = out.count
            return out
        }
        /// nil: not a date; .some(nil): empty.
        func date(_ s: String?, _ f: DropLayout.File) -> Day?? {
            guard let s, !s.isEmpty else { return .some(nil) }
            let b = Array(s.utf8)[...]
            guard let d = f.dateFormat.parse(b) ?? DateFormat.iso.parse(b) else { return nil }
            return .some(d)
        }
        func reject(_ f: DropLayout.File, _ kind: DirtyKind, _ r: (values: [String: String], record: Int, line: Int?, bad: DirtyKind?)) {
            rejects.append(Reject(file: f.name, kind: kind, record: r.record, line: r.line))
        }

        let fi = layout.institutions
        for r in try records(fi, element: "Institution") {
            if let bad = r.bad { reject(fi, bad, r); continue }
            guard case .some(.some) = date(r.values["Oprettet"], fi), date(r.values["Nedlagt"], fi) != nil else {
                reject(fi, .nonexistentDate, r); continue
            }
            let n = r.values["nummer"]!
            guard numbers.insert(n).inserted else { reject(fi, .duplicateInstitution, r); continue }
            institutions.append(Institution(number: n, district: r.values["Bydel"]!, name: r.values["Navn"]!))
        }
        let fa = layout.assignments
        for r in try records(fa, element: "") {
            if let bad = r.bad { reject(fa, bad, r); continue }
            guard case .some(.some(let from)) = date(r.values["fra"], fa), case .some(let to) = date(r.values["til"], fa) else {
                reject(fa, .nonexistentDate, r); continue
            }
            guard numbers.contains(r.values["institutionsnummer"]!) else { reject(fa, .unknownInstitution, r); continue }
            if let to, to < from { reject(fa, .endBeforeStart, r); continue }
            assignments.append(Assignment(institution: r.values["institutionsnummer"]!, from: from, to: to))
        }
        let fs = layout.spells
        for r in try records(fs, element: "") {
            if let bad = r.bad { reject(fs, bad, r); continue }
            guard let cpr = CPR.normalise(r.values["cpr"]!) else { reject(fs, .invalidCPR, r); continue }
            guard case .some(.some(let from)) = date(r.values["indmeldt"], fs), case .some(let to) = date(r.values["udmeldt"], fs) else {
                reject(fs, .nonexistentDate, r); continue
            }
            guard numbers.contains(r.values["institutionsnummer"]!) else { reject(fs, .unknownInstitution, r); continue }
            if let to, to < from { reject(fs, .endBeforeStart, r); continue }
            spells.append(Spell(cpr: cpr, institution: r.values["institutionsnummer"]!, from: from, to: to))
        }
        let fe = layout.events
        for r in try records(fe, element: "Haendelse") {
            if let bad = r.bad { reject(fe, bad, r); continue }
            guard let cpr = CPR.normalise(r.values["cpr"]!) else { reject(fe, .invalidCPR, r); continue }
            guard Self.eventTypes.contains(r.values["haendelse"]!) else { reject(fe, .unknownEventType, r); continue }
            guard case .some(.some(let day)) = date(r.values["dato"], fe) else { reject(fe, .nonexistentDate, r); continue }
            events.append(Event(caseNumber: r.values["sagsnummer"]!, cpr: cpr, type: r.values["haendelse"]!, day: day,
                                kilde: r.values["kilde"] ?? "", aarsag: r.values["aarsag"] ?? ""))
        }
        rejects.sort()
    }
}

/// CPR numbers per `exports.md`.
enum CPR {
    /// The 10 digits, or nil when the number is invalid.
    static func normalise(_ s: String) -> String? {
        var t = s
        if t.count == 11, t[t.index(t.startIndex, offsetBy: 6)] == "-" { t.remove(at: t.index(t.startIndex, offsetBy: 6)) }
        guard t.count == 10, t.allSatisfy(\.isASCII), t.allSatisfy(\.isNumber), birth(t) != nil else { return nil }
        return t
    }

    static func birth(_ t: String) -> Day? {
        let d = t.map { Int($0.asciiValue!) - 48 }
        let dd = d[0] * 10 + d[1], mm = d[2] * 10 + d[3], yy = d[4] * 10 + d[5], c = d[6]
        let century: Int
        switch c {
        case 0...3: century = 1900
        case 4, 9: century = yy <= 36 ? 2000 : 1900
        default: century = yy <= 57 ? 2000 : 1800
        }
        return Day(year: century + yy, month: mm, day: dd)
    }
}
