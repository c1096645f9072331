import Pipeline

/// One record of an export with its fields in the contract's order (`SourceKind.fields`),
/// whatever the export's own column order or XML layout: what the validators read. The
/// columns a row filter reads follow the contract's fields.
struct SourceRecord {
    /// The CSV physical line where the record starts, or the XML record element's index.
    var line: Int
    /// Why the record could not even be split into fields; nil when it could.
    var problem: (reason: RejectReason, message: String)?
    var bytes: [UInt8]
    var ends: [Int]
    /// Contract field (then filter column) → index into `ends`; -1 when the record does not have it.
    var columns: [Int]
    /// The offset in `bytes` of the first control character (`CSVParseState.isControl`); -1: none.
    var control = -1

    /// The bytes of contract field `i`, without surrounding white space; nil when empty or absent.
    func value(_ i: Int) -> ArraySlice<UInt8>? {
        range(i).map { bytes[$0] }
    }

    /// Where `value(i)` lies in `bytes`.
    @inline(__always) func range(_ i: Int) -> Range<Int>? {
        let k = columns[i]
        guard k >= 0, k < ends.count else { return nil }
        var s = k == 0 ? 0 : ends[k - 1]
        var e = ends[k]
        while s < e, Self.isSpace(bytes[s]) { s += 1 }
        while e > s, Self.isSpace(bytes[e - 1]) { e -= 1 }
        return s == e ? nil : s..<e
    }

    /// `parse` of field `i`'s value (nil when empty or absent) read in place: no slice is made,
    /// so nothing is retained, for the fields that are only read (CPR numbers, dates).
    @inline(__always) func read<T>(_ i: Int, _ parse: (UnsafeRawBufferPointer?) -> T) -> T {
        guard let r = range(i) else { return parse(nil) }
        return bytes.withUnsafeBytes { parse(UnsafeRawBufferPointer(rebasing: $0[r])) }
    }

    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    /// The first of the first `count` columns (the contract's fields) holding a control
    /// character, and the character; nil when none does. A control character in a column
    /// the pipeline does not read is harmless: it goes nowhere.
    func controlField(among count: Int) -> (field: Int, byte: UInt8, offset: Int)? {
        guard control >= 0 else { return nil }
        for i in 0..<count {
            let k = columns[i]
            guard k >= 0, k < ends.count else { continue }
            let s = k == 0 ? 0 : ends[k - 1]
            for o in s..<ends[k] where CSVParseState.isControl(bytes[o]) { return (i, bytes[o], o - s + 1) }
        }
        return nil
    }

    /// Whether any of the contract fields `fields` holds a CPR-shaped number (`CPRInText`):
    /// one pass over the record's buffer, no slice made per field.
    func holdsCPRNumber(in fields: [Int]) -> Bool {
        bytes.withUnsafeBufferPointer { p in
            for i in fields {
                let k = columns[i]
                guard k >= 0, k < ends.count else { continue }
                let s = k == 0 ? 0 : ends[k - 1], e = ends[k]
                if e - s >= 10, CPRInText.first(in: UnsafeBufferPointer(rebasing: p[s..<e])) != nil { return true }
            }
            return false
        }
    }

    /// Replaces field `i`'s value: the new bytes go to the end of the buffer (nil: absent).
    mutating func replace(_ i: Int, with value: [UInt8]?) {
        guard let value else { columns[i] = -1; return }
        if (ends.last ?? 0) != bytes.count { ends.append(bytes.count) }   // bytes no field holds
        bytes.append(contentsOf: value)
        columns[i] = ends.count
        ends.append(bytes.count)
    }
}
