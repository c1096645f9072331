/// A stage file's bytes hashed as they are read, against the checksum its stage's manifest
/// gives: a file changed since its stage wrote it (edited by hand, copied from another run,
/// decayed on disk) is refused instead of loaded. XXH3 costs the reader about 0.1 s a GB.
package final class ChecksumCheck {
    package let expected: FileChecksum
    private var xxh = XXH128Sum()
    private var sha = SHA256Sum()

    package init(_ expected: FileChecksum) { self.expected = expected }

    package func update(_ bytes: UnsafeRawBufferPointer) {
        switch expected {
        case .xxh128: xxh.update(bytes)
        case .sha256: sha.update(bytes)   // a folder written before XXH3
        }
    }

    /// The checksum of the whole file at `path`, when it is not `expected`; nil when it is (or
    /// the file cannot be read: the caller's own error says so). For a reader that stopped
    /// at a record it could not take: the file may have been changed since its stage wrote it.
    package static func changed(_ path: String, from expected: FileChecksum) -> String? {
        let check = ChecksumCheck(expected)
        guard (try? FileChunks.forEach(in: path, { check.update($0) })) != nil else { return nil }
        return check.mismatch()
    }

    /// The checksum of what was read, when it is not the one expected; nil when it is.
    package func mismatch() -> String? {
        let found: String
        switch expected {
        case .xxh128: found = xxh.hex()
        case .sha256: found = sha.hex()
        }
        return found == expected.hex ? nil : found
    }
}
