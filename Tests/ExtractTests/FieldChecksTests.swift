import Pipeline
import Testing
@testable import Extract

@Suite struct FieldChecksTests {
    /// `body` with a record of these fields, in the contract's order.
    func withRecord<R>(_ fields: [String], _ body: (SourceRecord) throws -> R) rethrows -> R {
        let bytes = Array(fields.joined(separator: "\t").utf8)
        var ends: [Int] = [], end = -1
        for f in fields { end += 1 + f.utf8.count; ends.append(end) }
        let columns = Array(fields.indices)
        return try bytes.withUnsafeBytes { b in
            try ends.withUnsafeBufferPointer { e in
                try columns.withUnsafeBufferPointer { c in
                    try body(SourceRecord(line: 2, problem: nil, bytes: b, ends: e, columns: c))
                }
            }
        }
    }

    /// The child of the row before is given back as it was read, in either form; a number
    /// that is no CPR number is refused whatever came before, the first row's too.
    @Test func theRowBeforesChildIsTheSame() throws {
        var checks = FieldChecks(kind: .enrolments, formats: [.danish])
        func cpr(_ text: String) throws -> CPR { try withRecord([text, "101234", "01-02-2020", ""]) { try checks.cpr($0, 0) } }
        #expect(throws: Rejection.self) { try cpr("0000000000") }
        let first = try cpr("0102131234")
        #expect(first.birth == Day(year: 1913, month: 2, day: 1))
        #expect(try cpr("010213-1234") == first)
        #expect(try cpr("0102131234") == first)
        #expect(try cpr("0202131234").birth == Day(year: 1913, month: 2, day: 2))
        #expect(throws: Rejection.self) { try cpr("3102131234") }
        #expect(throws: Rejection.self) { try cpr("3102131234") }
        #expect(try cpr("0102131234") == first)
    }

    /// A date reads in each of the source's layouts; a day that does not exist, or a layout
    /// the source does not have, is refused.
    @Test func datesInTheSourcesLayouts() throws {
        let checks = FieldChecks(kind: .enrolments, formats: [.danish, .iso])
        func read(_ text: String) throws -> Day {
            try Array(text.utf8).withUnsafeBytes { try checks.date($0, 2) }
        }
        #expect(try read("28-02-2015") == Day(year: 2015, month: 2, day: 28))
        #expect(try read("2015-02-28") == Day(year: 2015, month: 2, day: 28))
        #expect(throws: Rejection.self) { try read("29-02-2015") }
        #expect(throws: Rejection.self) { try read("28.02.2015") }
    }
}
