import CGlibcExtras
import Crypto
import Pipeline

/// Turns a CPR number into the child key: HMAC-SHA-256 of the normalised ten digits under
/// the secret key, in lowercase hex. The same key gives the same child key night after night.
///
/// A child appears in many rows, so child keys are cached per CPR number for the run, and
/// the last one asked for is kept aside (exports list a child's rows together).
/// The lookup is what costs (a cache miss a row), so the table is small: 8-byte slots,
/// each the CPR number (34 bits) and the index of its hex key (the bits above), in open
/// addressing; the hex keys lie in one array, 64 bytes each. A row asks for its slot early
/// (`prefetch`), so the miss overlaps with the row's other checks. The HMAC is keyed once
/// (`KeyedSHA256`). At most `maxCached` children are kept (about 80 bytes each); when
/// full the cache is emptied, so memory stays bounded whatever the drop.
///
/// A value, mutated in place by the one thread that owns it: as a class, every access to its
/// tables was checked for exclusivity at run time, 3 % of a national extract.
struct Pseudonymiser {
    private let keyed: KeyedSHA256
    let maxCached: Int
    private(set) var computed = 0
    /// 0: empty (no valid CPR number is 0); else `cpr | index << 34`.
    private var slots: [UInt64]
    private var hexes: [SIMD64<UInt8>] = []
    /// The child asked for last (number 0: none).
    private var last: (number: UInt64, hex: SIMD64<UInt8>) = (0, SIMD64())
    /// Table lookups and how many found their child. An export sorted by child finds none
    /// (its repeats are the row before's, `last`): then the table is only a cache miss and an
    /// insert a row, and is left for the rest of the file (`bypassed`).
    private var lookups = 0, hits = 0
    private var bypassed = false
    private static let trial = 1 << 16
    private static let cprBits: UInt64 = 34, cprMask: UInt64 = (1 << 34) - 1

    init(key: SymmetricKey, maxCached: Int = 1 << 19) {
        keyed = KeyedSHA256(key: key)
        self.maxCached = maxCached
        slots = Array(repeating: 0, count: 1 << 12)
    }

    /// Starts loading the child's slot, without waiting for it.
    @inline(__always) func prefetch(_ cpr: CPR) {
        guard !bypassed else { return }
        slots.withUnsafeBufferPointer { etl_prefetch($0.baseAddress! + slotHash(cpr.number, mask: $0.count - 1)) }
    }

    /// The child key, as the 64 ASCII bytes of its hex.
    mutating func childKeyHex(_ cpr: CPR) -> SIMD64<UInt8> {
        // Exports come sorted by child or by case: most rows name the child of the row before.
        if cpr.number == last.number { return last.hex }
        let hex = bypassed ? compute(cpr) : lookUp(cpr)
        last = (cpr.number, hex)
        return hex
    }

    private mutating func lookUp(_ cpr: CPR) -> SIMD64<UInt8> {
        lookups += 1
        if lookups == Self.trial, hits * 50 < lookups {   // under 2 % found: the table does not pay
            bypassed = true
            slots = []; hexes = []
            return compute(cpr)
        }
        let mask = slots.count - 1
        var i = slotHash(cpr.number, mask: mask)
        while true {
            let s = slots[i]
            if s == 0 { break }
            if s & Self.cprMask == cpr.number { hits += 1; return hexes[Int(s >> Self.cprBits)] }
            i = (i + 1) & mask
        }
        let hex = compute(cpr)
        if hexes.count >= maxCached {
            for k in slots.indices { slots[k] = 0 }
            hexes.removeAll(keepingCapacity: true)
            return hex   // the next lookup starts the table anew
        }
        slots[i] = cpr.number | UInt64(hexes.count) << Self.cprBits
        hexes.append(hex)
        if hexes.count * 2 > slots.count { grow() }
        return hex
    }

    mutating func childKey(_ cpr: CPR) -> String { Self.string(childKeyHex(cpr)) }

    private mutating func compute(_ cpr: CPR) -> SIMD64<UInt8> {
        computed += 1
        return Self.hex(cpr.withNormalised { keyed.code($0) })
    }

    /// Lowercase hex of 32 bytes. Each digit is computed, not looked up in a static table:
    /// a static is a lazy global whose once-token is checked on each use.
    static func hex(_ code: SIMD32<UInt8>) -> SIMD64<UInt8> {
        @inline(__always) func digit(_ n: UInt8) -> UInt8 { n &+ (n > 9 ? 87 : 48) }
        var hex = SIMD64<UInt8>()
        // Through raw bytes: SIMD subscripts are slow in debug builds, which tests use, and
        // SIMD64's lane-wise operators are not specialised (one was 70 % of an extract).
        withUnsafeMutableBytes(of: &hex) { out in
            withUnsafeBytes(of: code) { code in
                for k in 0..<32 {
                    out[2 &* k] = digit(code[k] &>> 4)
                    out[2 &* k &+ 1] = digit(code[k] & 0x0F)
                }
            }
        }
        return hex
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        let mask = slots.count - 1
        for s in old where s != 0 {
            var i = slotHash(s & Self.cprMask, mask: mask)
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = s
        }
    }

    static func string(_ hex: SIMD64<UInt8>) -> String {
        withUnsafeBytes(of: hex) { String(decoding: $0, as: UTF8.self) }
    }

    /// The child key without a cache: the definition (swift-crypto's `HMAC`), for tests and one-off use.
    static func childKey(_ cpr: CPR, key: SymmetricKey) -> String {
        Hex.string(HMAC<SHA256>.authenticationCode(for: cpr.normalised, using: key))
    }
}
