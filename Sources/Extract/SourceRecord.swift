import Pipeline

/// One record of an export with its fields in the contract's order (`SourceKind.fields`),
/// whatever the export's own column order or XML layout: what the validators read. The
/// columns a row filter reads follow the contract's fields.
///
/// A view of its reader's buffers, valid only during the call that hands it out (and so are
/// the values read from it): two million records a night cost no allocation and no reference
/// counting (docs/benchmarks.md). `EditedRecord` is a copy to change.
struct SourceRecord {
    /// The CSV physical line where the record starts, or the XML record element's index.
    var line: Int
    /// Why the record could not even be split into fields; nil when it could.
    var problem: (reason: RejectReason, message: String)?
    /// The fields' bytes in order, one byte apart: field `k` is `start(k)..<ends[k]`.
    var bytes: UnsafeRawBufferPointer
    var ends: UnsafeBufferPointer<Int>
    /// Contract field (then filter column) → index into `ends`; -1 when the record does not have it.
    var columns: UnsafeBufferPointer<Int>
    /// The offset in `bytes` of the first control character, or of a byte that may start one
    /// (`CSVParseState.c1Control`); -1: none.
    var control = -1

    /// A record of no fields: for lines that could not be read at all.
    static func empty(line: Int, problem: (reason: RejectReason, message: String), columns: UnsafeBufferPointer<Int>) -> SourceRecord {
        SourceRecord(line: line, problem: problem, bytes: UnsafeRawBufferPointer(start: nil, count: 0),
                     ends: UnsafeBufferPointer(start: nil, count: 0), columns: columns)
    }

    /// The bytes of contract field `i`, without surrounding white space; nil when empty or absent.
    /// Inlined with `range`: seven calls a record, seventeen million a national night.
    @inline(__always)
    func value(_ i: Int) -> UnsafeRawBufferPointer? {
        range(i).map { UnsafeRawBufferPointer(rebasing: bytes[$0]) }
    }

    /// Where field `k` (an index into `ends`) starts in `bytes`.
    @inline(__always) func start(_ k: Int) -> Int { k == 0 ? 0 : ends[k - 1] + 1 }

    /// Where `value(i)` lies in `bytes`.
    @inline(__always)
    func range(_ i: Int) -> Range<Int>? {
        let k = columns[i]
        guard k >= 0, k < ends.count else { return nil }
        let r = Self.trimmed(start(k)..<ends[k], in: bytes)
        return r.isEmpty ? nil : r
    }

    /// `r` without the white space around its bytes in `bytes`.
    @inline(__always)
    static func trimmed(_ r: Range<Int>, in bytes: UnsafeRawBufferPointer) -> Range<Int> {
        var s = r.lowerBound, e = r.upperBound
        while s < e, isSpace(bytes[s]) { s += 1 }
        while e > s, isSpace(bytes[e - 1]) { e -= 1 }
        return s..<e
    }

    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    /// The first of the first `count` columns (the contract's fields) holding a control
    /// character (C0 or C1), the character's code and its byte offset; nil when none does.
    /// A control character in a column the pipeline does not read is harmless: it goes nowhere.
    func controlField(among count: Int) -> (field: Int, code: UInt8, offset: Int)? {
        guard control >= 0 else { return nil }
        for i in 0..<count {
            let k = columns[i]
            guard k >= 0, k < ends.count else { continue }
            let s = start(k)
            if let o = CSVParseState.firstControl(bytes, from: s, end: ends[k]) {
                return (i, CSVParseState.c1Control(bytes, at: o, end: ends[k]) ?? bytes[o], o - s + 1)
            }
        }
        return nil
    }

    /// Whether any of the contract fields `fields` holds a CPR-shaped number (`CPRInText`):
    /// one pass over the record's buffer, no slice made per field. A field's text that was
    /// found clean in the record before (`clean`) is not searched again.
    func holdsCPRNumber(in fields: [Int], clean: inout CleanTexts) -> Bool {
        for (n, i) in fields.enumerated() {
            let k = columns[i]
            guard k >= 0, k < ends.count else { continue }
            let s = start(k), e = ends[k]
            guard e - s >= 9 else { continue }
            let text = UnsafeRawBufferPointer(rebasing: bytes[s..<e])
            if clean.holds(text, at: n) { continue }
            if CPRInText.first(in: text.assumingMemoryBound(to: UInt8.self), lostLeadingZero: true) != nil { return true }
            clean.keep(text, at: n)
        }
        return false
    }
}

/// Per text field, the last text of at most 16 bytes found to hold no CPR number: exports
/// list a case's rows together, so a case id is searched once rather than once a row.
struct CleanTexts {
    /// Per field: the text's first and last eight bytes, and its length (0: none).
    private var texts: [(head: UInt64, tail: UInt64, count: Int)]

    init(fields: Int) { texts = Array(repeating: (0, 0, 0), count: fields) }

    @inline(__always)
    func holds(_ text: UnsafeRawBufferPointer, at field: Int) -> Bool {
        guard let key = Self.key(text) else { return false }
        let t = texts[field]
        return t.count == text.count && t.head == key.head && t.tail == key.tail
    }

    @inline(__always)
    mutating func keep(_ text: UnsafeRawBufferPointer, at field: Int) {
        guard let key = Self.key(text) else { return }
        texts[field] = (key.head, key.tail, text.count)
    }

    /// Two eight-byte loads that overlap: the whole text when it has 8 to 16 bytes.
    @inline(__always)
    private static func key(_ text: UnsafeRawBufferPointer) -> (head: UInt64, tail: UInt64)? {
        guard (8...16).contains(text.count), let p = text.baseAddress else { return nil }
        return (p.loadUnaligned(as: UInt64.self), p.loadUnaligned(fromByteOffset: text.count - 8, as: UInt64.self))
    }
}

/// A copy of a record whose values the extraction changes (CPR numbers in text fields, value
/// maps): rare, so it may cost what arrays cost.
struct EditedRecord {
    private let line: Int
    private let control: Int
    private var bytes: [UInt8]
    private var ends: [Int]
    private var columns: [Int]

    init(_ r: SourceRecord) {
        line = r.line
        control = r.control
        bytes = Array(r.bytes)
        ends = Array(r.ends)
        columns = Array(r.columns)
    }

    /// `body` with the record as it now is.
    func withView<R>(_ body: (SourceRecord) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { b in
            try ends.withUnsafeBufferPointer { e in
                try columns.withUnsafeBufferPointer { c in
                    try body(SourceRecord(line: line, problem: nil, bytes: b, ends: e, columns: c, control: control))
                }
            }
        }
    }

    /// `SourceRecord.value`, as a copy.
    func value(_ i: Int) -> ArraySlice<UInt8>? {
        withView { $0.range(i) }.map { bytes[$0] }
    }

    /// Replaces field `i`'s value: the new bytes go to the end of the buffer, as a field of
    /// their own one byte past the last (nil: absent).
    mutating func replace(_ i: Int, with value: [UInt8]?) {
        guard let value else { columns[i] = -1; return }
        if let last = ends.last {
            bytes.removeSubrange(min(last, bytes.count)...)
            bytes.append(0x20)
        }
        bytes.append(contentsOf: value)
        columns[i] = ends.count
        ends.append(bytes.count)
    }
}
