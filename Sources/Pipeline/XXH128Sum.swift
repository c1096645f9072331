import CXXHash

/// XXH3-128 in hex, as `xxh128sum` prints it: the checksum of every stage file. Stage files
/// are checksummed to tell one writing from another and a file changed since, which needs
/// no cryptographic hash; SHA-256 of them was a tenth of extract's CPU (docs/benchmarks.md).
package struct XXH128Sum: ~Copyable {
    private let state: OpaquePointer

    package init() {
        guard let state = XXH3_createState() else { fatalError("out of memory for an XXH3 state") }
        XXH3_128bits_reset(state)
        self.state = state
    }

    deinit { XXH3_freeState(state) }

    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        XXH3_128bits_update(state, bytes.baseAddress, bytes.count)
    }

    /// The canonical (big-endian) form `xxh128sum` prints.
    package func hex() -> String {
        var canonical = XXH128_canonical_t()
        XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(state))
        return withUnsafeBytes(of: canonical.digest) { Hex.string($0) }
    }

    /// The checksum of a file, read in chunks.
    package static func file(_ path: String) throws(StageFileError) -> String {
        var sum = XXH128Sum()
        try FileChunks.forEach(in: path) { sum.update($0) }
        return sum.hex()
    }
}
