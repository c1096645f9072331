import CLibPQ

/// Streams COPY data to the server during `Connection.copyIn`.
///
/// Small writes are gathered in a bounded buffer and sent in chunks with PQputCopyData,
/// so the cost per row is a memcpy, not a system call. Non-copyable so the buffer
/// cannot be duplicated and half of it forgotten.
package struct CopyWriter: ~Copyable {
    /// Bytes gathered before a send: large enough to amortise the call, small enough to
    /// keep memory flat however big the load.
    package static let bufferCapacity = 256 * 1024

    private let connection: OpaquePointer
    private let statement: String?
    private var buffer: [UInt8] = []
    /// Bytes handed to the writer so far.
    package private(set) var bytesWritten = 0

    init(connection: OpaquePointer, statement: String?) {
        self.connection = connection
        self.statement = statement
        buffer.reserveCapacity(Self.bufferCapacity)
    }

    /// Writes raw COPY data (any format the COPY statement names).
    package mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        bytesWritten += bytes.count
        if buffer.count + bytes.count <= Self.bufferCapacity {
            buffer.append(contentsOf: bytes)
            if buffer.count == Self.bufferCapacity { try flush() }
            return
        }
        try flush()
        if bytes.count >= Self.bufferCapacity {
            try send(bytes)  // already a big chunk: no point copying it
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Writes bytes from any sequence; arrays, `Data` and string views take the fast path.
    package mutating func write(bytes: some Sequence<UInt8>) throws {
        let done: Void? = try bytes.withContiguousStorageIfAvailable { try write(UnsafeRawBufferPointer($0)) }
        guard done == nil else { return }
        for byte in bytes {
            buffer.append(byte)
            bytesWritten += 1
            if buffer.count >= Self.bufferCapacity { try flush() }
        }
    }

    /// Writes a string as UTF-8, e.g. one line of COPY text format ending in "\n".
    package mutating func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Sends whatever is buffered.
    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try send($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func send(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        while !rest.isEmpty {
            let chunk = UnsafeRawBufferPointer(rebasing: rest.prefix(Int(Int32.max)))
            let status = PQputCopyData(connection, chunk.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(chunk.count))
            guard status == 1 else {
                throw PostgresError(.copy, connection: connection, statement: statement, fallback: "could not send COPY data")
            }
            rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(chunk.count))
        }
    }
}
