import Foundation
import Pipeline

/// One CSV record as the reader hands it out: every field's bytes (quotes removed, `""`
/// undone) in order, one byte apart (the next field starts one past the end of the one
/// before). A view of the file's own bytes when the record is one plain line, else of the
/// reader's buffer: valid only during the call that hands it out, so a record costs no
/// allocation, no reference counting and, mostly, no copy.
struct CSVRecord {
    var bytes: UnsafeRawBufferPointer
    /// The end offset in `bytes` of each field; field `i` starts at `ends[i - 1] + 1`.
    var ends: UnsafeBufferPointer<Int>
    /// The physical line the record starts on (1-based; quoted line breaks count).
    var line: Int
    /// The physical line it ends on: more than `line` when a quoted field held line breaks.
    var lastLine: Int
    /// A quoted field that spans lines closed with text after its closing quote: most likely
    /// a stray quote that joined the records of the lines after it to this one.
    var joined: Bool
    /// The offset in `bytes` of the first control character (see `CSVReader`); -1: none.
    var control: Int
    /// Why the record cannot be read as CSV (a stray quote, …); nil when it can.
    var problem: String?

    var fieldCount: Int { ends.count }

    func field(_ i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[(i == 0 ? 0 : ends[i - 1] + 1)..<ends[i]])
    }
}

/// A streaming RFC 4180 reader over bytes: reads the file 1 MiB at a time, decodes or
/// checks its encoding chunk by chunk, and hands out records one by one. Memory is bounded
/// by the chunk and by `maxRecordBytes`, whatever the file's size.
///
/// Speed: the loop works on raw pointers and a byte-class table, copies runs of ordinary
/// bytes with one call, and never makes a String (see docs/benchmarks.md).
///
/// Two things it guards against besides RFC 4180 (docs/decisions.md):
/// - a quote that swallows lines: a quoted field may span at most `maxFieldLines` lines,
///   and one still open at the end of the file stops the file (`unclosedQuote`), naming
///   the line it opened on;
/// - control characters (C0 other than tab, CR, LF; and DEL), which PostgreSQL's COPY
///   cannot take (NUL) or no export means to send: the record notes the first one's place,
///   found through the same byte-class table, so clean text costs nothing more.
final class CSVReader {
    let path: String
    let delimiter: UInt8
    let encoding: TextEncoding
    /// A record longer than this is rejected (as malformed) instead of growing the buffer:
    /// typically an unterminated quote swallowing the rest of the file.
    let maxRecordBytes: Int
    /// The most lines one quoted field may span.
    let maxFieldLines: Int
    /// Bytes read at a time; small values only in tests, to put chunk edges everywhere.
    let chunkSize: Int
    private let file: ChunkedFile
    private let decoder: SingleByteDecoder?

    init(path: String, delimiter: UInt8, encoding: TextEncoding, maxRecordBytes: Int = 1 << 20,
         maxFieldLines: Int = 20, chunkSize: Int = ChunkedFile.chunkSize, confinedTo drop: URL? = nil) throws(ExtractError) {
        self.path = path
        self.maxFieldLines = maxFieldLines
        self.chunkSize = chunkSize
        self.delimiter = delimiter
        self.encoding = encoding
        self.maxRecordBytes = maxRecordBytes
        file = try ChunkedFile(path: path, confinedTo: drop)
        decoder = encoding == .utf8 ? nil : SingleByteDecoder(encoding)
    }

    /// In a single-byte export: letters written in UTF-8 (`C3 80`–`C3 BF`, which windows-1252
    /// reads as "Ã" and another character: "Ã¦" for æ), how many, and the line of the first.
    /// No Danish text holds "Ã" before such a character; a record pasted from elsewhere does.
    private(set) var utf8Letters: (count: Int, firstLine: Int)?
    /// The file's last byte is no line end: the one sign of a CSV export cut short.
    private(set) var unterminated = false

    /// The SHA-256 of the bytes read so far (the whole file once `forEachRecord` returned).
    var sha256: String { file.sha256() }
    var bytesRead: Int64 { file.bytesRead }

    private static let quote: UInt8 = 0x22, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D

