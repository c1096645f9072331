import Foundation

/// Texts by id (child keys, case ids), stored once in one byte arena: a million keys
/// cost their bytes, not a million String objects, and the writer copies them as bytes.
package struct TextTable: RandomAccessCollection, Sendable {
    let bytes: [UInt8]
    /// Text i is `bytes[starts[i]..<starts[i+1]]`.
    let starts: [Int]

    init(bytes: [UInt8], starts: [Int]) { self.bytes = bytes; self.starts = starts }

    package init(_ texts: [String]) {
        var bytes: [UInt8] = []
        var starts = [0]
        for t in texts { bytes.append(contentsOf: t.utf8); starts.append(bytes.count) }
        self.init(bytes: bytes, starts: starts)
    }

    init(texts: [[UInt8]]) {
        var starts = [0]
        for t in texts { starts.append(starts.last! + t.count) }
        self.init(bytes: Array(texts.joined()), starts: starts)
    }

    /// `count` texts, text i `piece(i)`, `bytes` at most in all: one allocation, a copy a text.
    static func gathering(_ count: Int, bytes capacity: Int, _ piece: (Int) -> UnsafeRawBufferPointer) -> TextTable {
        var starts = [Int](repeating: 0, count: count + 1)
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { out, filled in
            var at = 0
            for i in 0..<count {
                let p = piece(i)
                precondition(at + p.count <= capacity, "TextTable.gathering: more bytes than said")
                if p.count > 0, let base = p.baseAddress { (out.baseAddress! + at).initialize(from: base.assumingMemoryBound(to: UInt8.self), count: p.count) }
                at += p.count
                starts[i + 1] = at
            }
            filled = at
        }
        return TextTable(bytes: bytes, starts: starts)
    }

    package var startIndex: Int { 0 }
    package var endIndex: Int { starts.count - 1 }

    package subscript(i: Int) -> String {
        String(decoding: bytes[starts[i]..<starts[i + 1]], as: UTF8.self)
    }

    /// Whether any text holds a byte COPY text must escape (keys normally never do).
    var needsEscaping: Bool { bytes.contains { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D } }
}

/// Compares two byte ranges as memcmp does, the shorter first on a common prefix.
@inline(__always)
func compareBytes(_ a: UnsafeRawPointer, _ la: Int, _ b: UnsafeRawPointer, _ lb: Int) -> Int32 {
    let n = min(la, lb)
    let c = n == 0 ? 0 : memcmp(a, b, n)
    return c != 0 ? c : (la < lb ? -1 : (la > lb ? 1 : 0))
}
