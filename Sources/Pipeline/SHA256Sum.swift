import Crypto
import Foundation

/// SHA-256 (swift-crypto) in hex, as `sha256sum` prints it: the checksum of the exports
/// (the drop's MANIFEST gives the same), of the drop and of the pipeline file.
package struct SHA256Sum {
    private var hasher = SHA256()

    package init() {}

    package mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
    package mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) } }
    package mutating func update(_ data: Data) { hasher.update(data: data) }

    package func hex() -> String { Hex.string(hasher.finalize()) }

    /// The checksum of a file, read in chunks.
    package static func file(_ path: String) throws(StageFileError) -> String {
        var sum = SHA256Sum()
        try FileChunks.forEach(in: path) { sum.update($0) }
        return sum.hex()
    }
}
