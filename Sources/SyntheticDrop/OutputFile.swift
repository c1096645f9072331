import Foundation
import Pipeline

/// One export file being written: text is assembled as UTF-8 in a buffer, transcoded on
/// flush when the file is windows-1252, hashed and written in large chunks.
final class OutputFile {
    let name: String
    let encoding: TextEncoding
    /// Pending UTF-8 text; appended to directly by the CSV and XML writers.
    var buffer: [UInt8] = []
    /// Data records written (CSV records without the header; XML record elements).
    var records = 0
    private let handle: FileHandle
    private var sha = SHA256Sum()
    private(set) var bytes = 0

    init(directory: URL, name: String, encoding: TextEncoding) throws {
        self.name = name
        self.encoding = encoding
        // Made anew and written through the one descriptor, never reopened by name: a link
        // another user put in its place once it was made was written through (a review).
        let path = directory.appendingPathComponent(name).path
        guard unlink(path) == 0 || errno == ENOENT else { throw DropGenerator.Failure.cannotWrite(path + ": " + String(cString: strerror(errno))) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DropGenerator.Failure.cannotWrite(path + ": " + String(cString: strerror(errno))) }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        buffer.reserveCapacity(Self.chunk + 64 * 1024)
    }

    private static let chunk = 1 << 20

    /// Call between records only, so a UTF-8 sequence is never split across chunks.
    func flushIfFull() throws {
        if buffer.count >= Self.chunk { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        let out = encoding == .windows1252 ? Self.windows1252(buffer) : buffer
        sha.update(out)
        bytes += out.count
        try handle.write(contentsOf: Data(out))
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes; returns the file's checksum.
    func finish() throws -> String {
        try flush()
        try handle.close()
        return sha.hex()
    }

    /// UTF-8 to windows-1252. Only Latin-1 letters (æøå, é…) and € ever occur in the
    /// generated text; anything else would be a generator bug, written as `?`.
    static func windows1252(_ utf8: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(utf8.count)
        var i = 0
        let n = utf8.count
        while i < n {
            let b = utf8[i]
            if b < 0x80 {
                out.append(b); i += 1
            } else if (b == 0xC2 || b == 0xC3), i + 1 < n {
                let scalar = (UInt32(b & 0x1F) << 6) | UInt32(utf8[i + 1] & 0x3F)
                out.append(scalar >= 0xA0 ? UInt8(scalar) : 0x3F)
                i += 2
            } else if b == 0xE2, i + 2 < n, utf8[i + 1] == 0x82, utf8[i + 2] == 0xAC {
                out.append(0x80); i += 3  // €
            } else {
                out.append(0x3F)
                i += b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
            }
        }
        return out
    }
}
