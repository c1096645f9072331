import Foundation

/// Maps byte strings (child keys, case ids) to dense `Int32` ids in first-seen order.
///
/// Millions of records name a few hundred thousand children; keeping each key once in
/// one byte arena with an open-addressing table avoids a String and a dictionary node per
/// record, and lets ids be ranked by plain byte order (the order of every output file).
struct ByteInterner: Sendable {
    private(set) var arena: [UInt8] = []
    private(set) var starts: [Int] = [0]
    /// Each key's hash, so growing the table never rereads the arena.
    private var hashes: [UInt64] = []
    /// Slots: 0 empty, else the hash's high 32 bits << 32 | (id + 1), so most misses are
    /// told apart without touching the arena.
    private var table = [UInt64](repeating: 0, count: 1024)
    /// Records of one child often come together: the last id is checked first.
    private var last: Int32 = -1

    var count: Int { starts.count - 1 }

    /// The id of `key`, adding it when new.
    mutating func intern(_ key: UnsafeRawBufferPointer) -> (id: Int32, isNew: Bool) {
        if last >= 0, equals(Int(last), key) { return (last, false) }
        let h = Self.hash(key)
        let tag = h >> 32
        let mask = table.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = table[slot]
            if entry == 0 { break }
            if entry >> 32 == tag {
                let id = Int32(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                if equals(Int(id), key) { last = id; return (id, false) }
            }
            slot = (slot + 1) & mask
        }
        let id = Int32(count)
        arena.append(contentsOf: key)
        starts.append(arena.count)
        hashes.append(h)
        table[slot] = tag << 32 | UInt64(id + 1)
        if count * 2 > table.count { grow() }
        last = id
        return (id, true)
    }

    /// The id of `key` if present; never adds.
    func find(_ key: UnsafeRawBufferPointer) -> Int32? {
        let h = Self.hash(key)
        let mask = table.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = table[slot]
            if entry == 0 { return nil }
            if entry >> 32 == h >> 32 {
                let id = Int32(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                if equals(Int(id), key) { return id }
            }
            slot = (slot + 1) & mask
        }
    }

    mutating func intern(_ key: String) -> (id: Int32, isNew: Bool) {
        var key = key
        return key.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    func string(_ id: Int) -> String {
        String(decoding: arena[starts[id]..<starts[id + 1]], as: UTF8.self)
    }

    /// Ids sorted by their keys' bytes. Sorts on an 8-byte big-endian prefix and compares
    /// whole keys only on equal prefixes: random keys almost never share 8 bytes.
    func idsInByteOrder() -> [Int32] {
        arena.withUnsafeBytes { bytes -> [Int32] in
            starts.withUnsafeBufferPointer { s -> [Int32] in
                var items = (0..<count).map { i -> (prefix: UInt64, id: Int32) in
                    var p: UInt64 = 0
                    let n = min(8, s[i + 1] - s[i])
                    for k in 0..<8 { p = p << 8 | (k < n ? UInt64(bytes[s[i] + k]) : 0) }
                    return (p, Int32(i))
                }
                items.sort { a, b in
                    if a.prefix != b.prefix { return a.prefix < b.prefix }
                    let (i, j) = (Int(a.id), Int(b.id))
                    return compareBytes(bytes.baseAddress! + s[i], s[i + 1] - s[i],
                                        bytes.baseAddress! + s[j], s[j + 1] - s[j]) < 0
                }
                return items.map(\.id)
            }
        }
    }

    /// The keys in the given order, as a table.
    func table(in order: [Int32]) -> TextTable {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(arena.count)
        var out = [0]
        out.reserveCapacity(order.count + 1)
        for id in order {
            bytes.append(contentsOf: arena[starts[Int(id)]..<starts[Int(id) + 1]])
            out.append(bytes.count)
        }
        return TextTable(bytes: bytes, starts: out)
    }

    /// memcmp-style comparison of key `i` here with key `j` of `other`.
    func compare(_ i: Int, with other: ByteInterner, _ j: Int) -> Int32 {
        arena.withUnsafeBytes { a in
            other.arena.withUnsafeBytes { b in
                compareBytes(a.baseAddress.map { $0 + starts[i] } ?? UnsafeRawPointer(bitPattern: 1)!, starts[i + 1] - starts[i],
                             b.baseAddress.map { $0 + other.starts[j] } ?? UnsafeRawPointer(bitPattern: 1)!,
                             other.starts[j + 1] - other.starts[j])
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
        var bigger = [UInt64](repeating: 0, count: table.count * 2)
        let mask = bigger.count - 1
        for (id, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h) & mask
            while bigger[slot] != 0 { slot = (slot + 1) & mask }
            bigger[slot] = (h >> 32) << 32 | UInt64(id + 1)
        }
        table = bigger
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
