import Foundation
import Pipeline

/// One record's fields as raw (still escaped) bytes, valid only inside the scan callback.
struct RawRecord {
    fileprivate var base: UnsafeRawPointer
    fileprivate var bounds: UnsafeMutableBufferPointer<Int>  // start0, end0, start1, end1, …
    private(set) var count: Int

    fileprivate init(bounds: UnsafeMutableBufferPointer<Int>) {
        base = UnsafeRawPointer(bitPattern: 1)!
        self.bounds = bounds
        count = 0
    }

    subscript(i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + bounds[2 * i], count: bounds[2 * i + 1] - bounds[2 * i])
    }

    /// Splits `line` (no line end) at tabs; more than 64 fields count but are not kept.
    fileprivate mutating func split(_ line: UnsafeRawBufferPointer) {
        base = line.baseAddress ?? base
        count = 0
        var start = 0
        let n = line.count
        var i = 0
        while true {
            var end = n
            if i < n, let tab = memchr(base + i, 0x09, n - i) {
                end = base.distance(to: UnsafeRawPointer(tab))
            }
            if count < bounds.count / 2 { bounds[2 * count] = start; bounds[2 * count + 1] = end }
            count += 1
            guard end < n else { return }
            start = end + 1
            i = start
        }
    }
}

/// Reads a stage file record by record as `CopyTextReader` does (same records, fields,
/// line numbers and truncation error; a test holds them together), but hands out raw byte
/// ranges: no ArraySlice, no reference counting per field. At five million records that
/// reader's bookkeeping was most of the read phase.
enum RecordScanner {
    static func forEach(path: String, _ body: (RawRecord, Int) throws -> Void) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw StageFileError(path: path, message: "cannot open (\(String(cString: strerror(errno)))); rerun the stage that writes it")
        }
        defer { close(fd) }
        var capacity = 4 << 20
        var buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        let bounds = UnsafeMutableBufferPointer<Int>.allocate(capacity: 128)
        defer { buffer.deallocate(); bounds.deallocate() }
        var record = RawRecord(bounds: bounds)
        var filled = 0, line = 0
        while true {
            if filled == capacity {  // a record longer than the buffer: make room
                let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 64)
                bigger.copyMemory(from: buffer, byteCount: filled)
                buffer.deallocate()
                buffer = bigger
                capacity *= 2
            }
            let n = read(fd, buffer + filled, capacity - filled)
            guard n >= 0 else { throw StageFileError(path: path, message: "read failed: \(String(cString: strerror(errno)))") }
            if n == 0 {
                guard filled == 0 else {
                    throw StageFileError(path: path, message: "the last record has no line end: the file is truncated; rerun the stage that writes it")
                }
                return
            }
            filled += n
            var start = 0
            while start < filled, let nl = memchr(buffer + start, 0x0A, filled - start) {
                let end = UnsafeRawPointer(buffer).distance(to: UnsafeRawPointer(nl))
                line += 1
                record.split(UnsafeRawBufferPointer(start: buffer + start, count: end - start))
                try body(record, line)
                start = end + 1
            }
            if start > 0 {
                (buffer).copyMemory(from: buffer + start, byteCount: filled - start)
                filled -= start
            }
        }
    }
}

/// Reading COPY-text fields as bytes, with `CopyField`'s meanings (NULL, escapes, numbers, days).
enum RawField {
    static func isNull(_ f: UnsafeRawBufferPointer) -> Bool {
        f.count == 2 && f[0] == 0x5C && f[1] == 0x4E
    }

    /// `body` with the field's unescaped bytes; nil for NULL (`CopyField.string`).
    static func withText<R>(_ f: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        if isNull(f) { return nil }
        guard f.count > 0, memchr(f.baseAddress!, 0x5C, f.count) != nil else { return body(f) }
        return CopyText.unescape(Array(f)[...])!.withUnsafeBytes(body)
    }

    /// `CopyField.day`: ISO `yyyy-mm-dd` naming a real day.
    static func day(_ f: UnsafeRawBufferPointer) -> Day? {
        guard f.count == 10, f[4] == 0x2D, f[7] == 0x2D else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var v = 0
            for i in from..<from + count {
                let c = f[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let y = number(0, 4), let m = number(5, 2), let d = number(8, 2) else { return nil }
        return Day(year: y, month: m, day: d)
    }

    /// `CopyField.int`, minus signs and all.
    static func int(_ f: UnsafeRawBufferPointer) -> Int? {
        guard f.count > 0, !(f.count == 2 && f[0] == 0x5C) else { return nil }
        var v = 0, negative = false
        for c in f {
            if c == 0x2D { negative = true; continue }
            guard c >= 48, c <= 57 else { return nil }
            v = v * 10 + Int(c - 48)
        }
        return negative ? -v : v
    }

    /// `EventType(rawValue:)` on the bytes.
    static func eventType(_ text: UnsafeRawBufferPointer) -> EventType? {
        for (bytes, type) in eventTypes where bytes.count == text.count {
            if bytes.withUnsafeBytes({ memcmp($0.baseAddress!, text.baseAddress!, text.count) }) == 0 { return type }
        }
        return nil
    }

    private static let eventTypes: [([UInt8], EventType)] = EventType.allCases.map { (Array($0.rawValue.utf8), $0) }
}

extension RecordScanner {
    /// `body` with one line (no line end) split as a record; for tests and one-offs.
    static func withRecord<R>(_ line: [UInt8], _ body: (RawRecord) throws -> R) rethrows -> R {
        let bounds = UnsafeMutableBufferPointer<Int>.allocate(capacity: 128)
        defer { bounds.deallocate() }
        var record = RawRecord(bounds: bounds)
        return try line.withUnsafeBytes { bytes in
            record.split(bytes)
            return try body(record)
        }
    }
}
