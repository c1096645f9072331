import Foundation

/// A file read in 1 MiB chunks: for its checksums and its line count.
package enum FileChunks {
    package static func forEach(in path: String, _ body: (UnsafeRawBufferPointer) -> Void) throws(StageFileError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw StageFileError(path: path, message: "cannot read the file (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
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
