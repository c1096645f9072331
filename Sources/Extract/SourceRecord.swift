import Pipeline

/// One record of an export with its fields in the contract's order (`SourceKind.fields`),
/// whatever the export's own column order or XML layout: what the validators read.
struct SourceRecord {
    /// The CSV physical line where the record starts, or the XML record element's index.
    var line: Int
    /// Why the record could not even be split into fields; nil when it could.
    var problem: (reason: RejectReason, message: String)?
    var bytes: [UInt8]
    var ends: [Int]
    /// Contract field → index into `ends`; -1 when the record does not have it.
    var columns: [Int]

    /// The bytes of contract field `i`, without surrounding white space; nil when empty or absent.
    func value(_ i: Int) -> ArraySlice<UInt8>? {
        let k = columns[i]
        guard k >= 0, k < ends.count else { return nil }
        var s = k == 0 ? 0 : ends[k - 1]
        var e = ends[k]
        while s < e, Self.isSpace(bytes[s]) { s += 1 }
        while e > s, Self.isSpace(bytes[e - 1]) { e -= 1 }
        return s == e ? nil : bytes[s..<e]
    }

    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
}
