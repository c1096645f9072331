import Foundation
import Pipeline

// The reference stage-file codec: the first, plain implementation of COPY text, field by
// field through Strings and Arrays. Too slow for production (docs/benchmarks.md), kept as
// the reference the parity tests hold Pipeline's `StageFileWriter`, `StageFileReader` and
// record codecs to, and to write small fixtures. Do not use it outside tests.

package enum ReferenceText {
    package static let null: [UInt8] = Array("\\N".utf8)

    /// Appends one field, escaped.
    package static func appendEscaped(_ field: some Sequence<UInt8>, to out: inout [UInt8]) {
        for c in field {
            switch c {
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x09: out.append(0x5C); out.append(0x74)
            case 0x0A: out.append(0x5C); out.append(0x6E)
            case 0x0D: out.append(0x5C); out.append(0x72)
            default: out.append(c)
            }
        }
    }

    /// Undoes `appendEscaped`; nil for `\N`.
    package static func unescape(_ field: ArraySlice<UInt8>) -> [UInt8]? {
        if field.count == 2, field.first == 0x5C, field.last == 0x4E { return nil }
        guard field.contains(0x5C) else { return Array(field) }
        var out: [UInt8] = []
        out.reserveCapacity(field.count)
        var escaped = false
        for c in field {
            if escaped {
                switch c {
                case 0x74: out.append(0x09)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                default: out.append(c)
                }
                escaped = false
            } else if c == 0x5C {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return out
    }
}

/// Writes a stage file record by record through a large buffer.
package final class ReferenceStageWriter {
    package let path: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var atLineStart = true
    package private(set) var rows = 0
    private static let flushSize = 1 << 20

    package init(path: String) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw StageFileError(path: path, message: "cannot create the file (check the folder exists and is writable)")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        buffer.reserveCapacity(Self.flushSize + 4096)
    }

    private func separate() {
        if atLineStart { atLineStart = false } else { buffer.append(0x09) }
    }

    package func field(_ text: String?) {
        separate()
        guard var text else { buffer.append(contentsOf: ReferenceText.null); return }
        text.withUTF8 { ReferenceText.appendEscaped($0, to: &buffer) }
    }

    package func field(bytes: some Sequence<UInt8>) {
        separate()
        ReferenceText.appendEscaped(bytes, to: &buffer)
    }

    package func field(_ value: Int?) {
        separate()
        guard let value else { buffer.append(contentsOf: ReferenceText.null); return }
        appendDecimal(value)
    }

    package func field(_ day: Day?) {
        separate()
        guard let day else { buffer.append(contentsOf: ReferenceText.null); return }
        let (y, m, d) = day.civil
        if (0..<1000).contains(y) { buffer.append(contentsOf: Array(repeating: 0x30, count: 4 - String(y).count)) }   // PostgreSQL's 0999
        appendDecimal(y)
        buffer.append(0x2D); append2(m); buffer.append(0x2D); append2(d)
    }

    private func append2(_ v: Int) {
        buffer.append(UInt8(48 + v / 10)); buffer.append(UInt8(48 + v % 10))
    }

    private func appendDecimal(_ value: Int) {
        if value < 0 { buffer.append(0x2D) }
        var v = value.magnitude
        if v == 0 { buffer.append(48); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { p in
            while v > 0 { p[n] = UInt8(48 + v % 10); v /= 10; n += 1 }
            for i in stride(from: n - 1, through: 0, by: -1) { buffer.append(p[i]) }
        }
    }

    package func endRecord() throws {
        buffer.append(0x0A)
        atLineStart = true
        rows += 1
        if buffer.count >= Self.flushSize { try flush() }
    }

    package func flush() throws {
        guard !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: buffer) } catch {
            throw StageFileError(path: path, message: "write failed: \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes; the file is complete only after this.
    package func close() throws {
        try flush()
        try handle.close()
    }
}

/// Reads a stage file record by record, in chunks: memory stays bounded whatever its size.
package struct ReferenceStageReader: ~Copyable {
    package let path: String
    private let fd: Int32
    private var chunk: [UInt8] = []
    private var start = 0
    private var eof = false
    package private(set) var line = 0

    package init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw StageFileError(path: path, message: "cannot open (\(String(cString: strerror(errno)))); rerun the stage that writes it")
        }
    }

    deinit { close(fd) }

    /// Calls `body` with the raw (still escaped) fields of each record and its line number.
    package mutating func forEach(_ body: (_ fields: [ArraySlice<UInt8>], _ line: Int) throws -> Void) throws {
        var fields: [ArraySlice<UInt8>] = []
        fields.reserveCapacity(16)
        while let record = try nextLine() {
            fields.removeAll(keepingCapacity: true)
            var fieldStart = record.startIndex
            var i = record.startIndex
            while i < record.endIndex {
                if record[i] == 0x09 {
                    fields.append(record[fieldStart..<i])
                    fieldStart = i + 1
                }
                i += 1
            }
            fields.append(record[fieldStart..<record.endIndex])
            try body(fields, line)
        }
    }

    private mutating func nextLine() throws -> ArraySlice<UInt8>? {
        while true {
            if let nl = chunk[start...].firstIndex(of: 0x0A) {
                let record = chunk[start..<nl]
                start = nl + 1
                line += 1
                return record
            }
            if eof {
                guard start < chunk.count else { return nil }
                throw StageFileError(path: path, message: "the last record has no line end: the file is truncated; rerun the stage that writes it")
            }
            chunk.removeFirst(start)
            start = 0
            let want = 1 << 20
            let old = chunk.count
            chunk.append(contentsOf: repeatElement(0, count: want))
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress! + old, want) }
            guard n >= 0 else { throw StageFileError(path: path, message: "read failed: \(String(cString: strerror(errno)))") }
            chunk.removeLast(want - n)
            if n == 0 { eof = true }
        }
    }
}

