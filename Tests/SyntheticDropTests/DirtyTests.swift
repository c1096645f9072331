import Foundation
import Testing
@testable import SyntheticDrop

@Suite struct DirtyTests {
    /// Every bad record the summary lists is rejected for that reason, at that record and
    /// line, and nothing else is.
    @Test(arguments: [Fixtures.dirty, Fixtures.dirtyOther])
    func everyInjectedRecordIsRejected(drop: Generated) throws {
        let read = try drop.read()
        let expected = drop.summary.injected
            .map { ReadDrop.Reject(file: $0.file, kind: $0.kind, record: $0.record, line: $0.line) }.sorted()
        #expect(read.rejects.count == expected.count)
        for (got, want) in zip(read.rejects, expected) where got != want {
            Issue.record("rejected \(got), injected \(want)")
            break
        }
        let layout = drop.options.variant.layout
        let applicable: [String: Set<DirtyKind>] = drop.options.variant == .copenhagen ? [
            "institutioner.xml": [.nonexistentDate, .duplicateInstitution],
            "socialraadgivere.csv": [.nonexistentDate, .unknownInstitution, .endBeforeStart, .wrongColumnCount, .strayQuote],
            "indmeldelser.csv": [.nonexistentDate, .invalidCPR, .unknownInstitution, .endBeforeStart, .wrongColumnCount, .strayQuote],
            "sagshaendelser.csv": [.nonexistentDate, .invalidCPR, .unknownEventType, .wrongColumnCount, .strayQuote],
        ] : [
            "institutioner.csv": [.nonexistentDate, .duplicateInstitution, .wrongColumnCount, .strayQuote],
            "socialraadgivere.csv": [.nonexistentDate, .unknownInstitution, .endBeforeStart, .wrongColumnCount, .strayQuote],
            "indmeldelser.csv": [.nonexistentDate, .invalidCPR, .unknownInstitution, .endBeforeStart, .wrongColumnCount, .strayQuote],
            "sagshaendelser.xml": [.nonexistentDate, .invalidCPR, .unknownEventType],
        ]
        for file in layout.files.map(\.name) {
            let kinds = Set(drop.summary.injected.filter { $0.file == file }.map(\.kind))
            #expect(kinds == applicable[file], "\(file): \(kinds.sorted())")
            // The rate is per file: about 3 % extra records.
            let bad = drop.summary.injectedCount(file: file)
            let rows = drop.summary.files.first { $0.name == file }!.rows
            #expect(Double(bad) / Double(rows - bad) < 0.06)
        }
        #expect(drop.summary.injectedCount() == drop.summary.injected.count)
        #expect(drop.summary.injectedCount(kind: .strayQuote) > 0)
    }

    /// A stray quote never opens a quoted field: the records after it read normally.
    @Test func strayQuotesStayInsideTheirRecord() throws {
        let drop = Fixtures.dirty
        for file in ["indmeldelser.csv", "sagshaendelser.csv", "socialraadgivere.csv"] {
            let (header, records) = readCSV(try drop.bytes(file), delimiter: 59, windows1252: false)
            let strays = drop.summary.injected.filter { $0.file == file && $0.kind == .strayQuote }
            for s in strays {
                let r = records[s.record - 1]
                #expect(r.malformed && r.fields.count == header.count)
                #expect(r.fields.contains { $0.contains("\"") && !$0.hasPrefix("\"") })
            }
        }
    }

    @Test func cleanDropsHaveNoBadRecords() throws {
        #expect(Fixtures.clean.summary.injected.isEmpty)
        #expect(try Fixtures.clean.read().rejects.isEmpty)
        #expect(try Fixtures.cleanOther.read().rejects.isEmpty)
    }
}
