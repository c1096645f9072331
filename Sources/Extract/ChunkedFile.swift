import Crypto
import Foundation

/// A file read in fixed-size chunks through a POSIX descriptor, hashed as it is read:
/// memory stays bounded whatever the file's size, and the SHA-256 costs no second pass.
final class ChunkedFile {
    static let chunkSize = 1 << 20

    let path: String
    private let fd: Int32
    private var hasher = SHA256()
    private(set) var bytesRead: Int64 = 0

    init(path: String) throws(ExtractError) {
        self.path = path
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .cannotRead(path: path, message: String(cString: strerror(errno))) }
    }

    deinit { close(fd) }

    /// Reads up to `buffer.count` bytes; 0 at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ExtractError) -> Int {
        var filled = 0
        // A read may return less than asked (pipes, signals): fill the buffer unless at EOF,
        // so that callers can treat a short chunk as the last one.
        while filled < buffer.count {
            let n = Foundation.read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            if n < 0 {
                if errno == EINTR { continue }
                throw .cannotRead(path: path, message: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            filled += n
        }
        if filled > 0 {
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<filled]))
            bytesRead += Int64(filled)
        }
        return filled
    }

    /// The SHA-256 of everything read so far, in lowercase hex.
    func sha256() -> String { Hex.string(hasher.finalize()) }

    /// The SHA-256 and size of a whole file, read in chunks.
    static func digest(path: String) throws(ExtractError) -> (sha256: String, bytes: Int64) {
        let file = try ChunkedFile(path: path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while try file.read(into: buffer) > 0 {}
        return (file.sha256(), file.bytesRead)
    }
}

/// Lowercase hex of bytes.
enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    static func string(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of an even-length hex text; nil when it is not hex.
    static func bytes(_ text: Substring) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
