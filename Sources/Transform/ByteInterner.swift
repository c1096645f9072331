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

    /// Ids sorted by their keys' bytes.
    func idsInByteOrder() -> [Int32] { sortedByBytes().map(\.id) }

    /// Ids sorted by their keys' bytes, each with its key's first 8 bytes (big-endian, zero
    /// padded): sorted on that prefix, whole keys compared only on equal prefixes, as random
    /// keys almost never share 8 bytes.
    func sortedByBytes() -> [(prefix: UInt64, id: Int32)] {
        withKeys { keys in
            var items = (0..<count).map { i in (prefix: Self.prefix(keys[i]), id: Int32(i)) }
            items.sort { a, b in a.prefix != b.prefix ? a.prefix < b.prefix : keys.compare(Int(a.id), with: keys, Int(b.id)) < 0 }
            return items
        }
    }

    /// The first 8 bytes of `key` as a big-endian number, zero padded: ordered as the keys are.
    static func prefix(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var p: UInt64 = 0
        for k in 0..<8 { p = p << 8 | (k < key.count ? UInt64(key[k]) : 0) }
        return p
    }

    /// The keys in the given order, as a table.
    func table(in order: [Int32]) -> TextTable {
        withKeys { keys in TextTable.gathering(order.count, bytes: arena.count) { keys[Int(order[$0])] } }
    }

    /// `body` with the keys as raw bytes: for loops over millions of them.
    func withKeys<R>(_ body: (Keys) -> R) -> R {
        arena.withUnsafeBytes { a in starts.withUnsafeBufferPointer { s in body(Keys(arena: a, starts: s)) } }
    }

    /// The keys, valid inside `withKeys`.
    struct Keys {
        let arena: UnsafeRawBufferPointer
        let starts: UnsafeBufferPointer<Int>

        subscript(id: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: arena[starts[id]..<starts[id + 1]])
        }

        /// memcmp-style comparison of key `i` here with key `j` of `other`.
        func compare(_ i: Int, with other: Keys, _ j: Int) -> Int32 {
            let (x, y) = (self[i], other[j])
            return compareBytes(x.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, x.count,
                                y.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, y.count)
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
