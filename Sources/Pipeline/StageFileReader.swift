import Foundation

/// One record of a stage file: its fields as raw (still escaped) bytes, valid only inside
/// the callback that hands it out. Decode them with `StageField`.
package struct StageRecord {
    fileprivate var base: UnsafeRawPointer
    fileprivate var bounds: UnsafeMutableBufferPointer<Int>  // start0, end0, start1, end1, …
    package private(set) var count: Int

    fileprivate init(bounds: UnsafeMutableBufferPointer<Int>) {
        base = UnsafeRawPointer(bitPattern: 1)!
        self.bounds = bounds
        count = 0
    }

    package subscript(i: Int) -> UnsafeRawBufferPointer {
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

/// Reads a stage file record by record, in chunks (memory stays bounded whatever its size),
/// handing out raw byte ranges: no String, no ArraySlice, no reference counting per field.
/// The one reader of the stage files.
package enum StageFileReader {
    /// `body` with each record and its line number (from 1). With `expected`, the file's
    /// checksum must be it: at the end, after the last record, a changed file is refused, and
    /// so is one whose record could not be read or taken (said as a change, its cause).
    package static func forEach(path: String, expected: FileChecksum? = nil, _ body: (StageRecord, Int) throws -> Void) throws {
        do { try records(path: path, check: expected.map(ChecksumCheck.init), body) } catch let changed as ChangedStageFile {
            throw changed.error
        } catch {
            if let expected, let found = ChecksumCheck.changed(path, from: expected) {
                throw ChangedStageFile(path: path, found: found, expected: expected.hex).error
            }
            throw error
        }
    }

    /// A stage file whose checksum is not its manifest's.
    private struct ChangedStageFile: Error {
        let path: String, found: String, expected: String
        var error: StageFileError {
            StageFileError(path: path, message: "it changed since its stage wrote it (checksum \(found), its stage's manifest says \(expected)); rerun the stage that writes it")
        }
    }

    private static func records(path: String, check: ChecksumCheck?, _ body: (StageRecord, Int) throws -> Void) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw StageFileError(path: path, message: "cannot open (\(String(cString: strerror(errno)))); rerun the stage that writes it")
        }
        defer { close(fd) }
        var capacity = 4 << 20
        var buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        let bounds = UnsafeMutableBufferPointer<Int>.allocate(capacity: 128)
        defer { buffer.deallocate(); bounds.deallocate() }
        var record = StageRecord(bounds: bounds)
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
                if let check, let found = check.mismatch() {
                    throw ChangedStageFile(path: path, found: found, expected: check.expected.hex)
                }
                return
            }
            check?.update(UnsafeRawBufferPointer(start: buffer + filled, count: n))
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
                buffer.copyMemory(from: buffer + start, byteCount: filled - start)
                filled -= start
            }
        }
    }

    /// Every record of a (small) file, decoded by `decode`.
    package static func readAll<R>(_ path: String, _ decode: (StageRecord, String, Int) throws -> R) throws -> [R] {
        var out: [R] = []
        try forEach(path: path) { record, line in out.append(try decode(record, path, line)) }
        return out
    }

    /// `body` with one line (no line end) split as a record; for tests and one-offs.
    package static func withRecord<R>(_ line: [UInt8], _ body: (StageRecord) throws -> R) rethrows -> R {
        let bounds = UnsafeMutableBufferPointer<Int>.allocate(capacity: 128)
        defer { bounds.deallocate() }
        var record = StageRecord(bounds: bounds)
        return try line.withUnsafeBytes { bytes in
            record.split(bytes)
            return try body(record)
        }
    }
}

/// Decoding one COPY-text field from its raw bytes: NULL, escapes, numbers, days.
package enum StageField {
    package static func isNull(_ f: UnsafeRawBufferPointer) -> Bool {
        f.count == 2 && f[0] == 0x5C && f[1] == 0x4E
    }

    /// `body` with the field's unescaped bytes; nil for NULL.
    package static func withText<R>(_ f: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        if isNull(f) { return nil }
        guard f.count > 0, memchr(f.baseAddress!, 0x5C, f.count) != nil else { return try body(f) }
        return try CopyText.unescape(f).withUnsafeBytes(body)
    }

    /// The text; nil for NULL.
    package static func string(_ f: UnsafeRawBufferPointer) -> String? {
        withText(f) { String(decoding: $0, as: UTF8.self) }
    }

    /// ISO `yyyy-mm-dd` naming a real day (the form `Day` writes).
    package static func day(_ f: UnsafeRawBufferPointer) -> Day? {
        guard f.count == 10 else { return nil }
        return DateFormat.iso.parse(f)
    }

    /// A decimal integer, minus signs and all; nil for NULL, empty or anything else.
    package static func int(_ f: UnsafeRawBufferPointer) -> Int? {
        guard f.count > 0, !(f.count == 2 && f[0] == 0x5C) else { return nil }
        var v = 0, negative = false
        for c in f {
            if c == 0x2D { negative = true; continue }
            guard c >= 48, c <= 57 else { return nil }
            v = v * 10 + Int(c - 48)
        }
        return negative ? -v : v
    }
}
