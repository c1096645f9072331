import Foundation

/// SHA-256 (FIPS 180-4) for the manifest's checksums.
///
/// Transform depends on Pipeline only (Package.swift), so swift-crypto is not available
/// here; this small streaming implementation stands in until a shared one exists.
struct SHA256Hasher {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    init() { pending.reserveCapacity(64) }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        length &+= UInt64(bytes.count)
        var offset = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, bytes.count)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
            offset = take
            guard pending.count == 64 else { return }
            pending.withUnsafeBytes { compress($0.baseAddress!, blocks: 1) }
            pending.removeAll(keepingCapacity: true)
        }
        let blocks = (bytes.count - offset) / 64
        if blocks > 0 { compress(base + offset, blocks: blocks) }
        offset += blocks * 64
        if offset < bytes.count {
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base + offset, count: bytes.count - offset))
        }
    }

    mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// The digest as lowercase hex.
    mutating func finalize() -> String {
        let bits = length &* 8
        var tail = pending
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        tail.withUnsafeBytes { compress($0.baseAddress!, blocks: tail.count / 64) }
        pending.removeAll()
        let words = [state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7]
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for w in words {
            for shift in stride(from: 28, through: 0, by: -4) { out.append(hex[Int((w >> UInt32(shift)) & 15)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The hex digest of a whole file, read in 1 MiB chunks.
    static func file(_ path: String) throws(TransformError) -> String {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw .stageFile(path: path, line: nil, message: "cannot open to checksum (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var hasher = SHA256Hasher()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress!, buffer.count)
            guard n >= 0 else {
                throw .stageFile(path: path, line: nil, message: "read failed while checksumming: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return hasher.finalize()
    }

    // The 64 rounds unrolled (generated): no arrays, no bounds checks, the working
    // variables renamed instead of shifted: about twice the speed of a loop (~300 MB/s).
    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    @inline(__always) private static func round(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
                                                _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ kw: UInt32) {
        let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ (g ^ (e & (f ^ g))) &+ kw
        let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) | (c & (a | b)))
        d = d &+ t1
        h = t1 &+ t2
    }

    @inline(__always) private static func schedule(_ w16: UInt32, _ w15: UInt32, _ w7: UInt32, _ w2: UInt32) -> UInt32 {
        w16 &+ (rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3)) &+ w7 &+ (rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10))
    }

    private mutating func compress(_ data: UnsafeRawPointer, blocks: Int) {
        var (h0, h1, h2, h3, h4, h5, h6, h7) = state
        for block in 0..<blocks {
            let p = data + block * 64
            var w0 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
            var w1 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            var w2 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
            var w3 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
            var w4 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
            var w5 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
            var w6 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
            var w7 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 28, as: UInt32.self))
            var w8 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 32, as: UInt32.self))
            var w9 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 36, as: UInt32.self))
            var w10 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 40, as: UInt32.self))
            var w11 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 44, as: UInt32.self))
            var w12 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 48, as: UInt32.self))
            var w13 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 52, as: UInt32.self))
            var w14 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 56, as: UInt32.self))
            var w15 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 60, as: UInt32.self))
            var (a, b, c, d, e, f, g, h) = (h0, h1, h2, h3, h4, h5, h6, h7)
            Self.round(a, b, c, &d, e, f, g, &h, 0x428a2f98 &+ w0)
            Self.round(h, a, b, &c, d, e, f, &g, 0x71374491 &+ w1)
            Self.round(g, h, a, &b, c, d, e, &f, 0xb5c0fbcf &+ w2)
            Self.round(f, g, h, &a, b, c, d, &e, 0xe9b5dba5 &+ w3)
            Self.round(e, f, g, &h, a, b, c, &d, 0x3956c25b &+ w4)
            Self.round(d, e, f, &g, h, a, b, &c, 0x59f111f1 &+ w5)
            Self.round(c, d, e, &f, g, h, a, &b, 0x923f82a4 &+ w6)
            Self.round(b, c, d, &e, f, g, h, &a, 0xab1c5ed5 &+ w7)
            Self.round(a, b, c, &d, e, f, g, &h, 0xd807aa98 &+ w8)
            Self.round(h, a, b, &c, d, e, f, &g, 0x12835b01 &+ w9)
            Self.round(g, h, a, &b, c, d, e, &f, 0x243185be &+ w10)
            Self.round(f, g, h, &a, b, c, d, &e, 0x550c7dc3 &+ w11)
            Self.round(e, f, g, &h, a, b, c, &d, 0x72be5d74 &+ w12)
            Self.round(d, e, f, &g, h, a, b, &c, 0x80deb1fe &+ w13)
            Self.round(c, d, e, &f, g, h, a, &b, 0x9bdc06a7 &+ w14)
            Self.round(b, c, d, &e, f, g, h, &a, 0xc19bf174 &+ w15)
            w0 = Self.schedule(w0, w1, w9, w14)
            Self.round(a, b, c, &d, e, f, g, &h, 0xe49b69c1 &+ w0)
            w1 = Self.schedule(w1, w2, w10, w15)
            Self.round(h, a, b, &c, d, e, f, &g, 0xefbe4786 &+ w1)
            w2 = Self.schedule(w2, w3, w11, w0)
            Self.round(g, h, a, &b, c, d, e, &f, 0x0fc19dc6 &+ w2)
            w3 = Self.schedule(w3, w4, w12, w1)
            Self.round(f, g, h, &a, b, c, d, &e, 0x240ca1cc &+ w3)
            w4 = Self.schedule(w4, w5, w13, w2)
            Self.round(e, f, g, &h, a, b, c, &d, 0x2de92c6f &+ w4)
            w5 = Self.schedule(w5, w6, w14, w3)
            Self.round(d, e, f, &g, h, a, b, &c, 0x4a7484aa &+ w5)
            w6 = Self.schedule(w6, w7, w15, w4)
            Self.round(c, d, e, &f, g, h, a, &b, 0x5cb0a9dc &+ w6)
            w7 = Self.schedule(w7, w8, w0, w5)
            Self.round(b, c, d, &e, f, g, h, &a, 0x76f988da &+ w7)
            w8 = Self.schedule(w8, w9, w1, w6)
            Self.round(a, b, c, &d, e, f, g, &h, 0x983e5152 &+ w8)
            w9 = Self.schedule(w9, w10, w2, w7)
            Self.round(h, a, b, &c, d, e, f, &g, 0xa831c66d &+ w9)
            w10 = Self.schedule(w10, w11, w3, w8)
            Self.round(g, h, a, &b, c, d, e, &f, 0xb00327c8 &+ w10)
            w11 = Self.schedule(w11, w12, w4, w9)
            Self.round(f, g, h, &a, b, c, d, &e, 0xbf597fc7 &+ w11)
            w12 = Self.schedule(w12, w13, w5, w10)
            Self.round(e, f, g, &h, a, b, c, &d, 0xc6e00bf3 &+ w12)
            w13 = Self.schedule(w13, w14, w6, w11)
            Self.round(d, e, f, &g, h, a, b, &c, 0xd5a79147 &+ w13)
            w14 = Self.schedule(w14, w15, w7, w12)
            Self.round(c, d, e, &f, g, h, a, &b, 0x06ca6351 &+ w14)
            w15 = Self.schedule(w15, w0, w8, w13)
            Self.round(b, c, d, &e, f, g, h, &a, 0x14292967 &+ w15)
            w0 = Self.schedule(w0, w1, w9, w14)
            Self.round(a, b, c, &d, e, f, g, &h, 0x27b70a85 &+ w0)
            w1 = Self.schedule(w1, w2, w10, w15)
            Self.round(h, a, b, &c, d, e, f, &g, 0x2e1b2138 &+ w1)
            w2 = Self.schedule(w2, w3, w11, w0)
            Self.round(g, h, a, &b, c, d, e, &f, 0x4d2c6dfc &+ w2)
            w3 = Self.schedule(w3, w4, w12, w1)
            Self.round(f, g, h, &a, b, c, d, &e, 0x53380d13 &+ w3)
            w4 = Self.schedule(w4, w5, w13, w2)
            Self.round(e, f, g, &h, a, b, c, &d, 0x650a7354 &+ w4)
            w5 = Self.schedule(w5, w6, w14, w3)
            Self.round(d, e, f, &g, h, a, b, &c, 0x766a0abb &+ w5)
            w6 = Self.schedule(w6, w7, w15, w4)
            Self.round(c, d, e, &f, g, h, a, &b, 0x81c2c92e &+ w6)
            w7 = Self.schedule(w7, w8, w0, w5)
            Self.round(b, c, d, &e, f, g, h, &a, 0x92722c85 &+ w7)
            w8 = Self.schedule(w8, w9, w1, w6)
            Self.round(a, b, c, &d, e, f, g, &h, 0xa2bfe8a1 &+ w8)
            w9 = Self.schedule(w9, w10, w2, w7)
            Self.round(h, a, b, &c, d, e, f, &g, 0xa81a664b &+ w9)
            w10 = Self.schedule(w10, w11, w3, w8)
            Self.round(g, h, a, &b, c, d, e, &f, 0xc24b8b70 &+ w10)
            w11 = Self.schedule(w11, w12, w4, w9)
            Self.round(f, g, h, &a, b, c, d, &e, 0xc76c51a3 &+ w11)
            w12 = Self.schedule(w12, w13, w5, w10)
            Self.round(e, f, g, &h, a, b, c, &d, 0xd192e819 &+ w12)
            w13 = Self.schedule(w13, w14, w6, w11)
            Self.round(d, e, f, &g, h, a, b, &c, 0xd6990624 &+ w13)
            w14 = Self.schedule(w14, w15, w7, w12)
            Self.round(c, d, e, &f, g, h, a, &b, 0xf40e3585 &+ w14)
            w15 = Self.schedule(w15, w0, w8, w13)
            Self.round(b, c, d, &e, f, g, h, &a, 0x106aa070 &+ w15)
            w0 = Self.schedule(w0, w1, w9, w14)
            Self.round(a, b, c, &d, e, f, g, &h, 0x19a4c116 &+ w0)
            w1 = Self.schedule(w1, w2, w10, w15)
            Self.round(h, a, b, &c, d, e, f, &g, 0x1e376c08 &+ w1)
            w2 = Self.schedule(w2, w3, w11, w0)
            Self.round(g, h, a, &b, c, d, e, &f, 0x2748774c &+ w2)
            w3 = Self.schedule(w3, w4, w12, w1)
            Self.round(f, g, h, &a, b, c, d, &e, 0x34b0bcb5 &+ w3)
            w4 = Self.schedule(w4, w5, w13, w2)
            Self.round(e, f, g, &h, a, b, c, &d, 0x391c0cb3 &+ w4)
            w5 = Self.schedule(w5, w6, w14, w3)
            Self.round(d, e, f, &g, h, a, b, &c, 0x4ed8aa4a &+ w5)
            w6 = Self.schedule(w6, w7, w15, w4)
            Self.round(c, d, e, &f, g, h, a, &b, 0x5b9cca4f &+ w6)
            w7 = Self.schedule(w7, w8, w0, w5)
            Self.round(b, c, d, &e, f, g, h, &a, 0x682e6ff3 &+ w7)
            w8 = Self.schedule(w8, w9, w1, w6)
            Self.round(a, b, c, &d, e, f, g, &h, 0x748f82ee &+ w8)
            w9 = Self.schedule(w9, w10, w2, w7)
            Self.round(h, a, b, &c, d, e, f, &g, 0x78a5636f &+ w9)
            w10 = Self.schedule(w10, w11, w3, w8)
            Self.round(g, h, a, &b, c, d, e, &f, 0x84c87814 &+ w10)
            w11 = Self.schedule(w11, w12, w4, w9)
            Self.round(f, g, h, &a, b, c, d, &e, 0x8cc70208 &+ w11)
            w12 = Self.schedule(w12, w13, w5, w10)
            Self.round(e, f, g, &h, a, b, c, &d, 0x90befffa &+ w12)
            w13 = Self.schedule(w13, w14, w6, w11)
            Self.round(d, e, f, &g, h, a, b, &c, 0xa4506ceb &+ w13)
            w14 = Self.schedule(w14, w15, w7, w12)
            Self.round(c, d, e, &f, g, h, a, &b, 0xbef9a3f7 &+ w14)
            w15 = Self.schedule(w15, w0, w8, w13)
            Self.round(b, c, d, &e, f, g, h, &a, 0xc67178f2 &+ w15)
            h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d; h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
        }
        state = (h0, h1, h2, h3, h4, h5, h6, h7)
    }
}
