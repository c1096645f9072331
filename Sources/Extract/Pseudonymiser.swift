import Crypto
import Pipeline

/// Turns a CPR number into the child key: HMAC-SHA-256 of the normalised ten digits under
/// the secret key, in hex. The same key gives the same child key night after night.
///
/// HMAC is the costliest step per row and a child appears in many rows, so keys are cached
/// per CPR number for the run; the cache is emptied when it reaches `maxCached` entries to
/// keep memory bounded (about 100 MB at the limit).
final class Pseudonymiser {
    private let key: SymmetricKey
    private var cache: [UInt64: String] = [:]
    let maxCached: Int
    private(set) var computed = 0

    init(key: SymmetricKey, maxCached: Int = 1 << 19) {
        self.key = key
        self.maxCached = maxCached
    }

    func childKey(_ cpr: CPR) -> String {
        if let known = cache[cpr.number] { return known }
        let value = Self.childKey(cpr, key: key)
        computed += 1
        if cache.count >= maxCached { cache.removeAll(keepingCapacity: true) }
        cache[cpr.number] = value
        return value
    }

    static func childKey(_ cpr: CPR, key: SymmetricKey) -> String {
        Hex.string(HMAC<SHA256>.authenticationCode(for: cpr.normalised, using: key))
    }
}
