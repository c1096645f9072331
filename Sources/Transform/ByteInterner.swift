import Foundation

/// Maps byte strings (child keys, case ids) to dense `Int32` ids in first-seen order.
///
/// Millions of records name a few hundred thousand children; keeping each key once, in one
/// byte arena with an open-addressing table, avoids a String and a dictionary node per
/// record, and lets ids be ranked by plain byte order (the order of every output file).
struct ByteInterner: Sendable {
    private var arena: [UInt8] = []
    private var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    private var table: [Int32] = Array(repeating: -1, count: 1024)  // id, or -1 when empty

    var count: Int { hashes.count }

    /// The id of `key`, adding it when new.
    mutating func intern(_ key: UnsafeRawBufferPointer) -> (id: Int32, isNew: Bool) {
        let h = Self.hash(key)
        var slot = Int(truncatingIfNeeded: h) & (table.count - 1)
        while true {
            let id = table[slot]
            if id < 0 { break }
            if hashes[Int(id)] == h && equals(Int(id), key) { return (id, false) }
            slot = (slot + 1) & (table.count - 1)
        }
        let id = Int32(count)
        arena.append(contentsOf: key)
        starts.append(arena.count)
        hashes.append(h)
        table[slot] = id
        if count * 2 > table.count { grow() }
        return (id, true)
    }

    mutating func intern(_ key: String) -> (id: Int32, isNew: Bool) {
        var key = key
        return key.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// Adds every key of `other`; returns the id here of each of its ids.
    mutating func absorb(_ other: ByteInterner) -> [Int32] {
        other.arena.withUnsafeBytes { bytes in
            (0..<other.count).map { i in
                intern(UnsafeRawBufferPointer(rebasing: bytes[other.starts[i]..<other.starts[i + 1]])).id
            }
        }
    }

    func string(_ id: Int) -> String {
        String(decoding: arena[starts[id]..<starts[id + 1]], as: UTF8.self)
    }

    /// Ids sorted by their keys' bytes (memcmp order, shorter prefix first).
    func idsInByteOrder() -> [Int32] {
        arena.withUnsafeBytes { bytes in
            let base = bytes.baseAddress
            return starts.withUnsafeBufferPointer { s in
                (0..<Int32(count)).sorted { a, b in
                    let (a0, a1, b0, b1) = (s[Int(a)], s[Int(a) + 1], s[Int(b)], s[Int(b) + 1])
                    let la = a1 - a0, lb = b1 - b0
                    let c = la == 0 || lb == 0 ? 0 : memcmp(base! + a0, base! + b0, min(la, lb))
                    return c != 0 ? c < 0 : la < lb
                }
            }
        }
    }

    private func equals(_ id: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let (s, e) = (starts[id], starts[id + 1])
        guard e - s == key.count else { return false }
        guard key.count > 0 else { return true }
        return arena.withUnsafeBytes { memcmp($0.baseAddress! + s, key.baseAddress!, key.count) == 0 }
    }

    private mutating func grow() {
        table = Array(repeating: -1, count: table.count * 2)
        let mask = table.count - 1
        for id in 0..<count {
            var slot = Int(truncatingIfNeeded: hashes[id]) & mask
            while table[slot] >= 0 { slot = (slot + 1) & mask }
            table[slot] = Int32(id)
        }
    }

    /// A fast 64-bit hash, 8 bytes at a time, finished with a full-avalanche mix.
    private static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(key.count)
        var i = 0
        if let p = key.baseAddress {
            while i + 8 <= key.count {
                h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
                h = (h << 31) | (h >> 33)
                i += 8
            }
            var tail: UInt64 = 0
            while i < key.count { tail = (tail << 8) | UInt64(p.load(fromByteOffset: i, as: UInt8.self)); i += 1 }
            h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        }
        h ^= h >> 30; h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 27; h = h &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }
}

/// Plain byte-wise comparison of UTF-8 text, the order `metrics.md` asks for institution
/// numbers ("compared as text") and the order of every output file.
@inline(__always)
func bytewiseLess(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}
