import Foundation
import Pipeline

/// Case events: `sagsnummer`, `cpr`, `haendelse`, `dato` required; the CPR valid, the
/// event one of the contract's types. `paragraf`, `kilde`, `aarsag` are optional and copied
/// as given (the metrics read `kilde`/`aarsag` only on the events they belong to).
struct CaseEventValidator {
    var checks: FieldChecks
    private let caseID = 0, cpr = 1, event = 2, day = 3, paragraph = 4, source = 5, reason = 6

    init(formats: [DateFormat]) {
        checks = FieldChecks(kind: .caseEvents, formats: formats)
    }

    mutating func validate(_ r: SourceRecord, _ pseudonyms: inout Pseudonymiser) throws(Rejection) -> CaseEventRow {
        let id = try checks.required(r, caseID)
        // A case id with a character no reader sees (a byte-order mark where two exports were
        // joined, a zero-width space) is another case than the same id without it: one case
        // would silently count as two (an adversarial review). ASCII is checked first: fast.
        if id.contains(where: { $0 >= 0x80 || $0 < 0x20 }), case let unseen = Register.unseen(String(decoding: id, as: UTF8.self)), !unseen.isEmpty {
            throw Rejection(field: checks.name(caseID), reason: .malformedField,
                            message: "sagsnummer '\(Echo.text(id))'\(unseen): written so it is another case than without it. Ask for the export without it")
        }
        let child = try checks.cpr(r, cpr)
        pseudonyms.prefetch(child)
        let eventBytes = try checks.required(r, event)
        guard let type = EventType(stageText: eventBytes) else {
            throw Rejection(field: checks.name(event), reason: .unknownEventType,
                            message: "haendelse '\(Echo.text(eventBytes))' is not one of \(EventType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let date = try checks.requiredDate(r, day)
        return CaseEventRow(caseID: id, childKey: pseudonyms.childKeyHex(child), birth: child.birth, event: type, day: date,
                            paragraph: r.value(paragraph), source: r.value(source), reason: r.value(reason), line: r.line)
    }
}

/// An accepted case event as bytes, written as `CaseEventRecord` is (its `Fields`); its
/// texts are views of the record's, valid while the record is.
struct CaseEventRow {
    var caseID: UnsafeRawBufferPointer
    var childKey: SIMD64<UInt8>
    var birth: Day
    var event: EventType
    var day: Day
    var paragraph: UnsafeRawBufferPointer?
    var source: UnsafeRawBufferPointer?
    var reason: UnsafeRawBufferPointer?
    var line: Int

    var record: CaseEventRecord {
        func text(_ b: UnsafeRawBufferPointer?) -> String? { b.map { String(decoding: $0, as: UTF8.self) } }
        return CaseEventRecord(caseID: text(caseID)!, childKey: Pseudonymiser.string(childKey), birth: birth, event: event, day: day,
                               paragraph: text(paragraph), source: text(source), reason: text(reason), line: line)
    }

    /// With `CaseEventRecord`'s codec, the key as it is.
    func write(to w: StageFileWriter) throws {
        try CaseEventRecord.Fields(caseID: caseID, childKey: UnsafeRawBufferPointer(start: nil, count: 0), birth: birth,
                                   event: event, day: day, paragraph: paragraph, source: source, reason: reason, line: line)
            .write(to: w, hexKey: childKey)
    }
}
