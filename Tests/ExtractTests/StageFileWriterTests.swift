import TestSupport
import Foundation
import Pipeline
import Testing
@testable import Extract

/// `StageWriter` must write what `ReferenceStageWriter` writes, byte for byte: transform reads
/// extract's files with Pipeline's decoders.
@Suite struct StageFileWriterTests {
    func temp() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("stage-\(UUID().uuidString).tsv").path
    }

    func bytes(_ write: (StageFileWriter) throws -> Void, _ reference: (ReferenceStageWriter) throws -> Void) throws -> (ours: Data, theirs: Data) {
        let a = temp(), b = temp()
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        let ours = try StageFileWriter(path: a)
        try write(ours)
        _ = try ours.close(name: "x")
        let theirs = try ReferenceStageWriter(path: b)
        try reference(theirs)
        try theirs.close()
        return (try Data(contentsOf: URL(fileURLWithPath: a)), try Data(contentsOf: URL(fileURLWithPath: b)))
    }

    static let tricky = "tab\there, line\nbreak, cr\r, back\\slash, æøå €"
    static let day = Day(year: 2013, month: 2, day: 1)!

    @Test func recordsAreWrittenAsTheReferenceWritesThem() throws {
        let institution = InstitutionRecord(number: "101234", name: Self.tricky, type: "", district: "Nørrebro", cluster: nil,
                                            places: nil, opened: Day(year: 999, month: 1, day: 1), closed: Self.day, line: 7)
        let assignment = AssignmentRecord(staffID: "M\\1", institution: "101234", from: Self.day, to: nil, line: -3)
        let enrolment = EnrolmentRecord(childKey: String(repeating: "ab", count: 32), birth: Self.day, institution: "1", from: Self.day, to: nil, line: 0)
        let event = CaseEventRecord(caseID: "S-1", childKey: String(repeating: "0f", count: 32), birth: Self.day, event: .caseClosed,
                                    day: Self.day, paragraph: nil, source: Self.tricky, reason: "", line: 123_456_789)
        let reject = RejectRecord(file: "f.csv", line: 2, field: nil, reason: .malformedField, message: Self.tricky)
        let (ours, theirs) = try bytes({ w in
            try institution.write(to: w); try assignment.write(to: w); try enrolment.write(to: w)
            try event.write(to: w); try reject.write(to: w)
        }, { w in
            try institution.write(to: w); try assignment.write(to: w); try enrolment.write(to: w)
            try event.write(to: w); try reject.write(to: w)
        })
        #expect(ours == theirs)
        #expect(!ours.isEmpty)
    }

    @Test func byteRowsAreWrittenAsTheirRecords() throws {
        let texts = ["S-2013-000123", "52.3.3", Self.tricky, "101234"].map { Array($0.utf8) }
        let hex = SIMD64<UInt8>(repeating: 0x61)
        try texts[0].withUnsafeBytes { caseID in
            try texts[1].withUnsafeBytes { paragraph in
                try texts[2].withUnsafeBytes { reason in
                    try texts[3].withUnsafeBytes { institution in
                        let event = CaseEventRow(caseID: caseID, childKey: hex, birth: Self.day, event: .notification, day: Self.day,
                                                 paragraph: paragraph, source: nil, reason: reason, line: 9)
                        let enrolment = EnrolmentRow(childKey: hex, birth: Self.day, institution: institution, from: Self.day, to: Self.day, line: 4)
                        let (ours, theirs) = try bytes({ w in try event.write(to: w); try enrolment.write(to: w) },
                                                       { w in try event.record.write(to: w); try enrolment.record.write(to: w) })
                        #expect(ours == theirs)
                        #expect(event.record.childKey == String(repeating: "a", count: 64))
                        #expect(event.record.reason == Self.tricky)
                    }
                }
            }
        }
    }

    @Test func manifestDescriptionMatchesTheFile() throws {
        let path = temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let w = try StageFileWriter(path: path)
        for i in 0..<200_000 { w.field(Self.tricky); w.field(i); try w.endRecord() }
        let out = try w.close(name: "big.tsv")
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber).int64Value
        let sum = try XXH128Sum.file(path)
        #expect(out.rows == 200_000 && out.bytes == size && out.checksum == .xxh128(sum))
    }

    /// Whole numbers of every length, both signs and the extremes, as Swift prints them.
    @Test func numbersOfEveryLengthAreTheirDecimals() throws {
        var values = [0, Int.min, Int.max, Int.min + 1]
        var p = 1
        for _ in 0..<18 { values += [p - 1, p, p + 1, 7 * p, -p, -(p - 1), -7 * p]; p *= 10 }
        let path = temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let w = try StageFileWriter(path: path)
        for v in values { w.field(v); try w.endRecord() }
        _ = try w.close(name: "numbers.tsv")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == values.map { "\($0)\n" }.joined())
    }
}
