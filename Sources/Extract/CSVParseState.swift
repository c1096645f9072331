import CSpecialBytes
import Foundation

/// The CSV state machine, resumable across chunks. A record that is one plain line of the
/// chunk (no quote, no control character) is handed out where it lies; any other is
/// gathered in buffers of the state's own, allocated once (`deallocate` frees them), in the
/// same layout. Swift arrays cost a reference count per record and per field read, and
/// copying each field a call to `memmove`: together a fifth of a national extract
/// (docs/benchmarks.md).
struct CSVParseState {
    private static let quote: UInt8 = 0x22, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
    private enum State { case fieldStart, unquoted, quoted, quoteSeen, quoteCR }

    let path: String
    let delimiter: UInt8
    let limit: Int
    let maxFieldLines: Int
    private var state = State.fieldStart
    private(set) var line = 1
    private var recordLine = 1, quoteLine = 1
    /// The record's bytes: `limit` of them at most.
    private let bytes: UnsafeMutablePointer<UInt8>
    private var count = 0
    /// The end of each field so far; grown as a record needs.
    private var ends: UnsafeMutablePointer<Int>
    private var endCount = 0, endCapacity = 64
    private var problem: String? = nil
    private var anyQuoted = false, tooLong = false, joined = false
    /// The header's number of fields (the first record's); 0 before it is read.
    private var headerFields = 0
    private var control = -1

    init(path: String, delimiter: UInt8, limit: Int, maxFieldLines: Int) {
        self.path = path
        self.delimiter = delimiter
        self.limit = limit
        self.maxFieldLines = maxFieldLines
        bytes = .allocate(capacity: max(limit, 1))
        ends = .allocate(capacity: endCapacity)
    }

    func deallocate() {
        bytes.deallocate()
        ends.deallocate()
    }

    @inline(__always) private mutating func append(_ p: UnsafePointer<UInt8>, _ n: Int) {
        guard n > 0 else { return }
        if count + n > limit { tooLong = true; return }
        (bytes + count).update(from: p, count: n)
        count += n
    }

    @inline(__always) private mutating func appendByte(_ c: UInt8) {
        if count + 1 > limit { tooLong = true; return }
        bytes[count] = c
        count += 1
    }

    /// Ends a field at `count`, and puts the delimiter after it: the layout of a line read
    /// in place. So delimiters count toward a record's length, and a line of nothing but
    /// delimiters is as long as it looks (its fields' ends are bounded with its bytes).
    @inline(__always) private mutating func endField() {
        if count + 1 > limit { tooLong = true; return }
        if endCount == endCapacity { growEnds() }
        ends[endCount] = count
        endCount += 1
        bytes[count] = delimiter
        count += 1
    }

    /// Where the field being read starts in `bytes`.
    @inline(__always) private var fieldStart: Int { endCount == 0 ? 0 : ends[endCount - 1] + 1 }

    private mutating func growEnds() {
        let bigger = UnsafeMutablePointer<Int>.allocate(capacity: endCapacity * 2)
        bigger.moveInitialize(from: ends, count: endCount)
        ends.deallocate()
        ends = bigger
        endCapacity *= 2
    }

    /// A line feed ends an unquoted field: a `\r` just before it belongs to the line end.
    @inline(__always) private mutating func dropCR() {
        if count > fieldStart, bytes[count - 1] == Self.cr { count -= 1 }
    }

    /// C0 controls other than tab, LF and CR, and DEL: never text an export means to send.
    static func isControl(_ c: UInt8) -> Bool {
        (c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D) || c == 0x7F
    }

    /// What the parser stops at outside quotes: the delimiter, the quote, the line feed, a
    /// control character, and C1 controls' lead byte in a chunk that holds one. The class
    /// table and `etl_special_bytes32` (CSpecialBytes) say the same; a test holds them to it.
    static func isSpecial(_ c: UInt8, delimiter: UInt8, c1: Bool) -> Bool {
        isControl(c) || c == delimiter || c == quote || c == lf || (c1 && c == 0xC2)
    }

    /// The C1 control (U+0080–U+009F, in UTF-8 `C2 80`–`C2 9F`) at `o`, if one starts there:
    /// no more meant as text than a C0 one (windows-1252's undefined bytes, ISO-8859-1's
    /// 0x80–0x9F). Its lead byte `C2` is special to the parser only in chunks that hold one.
    @inline(__always) static func c1Control(_ b: UnsafeRawBufferPointer, at o: Int, end: Int) -> UInt8? {
        b[o] == 0xC2 && o + 1 < end && b[o + 1] & 0xE0 == 0x80 ? b[o + 1] : nil
    }

