import Pipeline

/// Where and how a variant writes each export: the table a pipeline file maps from.
///
/// `.copenhagen` is the default contract of `exports.md`:
///
/// | file | format | columns / elements (in order) |
/// | --- | --- | --- |
/// | `institutioner.xml` | XML, UTF-8, ns `urn:dk:kk:dagtilbud:institutioner:1` | `Institution@nummer`, `Navn`, `Type`, `Bydel`, `Klynge`, `Pladser`, `Oprettet`, `Nedlagt` |
/// | `socialraadgivere.csv` | `;`, UTF-8, LF, dd-mm-yyyy | `medarbejder_id`, `navn`*, `institutionsnummer`, `fra`, `til` |
/// | `indmeldelser.csv` | `;`, UTF-8 with BOM, LF, dd-mm-yyyy | `cpr`, `institutionsnummer`, `indmeldt`, `udmeldt` |
/// | `sagshaendelser.csv` | `;`, UTF-8, CRLF, dd-mm-yyyy | `sagsnummer`, `cpr`, `haendelse`, `dato`, `paragraf`, `kilde`, `aarsag`, `bemaerkning`* |
///
/// `.other` is a municipality whose exports differ: CSVs with `,`, windows-1252, CRLF and
/// ISO dates; the cases as XML.
///
/// | file | format | columns (in order) → contract name |
/// | --- | --- | --- |
/// | `institutioner.csv` | `,`, windows-1252 | `inst_nr`→nummer, `navn`→Navn, `type`→Type, `omraade`→Bydel, `netvaerk`→Klynge, `antal_pladser`→Pladser, `aabningsdato`→Oprettet, `lukkedato`→Nedlagt |
/// | `socialraadgivere.csv` | `,`, windows-1252 | `medarbejdernr`→medarbejder_id, `inst_nr`→institutionsnummer, `startdato`→fra, `slutdato`→til, `stillingsbetegnelse`* |
/// | `indmeldelser.csv` | `,`, windows-1252 | `inst_nr`→institutionsnummer, `personnummer`→cpr, `startdato`→indmeldt, `slutdato`→udmeldt |
/// | `sagshaendelser.xml` | XML, UTF-8 (ASCII content), ns `urn:dk:kk:socialforvaltningen:sager:1` | the layout of `exports.md`: `Haendelse@sagsnummer`, `Haendelse@type`→haendelse, `Cpr`, `Dato`, `Paragraf`, `Kilde`, `Aarsag` |
///
/// `*` marks an extra column the contract does not know (the pipeline ignores it); it is
/// where quoted fields with the delimiter, quotes and line breaks occur.
package struct DropLayout: Sendable {
    package struct Column: Sendable, Equatable {
        /// The name `exports.md` uses; nil for an extra column.
        package var contract: String?
        /// The name in the file: CSV header, or XML child element or record attribute.
        package var name: String
    }

    package enum Format: Sendable, Equatable {
        case csv(delimiter: Character)
        case xml(namespace: String)
    }

    package struct File: Sendable {
        package var name: String
        package var format: Format
        package var encoding: TextEncoding
        package var dateFormat: DateFormat
        package var columns: [Column]
    }

    package var institutions: File
    package var assignments: File
    package var spells: File
    package var events: File

    package var files: [File] { [institutions, assignments, spells, events] }
}

/// The logical fields of each record kind, in the contract's order.
enum AssignmentField: CaseIterable { case worker, extra, institution, from, to }
enum SpellField: CaseIterable { case cpr, institution, from, to }

extension DropGenerator.Variant {
    package var layout: DropLayout {
        typealias C = DropLayout.Column
        func c(_ contract: String?, _ name: String) -> C { C(contract: contract, name: name) }
        let institutionColumns = [c("nummer", "nummer"), c("Navn", "Navn"), c("Type", "Type"), c("Bydel", "Bydel"),
                                  c("Klynge", "Klynge"), c("Pladser", "Pladser"), c("Oprettet", "Oprettet"),
                                  c("Nedlagt", "Nedlagt")]
        let eventColumns = [c("sagsnummer", "sagsnummer"), c("cpr", "cpr"), c("haendelse", "haendelse"),
                            c("dato", "dato"), c("paragraf", "paragraf"), c("kilde", "kilde"), c("aarsag", "aarsag")]
        switch self {
        case .copenhagen:
            let csv = DropLayout.Format.csv(delimiter: ";")
            return DropLayout(
                institutions: .init(name: "institutioner.xml", format: .xml(namespace: "urn:dk:kk:dagtilbud:institutioner:1"),
                                    encoding: .utf8, dateFormat: .iso, columns: institutionColumns),
                assignments: .init(name: "socialraadgivere.csv", format: csv, encoding: .utf8, dateFormat: .danish,
                                   columns: [c("medarbejder_id", "medarbejder_id"), c(nil, "navn"),
                                             c("institutionsnummer", "institutionsnummer"), c("fra", "fra"), c("til", "til")]),
                spells: .init(name: "indmeldelser.csv", format: csv, encoding: .utf8, dateFormat: .danish,
                              columns: [c("cpr", "cpr"), c("institutionsnummer", "institutionsnummer"),
                                        c("indmeldt", "indmeldt"), c("udmeldt", "udmeldt")]),
                events: .init(name: "sagshaendelser.csv", format: csv, encoding: .utf8, dateFormat: .danish,
                              columns: eventColumns + [c(nil, "bemaerkning")]))
        case .other:
            let csv = DropLayout.Format.csv(delimiter: ",")
            return DropLayout(
                institutions: .init(name: "institutioner.csv", format: csv, encoding: .windows1252, dateFormat: .iso,
                                    columns: [c("nummer", "inst_nr"), c("Navn", "navn"), c("Type", "type"),
                                              c("Bydel", "omraade"), c("Klynge", "netvaerk"), c("Pladser", "antal_pladser"),
                                              c("Oprettet", "aabningsdato"), c("Nedlagt", "lukkedato")]),
                assignments: .init(name: "socialraadgivere.csv", format: csv, encoding: .windows1252, dateFormat: .iso,
                                   columns: [c("medarbejder_id", "medarbejdernr"), c("institutionsnummer", "inst_nr"),
                                             c("fra", "startdato"), c("til", "slutdato"), c(nil, "stillingsbetegnelse")]),
                spells: .init(name: "indmeldelser.csv", format: csv, encoding: .windows1252, dateFormat: .iso,
                              columns: [c("institutionsnummer", "inst_nr"), c("cpr", "personnummer"),
                                        c("indmeldt", "startdato"), c("udmeldt", "slutdato")]),
                events: .init(name: "sagshaendelser.xml", format: .xml(namespace: "urn:dk:kk:socialforvaltningen:sager:1"),
                              encoding: .utf8, dateFormat: .iso,
                              columns: [c("sagsnummer", "sagsnummer"), c("haendelse", "type"), c("cpr", "Cpr"), c("dato", "Dato"),
                                        c("paragraf", "Paragraf"), c("kilde", "Kilde"), c("aarsag", "Aarsag")]))
        }
    }

    /// Logical field order of the CSV files whose columns a layout reorders (the XML layouts
    /// are fixed).
    var assignmentOrder: [AssignmentField] {
        self == .copenhagen ? [.worker, .extra, .institution, .from, .to] : [.worker, .institution, .from, .to, .extra]
    }
    var spellOrder: [SpellField] { self == .copenhagen ? [.cpr, .institution, .from, .to] : [.institution, .cpr, .from, .to] }
}