/// Field decoding for stage-file readers.
package enum ReferenceField {
    package static func string(_ f: ArraySlice<UInt8>) -> String? {
        ReferenceText.unescape(f).map { String(decoding: $0, as: UTF8.self) }
    }

    package static func int(_ f: ArraySlice<UInt8>) -> Int? {
        guard !f.isEmpty, !(f.count == 2 && f.first == 0x5C) else { return nil }
        var v = 0, neg = false
        for c in f {
            if c == 0x2D { neg = true; continue }
            guard c >= 48, c <= 57 else { return nil }
            v = v * 10 + Int(c - 48)
        }
        return neg ? -v : v
    }

    package static func day(_ f: ArraySlice<UInt8>) -> Day? { DateFormat.iso.parse(f) }
}
// MARK: - The records, field by field

extension InstitutionRecord {
    package func write(to w: ReferenceStageWriter) throws {
        w.field(number); w.field(name); w.field(type); w.field(district); w.field(cluster)
        w.field(places); w.field(opened); w.field(closed); w.field(line)
        try w.endRecord()
    }

    package init(fields f: [ArraySlice<UInt8>], path: String, line: Int) throws {
        guard f.count == 9, let number = ReferenceField.string(f[0]), let line = ReferenceField.int(f[8]) else {
            throw StageFileError(path: path, line: line, message: "not an institution record")
        }
        self.init(number: number, name: ReferenceField.string(f[1]) ?? "", type: ReferenceField.string(f[2]) ?? "",
                  district: ReferenceField.string(f[3]) ?? "", cluster: ReferenceField.string(f[4]),
                  places: ReferenceField.int(f[5]), opened: ReferenceField.day(f[6]), closed: ReferenceField.day(f[7]), line: line)
    }
}

extension AssignmentRecord {
    package func write(to w: ReferenceStageWriter) throws {
        w.field(staffID); w.field(institution); w.field(from); w.field(to); w.field(line)
        try w.endRecord()
    }

    package init(fields f: [ArraySlice<UInt8>], path: String, line: Int) throws {
        guard f.count == 5, let staff = ReferenceField.string(f[0]), let inst = ReferenceField.string(f[1]),
              let from = ReferenceField.day(f[2]), let l = ReferenceField.int(f[4]) else {
            throw StageFileError(path: path, line: line, message: "not an assignment record")
        }
        self.init(staffID: staff, institution: inst, from: from, to: ReferenceField.day(f[3]), line: l)
    }
}

extension EnrolmentRecord {
    package func write(to w: ReferenceStageWriter) throws {
        w.field(childKey); w.field(birth); w.field(institution); w.field(from); w.field(to); w.field(line)
        try w.endRecord()
    }

    package init(fields f: [ArraySlice<UInt8>], path: String, line: Int) throws {
        guard f.count == 6, let child = ReferenceField.string(f[0]), let birth = ReferenceField.day(f[1]),
              let inst = ReferenceField.string(f[2]), let from = ReferenceField.day(f[3]), let l = ReferenceField.int(f[5]) else {
            throw StageFileError(path: path, line: line, message: "not an enrolment record")
        }
        self.init(childKey: child, birth: birth, institution: inst, from: from, to: ReferenceField.day(f[4]), line: l)
    }
}

extension CaseEventRecord {
    package func write(to w: ReferenceStageWriter) throws {
        w.field(caseID); w.field(childKey); w.field(birth); w.field(event.rawValue); w.field(day)
        w.field(paragraph); w.field(source); w.field(reason); w.field(line)
        try w.endRecord()
    }

    package init(fields f: [ArraySlice<UInt8>], path: String, line: Int) throws {
        guard f.count == 9, let caseID = ReferenceField.string(f[0]), let child = ReferenceField.string(f[1]),
              let birth = ReferenceField.day(f[2]), let event = ReferenceField.string(f[3]).flatMap(EventType.init(rawValue:)),
              let day = ReferenceField.day(f[4]), let l = ReferenceField.int(f[8]) else {
            throw StageFileError(path: path, line: line, message: "not a case-event record")
        }
        self.init(caseID: caseID, childKey: child, birth: birth, event: event, day: day,
                  paragraph: ReferenceField.string(f[5]), source: ReferenceField.string(f[6]), reason: ReferenceField.string(f[7]), line: l)
    }
}

extension RejectRecord {
    package func write(to w: ReferenceStageWriter) throws {
        w.field(file); w.field(line); w.field(field); w.field(reason.rawValue); w.field(message)
        try w.endRecord()
    }

    package init(fields f: [ArraySlice<UInt8>], path: String, line: Int) throws {
        guard f.count == 5, let file = ReferenceField.string(f[0]), let l = ReferenceField.int(f[1]),
              let reason = ReferenceField.string(f[3]).flatMap(RejectReason.init(rawValue:)) else {
            throw StageFileError(path: path, line: line, message: "not a reject record")
        }
        self.init(file: file, line: l, field: ReferenceField.string(f[2]), reason: reason, message: ReferenceField.string(f[4]) ?? "")
    }
}

extension ReferenceStageReader {
    /// Reads every record of a stage file with a record type's decoder.
    package static func readAll<R>(_ path: String, _ decode: ([ArraySlice<UInt8>], String, Int) throws -> R) throws -> [R] {
        var reader = try ReferenceStageReader(path: path)
        var out: [R] = []
        try reader.forEach { fields, line in out.append(try decode(fields, path, line)) }
        return out
    }
}
