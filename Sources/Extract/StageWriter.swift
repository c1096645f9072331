import Crypto
import Foundation
import Pipeline

/// Writes a stage file in PostgreSQL COPY text format, byte for byte as `CopyTextWriter`
/// does (a test holds them equal), but built for extract's volume: a raw buffer, an escape
/// scan that copies clean runs in one go, and the SHA-256 taken as the bytes go out.
///
/// Why not `CopyTextWriter`: with millions of rows its per-byte `Array.append` and the
/// runtime's exclusivity checks on its class properties made writing 40 % of extract's
/// time (docs/benchmarks.md). Proposed for Pipeline: the same buffer strategy there.
final class StageWriter {
    let path: String
    private let fd: Int32
    private var isOpen = true
    private let capacity = 1 << 22
    private let buffer: UnsafeMutablePointer<UInt8>
    private var used = 0
    private var atLineStart = true
    private var hasher = SHA256()
    private(set) var rows = 0
    private(set) var bytes: Int64 = 0

    init(path: String) throws(ExtractError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw .cannotWrite(path: path, message: String(cString: strerror(errno))) }
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        buffer.deallocate()
        if isOpen { Foundation.close(fd) }
    }

    @inline(__always) private func separate() {
        if atLineStart { atLineStart = false } else { buffer[used] = 0x09; used += 1 }
    }

    /// Room for `n` more bytes (fields are far smaller than the buffer; huge ones are split).
    @inline(__always) private func reserve(_ n: Int) throws(ExtractError) {
        if used + n > capacity { try flush() }
    }

    func null() throws(ExtractError) {
        try reserve(3); separate()
        buffer[used] = 0x5C; buffer[used + 1] = 0x4E; used += 2
    }

    func field(_ text: String?) throws(ExtractError) {
        guard var text else { return try null() }
        var failure: ExtractError?
        text.withUTF8 { u in
            do throws(ExtractError) { try field(u) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    func field(_ bytes: ArraySlice<UInt8>?) throws(ExtractError) {
        guard let bytes else { return try null() }
        if bytes.count > capacity / 4 { return try field(Array(bytes).withUnsafeBufferPointer { $0 }) }
        try reserve(2 * bytes.count + 1)
        separate()
        bytes.withUnsafeBufferPointer { appendEscaped($0) }
    }

    /// A child key: 64 hex digits, nothing to escape.
    func field(hex: SIMD64<UInt8>) throws(ExtractError) {
        try reserve(65); separate()
        UnsafeMutableRawPointer(buffer + used).storeBytes(of: hex, as: SIMD64<UInt8>.self)
        used += 64
    }

    func field(_ u: UnsafeBufferPointer<UInt8>) throws(ExtractError) {
        try reserve(1); separate()
        var start = 0
        while start < u.count {
            let piece = min(u.count - start, capacity / 4)
            try reserve(2 * piece)
            appendEscaped(UnsafeBufferPointer(rebasing: u[start..<(start + piece)]))
            start += piece
        }
    }

    /// Copies bytes, escaping `\\`, tab, LF and CR; the caller has reserved twice the count.
    @inline(__always) private func appendEscaped(_ u: UnsafeBufferPointer<UInt8>) {
        var o = used
        for c in u {
            // Only 0x09, 0x0A, 0x0D and 0x5C need escaping: one compare rules out the rest.
            if c > 0x0D && c != 0x5C || c < 0x09 || c == 0x0B || c == 0x0C {
                buffer[o] = c; o += 1
            } else {
                buffer[o] = 0x5C
                buffer[o + 1] = c == 0x09 ? 0x74 : c == 0x0A ? 0x6E : c == 0x0D ? 0x72 : 0x5C
                o += 2
            }
        }
        used = o
    }

    func field(_ value: Int?) throws(ExtractError) {
        guard let value else { return try null() }
        try reserve(21); separate()
        appendDecimal(value)
    }

    /// Recently written days, formatted: a file has a few thousand distinct days, and
    /// `Day.civil` divides a dozen times.
    private var dayCache = [(raw: Int32, text: SIMD16<UInt8>)](repeating: (Int32.min, SIMD16()), count: 1024)

    func field(_ day: Day?) throws(ExtractError) {
        guard let day else { return try null() }
        try reserve(16); separate()
        let slot = Int(UInt32(bitPattern: day.rawValue) & 1023)
        let cached = dayCache[slot]
        if cached.raw == day.rawValue {
            UnsafeMutableRawPointer(buffer + used).storeBytes(of: cached.text, as: SIMD16<UInt8>.self)
            used += 10
            return
        }
        let start = used
        format(day)
        if used - start == 10 {
            var text = SIMD16<UInt8>()
            for k in 0..<10 { text[k] = buffer[start + k] }
            dayCache[slot] = (day.rawValue, text)
        }
    }

    private func format(_ day: Day) {
        let (y, m, d) = day.civil
        if (1000...9999).contains(y) {
            buffer[used] = UInt8(48 + y / 1000); buffer[used + 1] = UInt8(48 + y / 100 % 10)
            buffer[used + 2] = UInt8(48 + y / 10 % 10); buffer[used + 3] = UInt8(48 + y % 10)
            used += 4
        } else {
            appendDecimal(y)
        }
        buffer[used] = 0x2D
        buffer[used + 1] = UInt8(48 + m / 10); buffer[used + 2] = UInt8(48 + m % 10)
        buffer[used + 3] = 0x2D
        buffer[used + 4] = UInt8(48 + d / 10); buffer[used + 5] = UInt8(48 + d % 10)
        used += 6
    }

    private func appendDecimal(_ value: Int) {
        if value < 0 { buffer[used] = 0x2D; used += 1 }
        var v = value.magnitude
        if v == 0 { buffer[used] = 48; used += 1; return }
        var n = 0
        var t = v
        while t > 0 { n += 1; t /= 10 }
        for k in stride(from: n - 1, through: 0, by: -1) { buffer[used + k] = UInt8(48 + v % 10); v /= 10 }
        used += n
    }

    func endRecord() throws(ExtractError) {
        try reserve(1)
        buffer[used] = 0x0A; used += 1
        atLineStart = true
        rows += 1
    }

    /// Appends a file of whole records that another `StageWriter` wrote (already escaped).
    func append(contentsOf path: String, rows: Int) throws(ExtractError) {
        let file = try ChunkedFile(path: path)
        while true {
            let room = capacity - used
            let n = try file.read(into: UnsafeMutableRawBufferPointer(start: buffer + used, count: room))
            used += n
            if n < room { break }
            try flush()
        }
        self.rows += rows
    }

    func flush() throws(ExtractError) {
        guard used > 0 else { return }
        let out = UnsafeRawBufferPointer(start: buffer, count: used)
        hasher.update(bufferPointer: out)
        var done = 0
        while done < used {
            let n = write(fd, buffer + done, used - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw .cannotWrite(path: path, message: String(cString: strerror(errno)))
            }
            done += n
        }
        bytes += Int64(used)
        used = 0
    }

    /// Flushes and closes; describes the file for the stage manifest.
    func close(name: String) throws(ExtractError) -> StageManifest.OutputFile {
        try flush()
        isOpen = false
        if Foundation.close(fd) != 0 {
            throw .cannotWrite(path: path, message: String(cString: strerror(errno)))
        }
        return .init(name: name, rows: rows, bytes: bytes, sha256: Hex.string(hasher.finalize()))
    }
}