    /// Calls `body` with each record, the header first. Blank lines are skipped.
    ///
    /// All parser state lives in one local struct and the loop calls no closure, so the
    /// compiler checks exclusive access statically (dynamic checks cost half the time).
    func forEachRecord(_ body: (CSVRecord) throws -> Void) throws {
        let chunkSize = self.chunkSize
        // Raw bytes: a held-back incomplete UTF-8 sequence (≤ 3 bytes) and then a chunk.
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize + 4, alignment: 16)
        defer { raw.deallocate() }
        let rawBase = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
        // Decoded: up to three bytes for each raw one, held-back ones included.
        let decoded: UnsafeMutableBufferPointer<UInt8>? = decoder == nil ? nil : .allocate(capacity: 3 * (chunkSize + 4))
        defer { decoded?.deallocate() }
        // Byte classes: 0 ordinary, 1 special. Unquoted (the first 256): delimiter, quote, line
        // feed, control characters. Quoted (the next 256): quote, line feed, control characters.
        let classes = UnsafeMutablePointer<UInt8>.allocate(capacity: 512)
        defer { classes.deallocate() }
        classes.initialize(repeating: 0, count: 512)
        for c in 0..<256 where CSVParseState.isSpecial(UInt8(c), delimiter: delimiter, c1: false) { classes[c] = 1 }
        for c in 0..<256 where CSVParseState.isControl(UInt8(c)) { classes[256 + c] = 1 }
        classes[256 + Int(Self.quote)] = 1; classes[256 + Int(Self.lf)] = 1

        var s = CSVParseState(path: path, delimiter: delimiter, limit: maxRecordBytes, maxFieldLines: maxFieldLines)
        defer { s.deallocate() }
        var held = 0, first = true
        // Checked on a single-byte export only.
        var utf8 = UTF8Evidence()
        // Whether the chunk holds a C1 control (`CSVParseState.c1Control`).
        var c1 = false
        while true {
            let n = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[held..<(held + chunkSize)]))
            let total = held + n
            let atEnd = n < chunkSize
            if n > 0 { unterminated = rawBase[total - 1] != Self.lf }
            if first, let form = UTF8Check.wideUnicodeForm(rawBase, count: total) { throw ExtractError.wideUnicode(file: path, form: form) }
            var p = UnsafePointer(rawBase)
            var count: Int
            if let decoder, let decoded {
                // The bytes of a UTF-8 sequence cut by the chunk's end wait for the next read.
                held = utf8.allUTF8 && !atEnd ? UTF8Check.incompleteTail(rawBase, count: total) : 0
                utf8.note(rawBase, count: total - held)
                if utf8.byteOrderMark, let evidence = utf8.evidence {
                    throw ExtractError.utf8NotDeclared(file: path, encoding: encoding, evidence: evidence)
                }
                noteUTF8Letters(rawBase, count: total - held, line: s.line)
                count = decoder.decode(rawBase, count: total - held, into: decoded, c1: &c1)
                p = UnsafePointer(decoded.baseAddress!)
            } else {
                let tail = atEnd ? 0 : UTF8Check.incompleteTail(rawBase, count: total)
                count = total - tail
                if let bad = UTF8Check.firstInvalid(rawBase, count: count, c1: &c1) {
                    var at = s.line
                    for k in 0..<bad where rawBase[k] == Self.lf { at += 1 }
                    throw ExtractError.notDeclaredEncoding(file: path, line: at, encoding: encoding)
                }
                held = tail
            }
            if first {
                first = false
                if decoder == nil, count >= 3, p[0] == 0xEF, p[1] == 0xBB, p[2] == 0xBF { p += 3; count -= 3 }
            }
            classes[0xC2] = c1 ? 1 : 0; classes[256 + 0xC2] = c1 ? 1 : 0
            c1 = false
            try s.parse(p, count: count, classes: classes, body)
            if let reason = s.overlongHeader { throw ExtractError.badHeader(file: path, lastLine: s.line, reason: reason) }
            if atEnd {
                try s.finish(body)
                if decoder != nil, let evidence = utf8.evidence {
                    throw ExtractError.utf8NotDeclared(file: path, encoding: encoding, evidence: evidence)
                }
                return
            }
            // Carry the held-back bytes to the front for the next read.
            if held > 0 { raw.baseAddress!.copyMemory(from: raw.baseAddress! + total - held, byteCount: held) }
        }
    }
}

extension CSVReader {
    /// Counts `utf8Letters` in a chunk of a single-byte export whose first line is `line`.
    fileprivate func noteUTF8Letters(_ p: UnsafePointer<UInt8>, count: Int, line: Int) {
        var i = 0
        while i + 1 < count, let at = memchr(p + i, 0xC3, count - 1 - i) {
            i = UnsafePointer<UInt8>(at.assumingMemoryBound(to: UInt8.self)) - p + 1
            guard p[i] & 0xC0 == 0x80 else { continue }
            if let seen = utf8Letters {
                utf8Letters = (seen.count + 1, seen.firstLine)
            } else {
                utf8Letters = (1, line + UnsafeBufferPointer(start: p, count: i).count { $0 == 0x0A })
            }
        }
    }
}