    /// The offset of the first control character, C0 or C1, in `b[from..<end]`.
    static func firstControl(_ b: UnsafeRawBufferPointer, from: Int, end: Int) -> Int? {
        for o in from..<end where isControl(b[o]) || c1Control(b, at: o, end: end) != nil { return o }
        return nil
    }

    @inline(__always) private mutating func appendControl(_ c: UInt8) {
        if control < 0 { control = count }
        appendByte(c)
    }

    /// A byte the class table marks that is no delimiter, quote or line feed: a control
    /// character, or `C2`, which in a chunk holding a C1 control leads U+0080–U+00BF alike.
    /// Only U+0080–U+009F are controls; a no-break space (`C2 A0`) is text. (A sequence is
    /// never cut by the chunk's end: the reader holds its first bytes back for the next.)
    @inline(__always) private mutating func appendSpecial(_ c: UInt8, before i: Int, _ p: UnsafePointer<UInt8>, count: Int) {
        if c != 0xC2 || (i < count && p[i] & 0xE0 == 0x80) { appendControl(c) } else { appendByte(c) }
    }

    /// Out of line: the parse loop stays small.
    @inline(never) private func fieldTooLong() -> ExtractError {
        .unclosedQuote(file: path, line: quoteLine, within: maxFieldLines)
    }

    /// Why the header cannot be read, as soon as it is longer than `limit`: a binary file (a
    /// sparse one of 2 GB took half a minute) is not read to its end first.
    var overlongHeader: String? {
        guard headerFields == 0, tooLong else { return nil }
        let nul = UnsafeBufferPointer(start: bytes, count: count).contains(0)
        return "the first line is longer than \(limit) bytes"
            + (nul ? " and holds NUL bytes: this is no text file" : " (an unterminated quote?)")
    }

    /// Hands a record out; the first is the header, whose fields a record has.
    @inline(__always) private mutating func handOut(_ record: CSVRecord, _ body: (CSVRecord) throws -> Void) throws {
        try body(record)
        if headerFields == 0 { headerFields = record.fieldCount }
    }

    /// Ends the record whose last byte is on `lastLine`.
    private mutating func endRecord(_ body: (CSVRecord) throws -> Void, lastLine: Int) throws {
        endField()
        let blank = endCount == 1 && ends[0] == 0 && !anyQuoted && problem == nil
        if !blank {
            if tooLong { problem = problem ?? "the record is longer than \(limit) bytes (an unterminated quote?)" }
            try handOut(CSVRecord(bytes: UnsafeRawBufferPointer(start: bytes, count: count),
                                  ends: UnsafeBufferPointer(start: ends, count: endCount), line: recordLine, lastLine: lastLine,
                                  joined: joined, control: control, problem: problem), body)
        }
        count = 0
        endCount = 0
        problem = nil; anyQuoted = false; tooLong = false; joined = false; control = -1
        recordLine = line
    }

    /// Hands out the plain line at `start` where it lies: one that ends within the chunk,
    /// holds no quote and no control character, and is no longer than `limit`. Returns
    /// where the next line starts, or nil (nothing handed out) for any other line, which
    /// the state machine then reads.
    @inline(__always)
    private mutating func plainLine(_ p: UnsafePointer<UInt8>, from start: Int, count: Int, classes cls: UnsafePointer<UInt8>,
                                    c1Lead: UInt8, _ body: (CSVRecord) throws -> Void) throws -> Int? {
        let end = min(count, start &+ limit)
        endCount = 0
        // The special bytes are found 32 at a time, as the bits of a mask (fields are about
        // ten bytes: each is one bit, not ten steps of a loop that waits on every byte);
        // the last bytes before `end`, fewer than 32, one at a time.
        var block = start, mask: UInt32 = 0, scanFrom = start
        var bytewise = end &- start < 32
        if !bytewise { mask = etl_special_bytes32(p + start, delimiter, Self.quote, c1Lead) }
        while true {
            var i: Int
            if !bytewise {
                while mask == 0 {
                    block &+= 32
                    if block &+ 32 > end { bytewise = true; scanFrom = block; break }
                    mask = etl_special_bytes32(p + block, delimiter, Self.quote, c1Lead)
                }
            }
            if bytewise {
                i = scanFrom
                while i < end, cls[Int(p[i])] == 0 { i &+= 1 }
                scanFrom = i &+ 1
            } else {
                i = block &+ mask.trailingZeroBitCount
                mask &= mask &- 1
            }
            guard i < end else { endCount = 0; return nil }
            let c = p[i]
            if c == delimiter {
                if endCount == endCapacity { growEnds() }
                ends[endCount] = i &- start
                endCount += 1
            } else if c == Self.lf, i > start {
                var last = i &- start
                if last > fieldStart, p[i - 1] == Self.cr { last -= 1 }
                if endCount == endCapacity { growEnds() }
                ends[endCount] = last
                endCount += 1
                line += 1
                if endCount > 1 || last > 0 {   // else a blank line (`\r\n`): skipped
                    try handOut(CSVRecord(bytes: UnsafeRawBufferPointer(start: p + start, count: last),
                                          ends: UnsafeBufferPointer(start: ends, count: endCount), line: recordLine,
                                          lastLine: recordLine, joined: false, control: -1, problem: nil), body)
                }
                endCount = 0
                recordLine = line
                return i + 1
            } else {
                endCount = 0
                return nil   // a quote, a control character, or a blank line
            }
        }
    }

