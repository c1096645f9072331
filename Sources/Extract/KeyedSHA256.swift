import CLibCrypto
import Crypto

/// HMAC-SHA-256 (RFC 2104) under one key, for a million short messages a run: the key's
/// padded blocks are hashed once, and a message costs two SHA-256 compressions.
///
/// On OpenSSL's `SHA256_CTX`, a plain struct: a keyed state is copied by value. swift-crypto's
/// `SHA256` keeps its state in a class, so every copy of a keyed state allocated, copied and
/// zeroed a context, and `HMAC` adds `DataProtocol` generics on top: 0.40 CPU-s of a national
/// extract against 0.12 here (docs/benchmarks.md). `PseudonymiserTests` hold it equal to
/// swift-crypto's `HMAC`.
struct KeyedSHA256 {
    private var inner = SHA256_CTX(), outer = SHA256_CTX()

    init(key: SymmetricKey) {
        var block = key.withUnsafeBytes { Array($0) }
        if block.count > SHA256.blockByteCount { block = Array(SHA256.hash(data: block)) }
        block += Array(repeating: 0, count: SHA256.blockByteCount - block.count)
        SHA256_Init(&inner)
        SHA256_Init(&outer)
        SHA256_Update(&inner, block.map { $0 ^ 0x36 }, block.count)
        SHA256_Update(&outer, block.map { $0 ^ 0x5C }, block.count)
    }

    /// The 32 bytes of the code.
    func code(_ message: UnsafeRawBufferPointer) -> SIMD32<UInt8> {
        var inner = self.inner, outer = self.outer
        var digest = SIMD32<UInt8>()
        withUnsafeMutableBytes(of: &digest) { d in
            let p = d.baseAddress!.assumingMemoryBound(to: UInt8.self)
            if message.count <= Self.lastBlockRoom {   // a CPR number: each hash ends in one block
                Self.finish(&inner, with: message, totalBytes: 64 + message.count, into: p)
                Self.finish(&outer, with: UnsafeRawBufferPointer(start: p, count: 32), totalBytes: 96, into: p)
            } else {
                SHA256_Update(&inner, message.baseAddress, message.count)
                SHA256_Final(p, &inner)
                SHA256_Update(&outer, p, 32)
                SHA256_Final(p, &outer)
            }
        }
        return digest
    }

    /// The most bytes a last block holds beside SHA-256's padding (0x80 and the bit length).
    private static let lastBlockRoom = 55

    /// Pads `bytes`, the end of a message of `totalBytes` whose whole blocks are in `context`,
    /// compresses the block and writes the digest to `out` (which `bytes` may be). What
    /// `SHA256_Final` does, without its general bookkeeping and zeroing: these were a tenth
    /// of the child keys' cost (docs/benchmarks.md).
    private static func finish(_ context: inout SHA256_CTX, with bytes: UnsafeRawBufferPointer, totalBytes: Int,
                               into out: UnsafeMutablePointer<UInt8>) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { block in
            block.initialize(repeating: 0)
            if let source = bytes.baseAddress { block.baseAddress!.update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count) }
            block[bytes.count] = 0x80
            UnsafeMutableRawPointer(block.baseAddress! + 56).storeBytes(of: UInt64(totalBytes * 8).bigEndian, as: UInt64.self)
            SHA256_Transform(&context, block.baseAddress)
        }
        withUnsafeBytes(of: context.h) { h in
            for k in 0..<8 {
                UnsafeMutableRawPointer(out + 4 * k).storeBytes(of: h.load(fromByteOffset: 4 * k, as: UInt32.self).bigEndian,
                                                                as: UInt32.self)
            }
        }
    }
}
