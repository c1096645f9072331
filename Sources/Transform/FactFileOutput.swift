import Foundation
import Pipeline

/// Writes one fact file in COPY text, checksumming each chunk as it is written.
///
/// Produces exactly `CopyTextWriter`'s bytes (a test compares the two on every file) but
/// takes pre-escaped byte pieces: at a million children that writer's per-field and
/// per-byte costs, and reading every file back to checksum it, were most of the run.
struct FactFileOutput: ~Copyable {
    let path: String
    private let fd: Int32
    private var buffer: UnsafeMutableRawPointer
    private var capacity = 1 << 20
    private var count = 0
    private var hasher = Checksum()
    private(set) var rows = 0
    private(set) var bytes: Int64 = 0
    private var atLineStart = true

    init(path: String) throws(TransformError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw .stageFile(path: path, line: nil, message: "cannot create (\(String(cString: strerror(errno))))")
        }
        buffer = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        buffer.deallocate()
        if fd >= 0 { close(fd) }
    }

    /// Appends bytes as they are (already escaped).
    @inline(__always)
    mutating func raw(_ p: UnsafeRawPointer, _ n: Int) {
        if count + n > capacity { growFor(n) }
        (buffer + count).copyMemory(from: p, byteCount: n)
        count += n
    }

    @inline(__always)
    mutating func raw(_ piece: [UInt8]) {
        piece.withUnsafeBytes { raw($0.baseAddress ?? UnsafeRawPointer(buffer), $0.count) }
    }

    /// Starts a field: a tab unless it is the first of its row.
    @inline(__always)
    mutating func next() {
        if atLineStart { atLineStart = false } else { byte(0x09) }
    }

    @inline(__always)
    mutating func byte(_ b: UInt8) {
        if count == capacity { growFor(1) }
        buffer.storeBytes(of: b, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    mutating func field(_ piece: [UInt8]) { next(); raw(piece) }

    mutating func field(_ table: TextTable, _ i: Int) {
        next()
        table.bytes.withUnsafeBytes { raw($0.baseAddress! + table.starts[i], table.starts[i + 1] - table.starts[i]) }
    }

    mutating func null() { next(); byte(0x5C); byte(0x4E) }

    mutating func field(_ value: Int) {
        next()
        var v = value.magnitude
        if value < 0 { byte(0x2D) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat { d[23 - n] = UInt8(48 + v % 10); v /= 10; n += 1 } while v > 0
            raw(d.baseAddress! + 24 - n, n)
        }
    }

    mutating func field(_ day: Day?) {
        guard let day else { null(); return }
        next()
        DayText.shared.with(day) { raw($0.baseAddress!, $0.count) }
    }

    mutating func endRow() throws(TransformError) {
        byte(0x0A)
        atLineStart = true
        rows += 1
        if count >= 1 << 20 { try flush() }
    }

    /// Flushes, closes and returns the manifest entry.
    consuming func finish(name: String) throws(TransformError) -> StageManifest.OutputFile {
        try flush()
        return .init(name: name, rows: rows, bytes: bytes, sha256: hasher.hex())
    }

    private mutating func flush() throws(TransformError) {
        hasher.update(UnsafeRawBufferPointer(start: buffer, count: count))
        var done = 0
        while done < count {
            let n = write(fd, buffer + done, count - done)
            guard n > 0 else {
                throw .stageFile(path: path, line: nil, message: "write failed: \(String(cString: strerror(errno))) (disk full?)")
            }
            done += n
        }
        bytes += Int64(count)
        count = 0
    }

    private mutating func growFor(_ n: Int) {
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: max(capacity * 2, count + n), alignment: 16)
        bigger.copyMemory(from: buffer, byteCount: count)
        buffer.deallocate()
        buffer = bigger
        capacity = max(capacity * 2, count + n)
    }
}

/// `yyyy-mm-dd` of every day from 1900 to 2199, made once: formatting a date per field
/// was a visible cost. Other days are formatted as `CopyTextWriter` does.
final class DayText: Sendable {
    static let shared = DayText()
    private let first = Day.january1(1900).rawValue
    private let last = Day.january1(2200).rawValue - 1
    private let text: [UInt8]

    private init() {
        var text: [UInt8] = []
        text.reserveCapacity(Int(last - first + 1) * 10)
        for raw in first...last { text.append(contentsOf: Day(rawValue: raw).iso.utf8) }
        self.text = text
    }

    func with<R>(_ day: Day, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard day.rawValue >= first, day.rawValue <= last else {
            let (y, m, d) = day.civil  // CopyTextWriter: the year unpadded, month and day in two digits
            return Array((String(y) + "-" + (m < 10 ? "0" : "") + String(m) + "-" + (d < 10 ? "0" : "") + String(d)).utf8)
                .withUnsafeBytes(body)
        }
        let offset = Int(day.rawValue - first) * 10
        return text.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[offset..<offset + 10])) }
    }
}

/// Escapes text for COPY once, as `CopyText.appendEscaped` does.
func escaped(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    CopyText.appendEscaped(text.utf8, to: &out)
    return out
}