    mutating func parse(_ p: UnsafePointer<UInt8>, count: Int, classes cls: UnsafePointer<UInt8>,
                        _ body: (CSVRecord) throws -> Void) throws {
        let delimiter = self.delimiter, quote = Self.quote, lf = Self.lf, cr = Self.cr
        // In a chunk without a C1 control, its lead byte is text: the delimiter stands in.
        let c1Lead = cls[0xC2] != 0 ? 0xC2 : delimiter
        var i = 0
        while i < count {
            switch state {
            case .fieldStart:
                if self.count == 0, endCount == 0, let next = try plainLine(p, from: i, count: count, classes: cls, c1Lead: c1Lead, body) {
                    i = next
                    continue
                }
                if p[i] == quote {
                    state = .quoted; anyQuoted = true; quoteLine = line; i += 1
                } else {
                    state = .unquoted
                }
            case .unquoted:
                let s = i
                while i < count, cls[Int(p[i])] == 0 { i += 1 }
                append(p + s, i - s)
                if i == count { break }
                let c = p[i]
                i += 1
                if c == delimiter {
                    endField(); state = .fieldStart
                } else if c == lf {
                    line += 1; dropCR(); try endRecord(body, lastLine: line - 1); state = .fieldStart
                } else if c == quote {
                    // A quote inside an unquoted field: keep reading to the line end.
                    if problem == nil { problem = "a quote inside an unquoted field (field \(endCount + 1))" }
                    appendByte(c)
                } else {
                    appendSpecial(c, before: i, p, count: count)
                }
            case .quoted:
                let s = i
                let quoted = cls + 256
                while i < count, quoted[Int(p[i])] == 0 { i += 1 }
                append(p + s, i - s)
                if i == count { break }
                let c = p[i]
                i += 1
                if c == quote {
                    state = .quoteSeen
                } else if c == lf {
                    line += 1
                    appendByte(c)
                    if line - quoteLine + 1 > maxFieldLines { throw fieldTooLong() }
                } else {
                    appendSpecial(c, before: i, p, count: count)
                }
            case .quoteSeen:
                let c = p[i]
                i += 1
                if c == quote {
                    appendByte(quote); state = .quoted
                } else if c == delimiter {
                    endField(); state = .fieldStart
                } else if c == lf {
                    line += 1; try endRecord(body, lastLine: line - 1); state = .fieldStart
                } else if c == cr {
                    state = .quoteCR
                } else {
                    if problem == nil { problem = "text after the closing quote of field \(endCount + 1)" }
                    if line > quoteLine { joined = true }
                    if cls[Int(c)] != 0 { appendSpecial(c, before: i, p, count: count) } else { appendByte(c) }
                    state = .unquoted
                }
            case .quoteCR:
                if p[i] == lf {
                    i += 1; line += 1; try endRecord(body, lastLine: line - 1); state = .fieldStart
                } else {
                    if problem == nil { problem = "text after the closing quote of field \(endCount + 1)" }
                    if line > quoteLine { joined = true }
                    appendByte(cr); state = .unquoted
                }
            }
        }
    }

    /// At the end of the file: the last record may lack its line end. A quote still open
    /// stops the file: it has swallowed every line after it.
    mutating func finish(_ body: (CSVRecord) throws -> Void) throws {
        switch state {
        case .quoted:
            throw ExtractError.unclosedQuote(file: path, line: quoteLine, within: nil)
        case .fieldStart where endCount == 0 && count == 0 && !anyQuoted:
            break   // the file ended with a line end
        case .unquoted:
            dropCR(); try endRecord(body, lastLine: line)
        default:
            try endRecord(body, lastLine: line)
        }
    }
}
