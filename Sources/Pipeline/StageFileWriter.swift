import Foundation

/// Writes a stage file in COPY text (`CopyText`) record by record, through one large raw
/// buffer, checksumming the bytes as they go out: the one writer of extract's and
/// transform's files. Fields never fail; `endRecord` flushes when the buffer is full and
/// `close` says what was written.
///
/// Why by hand: per-byte `Array.append` and the runtime's exclusivity checks made a
/// String-and-Array writer 40 % of extract's time, and reading each fact file back to
/// checksum it was most of transform's write phase (docs/benchmarks.md).
package final class StageFileWriter {
    package let path: String
    private let fd: Int32
    private var isOpen = true
    private var buffer: UnsafeMutableRawPointer
    private var capacity = 1 << 22
    private var used = 0
    private var atLineStart = true
    private var hasher = XXH128Sum()
    /// `Day.isoTable`, held: a day a field.
    private let isoDays = Day.isoTable
    /// Rows and bytes written; private stored properties, so the compiler checks their
    /// accesses statically (a `package` one is checked at run time, each row).
    private var rowCount = 0, byteCount: Int64 = 0
    package var rows: Int { rowCount }
    package var bytes: Int64 { byteCount }
    private static let flushAt = 1 << 21

    package init(path: String) throws(StageFileError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw StageFileError(path: path, message: "cannot create (\(String(cString: strerror(errno)))); check the folder exists and is writable")
        }
        buffer = .allocate(byteCount: capacity, alignment: 64)
    }

    deinit {
        buffer.deallocate()
        if isOpen { Foundation.close(fd) }
    }

    /// Room for `n` more bytes; a field larger than what is left grows the buffer.
    @inline(__always) private func reserve(_ n: Int) {
        if used + n > capacity { grow(n) }
    }

    private func grow(_ n: Int) {
        let bigger = max(capacity * 2, used + n)
        let b = UnsafeMutableRawPointer.allocate(byteCount: bigger, alignment: 64)
        b.copyMemory(from: buffer, byteCount: used)
        buffer.deallocate()
        buffer = b
        capacity = bigger
    }

    @inline(__always) private func put(_ byte: UInt8) {
        buffer.storeBytes(of: byte, toByteOffset: used, as: UInt8.self)
        used += 1
    }

    /// Starts a field: a tab unless it is the first of its record.
    @inline(__always) private func separate() {
        if atLineStart { atLineStart = false } else { put(0x09) }
    }

    package func null() {
        reserve(3); separate()
        put(0x5C); put(0x4E)
    }

    /// Text, escaped.
    package func field(_ text: UnsafeRawBufferPointer) {
        reserve(2 * text.count + 1); separate()
        used += CopyText.escape(text, to: (buffer + used).assumingMemoryBound(to: UInt8.self))
    }

    package func field(_ text: ArraySlice<UInt8>?) {
        guard let text else { return null() }
        text.withUnsafeBytes { field($0) }
    }

    package func field(_ text: String?) {
        guard var text else { return null() }
        text.withUTF8 { field(UnsafeRawBufferPointer($0)) }
    }

    /// Bytes already in COPY text (escaped once up front, e.g. a fact file's texts).
    package func field(escaped bytes: UnsafeRawBufferPointer) {
        reserve(bytes.count + 1); separate()
        if bytes.count > 0 { (buffer + used).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        used += bytes.count
    }

    package func field(escaped bytes: [UInt8]) {
        bytes.withUnsafeBytes { field(escaped: $0) }
    }

    /// A child key: 64 hex digits, nothing to escape.
    package func field(hex: SIMD64<UInt8>) {
        reserve(65); separate()
        (buffer + used).storeBytes(of: hex, as: SIMD64<UInt8>.self)
        used += 64
    }

    package func field(_ value: Int?) {
        guard let value else { return null() }
        reserve(21); separate()
        if value < 0 { put(0x2D) }
        var v = value.magnitude
        if v < 100_000_000 {   // line numbers, ids, days: eight digits at once, from the first significant one
            let n = ASCIIDigits.count(UInt64(v))
            buffer.storeBytes(of: ASCIIDigits.eight(UInt64(v)) >> (8 &* UInt64(8 &- n)), toByteOffset: used, as: UInt64.self)   // within the 21 reserved
            used += n
            return
        }
        // Larger: two digits a division, from the last.
        var n = 1, t = v
        while t >= 10_000 { n += 4; t /= 10_000 }
        if t >= 100 { n += 2; t /= 100 }
        if t >= 10 { n += 1 }
        used += n
        var k = used
        while v >= 100 {
            let q = v / 100, r = v &- q &* 100
            k &-= 2
            buffer.storeBytes(of: UInt8(truncatingIfNeeded: 48 &+ r / 10), toByteOffset: k, as: UInt8.self)
            buffer.storeBytes(of: UInt8(truncatingIfNeeded: 48 &+ r % 10), toByteOffset: k &+ 1, as: UInt8.self)
            v = q
        }
        if v >= 10 {
            buffer.storeBytes(of: UInt8(truncatingIfNeeded: 48 &+ v / 10), toByteOffset: k &- 2, as: UInt8.self)
            buffer.storeBytes(of: UInt8(truncatingIfNeeded: 48 &+ v % 10), toByteOffset: k &- 1, as: UInt8.self)
        } else {
            buffer.storeBytes(of: UInt8(truncatingIfNeeded: 48 &+ v), toByteOffset: k &- 1, as: UInt8.self)
        }
    }

    /// Swift's shortest form that reads back to the same value (PostgreSQL's `float8in` too).
    package func field(double value: Double?) {
        guard let value else { return null() }
        field(escaped: Array(value.description.utf8))
    }

    package func field(_ day: Day?) {
        guard let day else { return null() }
        reserve(24); separate()
        used += day.writeISO(to: buffer + used, table: isoDays)
    }

    package func endRecord() throws(StageFileError) {
        reserve(1); put(0x0A)
        atLineStart = true
        rowCount += 1
        if used >= Self.flushAt { try flush() }
    }

    /// Appends a file of whole records that another writer wrote (already in COPY text).
    package func append(contentsOf other: String, rows: Int) throws(StageFileError) {
        try flush()
        let fd = open(other, O_RDONLY)
        guard fd >= 0 else { throw StageFileError(path: other, message: "cannot open (\(String(cString: strerror(errno))))") }
        defer { Foundation.close(fd) }
        while true {
            let n = read(fd, buffer, capacity)
            guard n >= 0 else { throw StageFileError(path: other, message: "read failed: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            used = n
            try flush()
        }
        rowCount += rows
    }

    private func flush() throws(StageFileError) {
        guard used > 0 else { return }
        hasher.update(UnsafeRawBufferPointer(start: buffer, count: used))
        var done = 0
        while done < used {
            let n = write(fd, buffer + done, used - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw StageFileError(path: path, message: "write failed: \(String(cString: strerror(errno))) (disk full?)")
            }
            done += n
        }
        byteCount += Int64(used)
        used = 0
    }

    /// Flushes and closes; the file is complete only after this. Describes it for the manifest.
    package func close(name: String) throws(StageFileError) -> StageManifest.OutputFile {
        try flush()
        isOpen = false
        if Foundation.close(fd) != 0 {
            throw StageFileError(path: path, message: "close failed: \(String(cString: strerror(errno))) (disk full?)")
        }
        return .init(name: name, rows: rows, bytes: bytes, checksum: .xxh128(hasher.hex()))
    }
}
