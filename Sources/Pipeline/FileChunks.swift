import Foundation

/// A file read in 1 MiB chunks: for its checksums and its line count.
package enum FileChunks {
    /// A named pipe or a device is refused, not waited on or read for ever.
    package static func forEach(in path: String, _ body: (UnsafeRawBufferPointer) -> Void) throws(StageFileError) {
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else { throw StageFileError(path: path, message: "cannot read the file (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw StageFileError(path: path, message: "cannot read the file (not a regular file: a pipe, a device or a folder)")
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress!, buffer.count)
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw StageFileError(path: path, message: "read failed: \(String(cString: strerror(errno)))") }
            if n == 0 { return }
            body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }
}
