import Crypto
import Foundation
import Pipeline

/// A file read in fixed-size chunks through a POSIX descriptor, hashed as it is read:
/// memory stays bounded whatever the file's size, and the SHA-256 costs no second pass.
package final class ChunkedFile {
    static let chunkSize = 1 << 20

    let path: String
    private let fd: Int32
    private var hasher = SHA256()
    private(set) var bytesRead: Int64 = 0
    /// The file as it was opened: at its end, what was read must be it, whole and unchanged.
    private var opened = stat()

    /// `confinedTo`: the drop the file must lie in (`DropCheck.resolved`), checked on the file
    /// actually opened, so a link swapped in after `DropCheck` looked is refused too; nil for
    /// a source allowed out.
    init(path: String, confinedTo drop: URL? = nil) throws(ExtractError) {
        self.path = path
        // Not blocking on a named pipe that no one writes to: it is refused just below.
        fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else { throw .cannotRead(path: path, message: String(cString: strerror(errno))) }
        guard fstat(fd, &opened) == 0 else { throw .cannotRead(path: path, message: String(cString: strerror(errno))) }
        if let what = DropCheck.kind(opened.st_mode) {
            throw .cannotRead(path: path, message: "it is \(what), not a file")   // deinit closes it
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        if let drop, let opened = DropCheck.realPath("/proc/self/fd/\(fd)") {
            guard DropCheck.within(opened, drop) else {
                throw .sourceOutsideDrop(file: (path as NSString).lastPathComponent, drop: drop.path, target: opened)
            }
        }
    }

    deinit { close(fd) }

    /// Reads up to `buffer.count` bytes; 0 at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ExtractError) -> Int {
        var filled = 0, atEnd = false
        // A read may return less than asked (pipes, signals): fill the buffer unless at EOF,
        // so that callers can treat a short chunk as the last one.
        while filled < buffer.count {
            let n = Foundation.read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            if n < 0 {
                if errno == EINTR { continue }
                throw .cannotRead(path: path, message: String(cString: strerror(errno)))
            }
            if n == 0 { atEnd = true; break }
            filled += n
        }
        if filled > 0 {
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<filled]))
            bytesRead += Int64(filled)
        }
        if atEnd { try checkUnchanged() }
        return filled
    }

    /// At the end of the file: an export written to, cut or grown while it was read would give
    /// records that are neither the old file's nor the new one's, with no MANIFEST to tell.
    /// Its size and its modification and change times say so (the change time too, as a
    /// write within one tick of a coarse clock, or with its time set back, keeps the
    /// modification time). A file replaced by a rename is read whole as it was: the descriptor
    /// keeps it, and only its change time moves, as it loses its last link.
    private func checkUnchanged() throws(ExtractError) {
        var now = stat()
        guard fstat(fd, &now) == 0 else { throw .cannotRead(path: path, message: String(cString: strerror(errno))) }
        let replaced = now.st_nlink == 0
        let same = now.st_size == opened.st_size && bytesRead == Int64(opened.st_size)
            && now.st_mtim.tv_sec == opened.st_mtim.tv_sec && now.st_mtim.tv_nsec == opened.st_mtim.tv_nsec
            && (replaced || now.st_ctim.tv_sec == opened.st_ctim.tv_sec && now.st_ctim.tv_nsec == opened.st_ctim.tv_nsec)
        guard same else {
            throw .dropIncomplete(file: path, detail: "it changed while it was read (\(opened.st_size) bytes when opened, "
                                  + "\(now.st_size) at the end, \(bytesRead) read)")
        }
    }

    /// The SHA-256 of everything read so far, in lowercase hex.
    func sha256() -> String { Hex.string(hasher.finalize()) }

    /// The SHA-256 and size of a whole file, read in chunks.
    package static func digest(path: String, confinedTo drop: URL? = nil) throws(ExtractError) -> (sha256: String, bytes: Int64) {
        let file = try ChunkedFile(path: path, confinedTo: drop)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while try file.read(into: buffer) > 0 {}
        return (file.sha256(), file.bytesRead)
    }
}
