import CLibPQ
import Foundation

extension Connection {
    /// Runs `COPY ... FROM STDIN` and streams what `produce` writes. Returns the row count
    /// the server reports.
    ///
    /// When `produce` throws, the COPY is ended with an error message, so the server
    /// discards every row of it, and the producer's error is rethrown.
    @discardableResult
    package func copyIn(
        _ sql: String, name: String? = nil, _ produce: (inout CopyWriter) throws -> Void
    ) throws -> Int {
        let conn = try open(name)
        let label = name ?? sql
        guard let start = PQexec(conn, sql) else {
            throw PostgresError(.connection, connection: conn, statement: label, fallback: "no result from server")
        }
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            // Not a COPY FROM STDIN (or it failed): report what the server said.
            try consume(start, conn, label)
            throw PostgresError(.copy, "statement did not start COPY FROM STDIN", statement: label)
        }
        PQclear(start)

        var writer = CopyWriter(connection: conn, statement: label)
        do {
            try produce(&writer)
            try writer.flush()
        } catch {
            // Ending with an error message makes the server abort the COPY.
            _ = PQputCopyEnd(conn, "aborted by the client: \(error)")
            let reply = drainResults(conn, statement: label)
            // A send that failed because the server went away: say so (with its message).
            if let sent = error as? PostgresError, sent.kind == .copy, PQstatus(conn) != CONNECTION_OK {
                throw classified(reply ?? sent, conn)
            }
            throw error
        }
        guard PQputCopyEnd(conn, nil) == 1 else {
            let error = PostgresError(.copy, connection: conn, statement: label, fallback: "could not end COPY")
            drainResults(conn, statement: label)
            throw classified(error, conn)
        }
        do { return try finishCopy(conn, label) } catch let error as PostgresError { throw classified(error, conn) }
    }

    /// Streams a file from disk into `COPY ... FROM STDIN`, a chunk at a time. `check` sees
    /// each chunk before it is sent, then nil at the end of the file: when it throws, the
    /// server discards the COPY.
    @discardableResult
    package func copyIn(_ sql: String, fromFile path: String, name: String? = nil,
                        check: (UnsafeRawBufferPointer?) throws -> Void = { _ in }) throws -> Int {
        let fd = Foundation.open(path, O_RDONLY)
        guard fd >= 0 else {
            throw PostgresError(.io, "cannot open: \(String(cString: strerror(errno)))", statement: name, context: path)
        }
        defer { _ = Foundation.close(fd) }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: CopyWriter.bufferCapacity, alignment: 16)
        defer { chunk.deallocate() }
        return try copyIn(sql, name: name ?? "copy from \(path)") { writer in
            while true {
                let count = read(fd, chunk.baseAddress, chunk.count)
                if count == 0 { return try check(nil) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw PostgresError(.io, "cannot read: \(String(cString: strerror(errno)))", statement: name, context: path)
                }
                try check(UnsafeRawBufferPointer(rebasing: chunk[..<count]))
                try writer.write(UnsafeRawBufferPointer(rebasing: chunk[..<count]))
            }
        }
    }

    /// Reads the COPY's final result: its row count, or the server's error.
    private func finishCopy(_ conn: OpaquePointer, _ label: String) throws -> Int {
        var rows = 0
        var failure: PostgresError?
        results: while let result = PQgetResult(conn) {
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK:
                rows = affectedRows(result)
            case PGRES_COPY_IN, PGRES_COPY_BOTH:
                // The end was not accepted; stop rather than loop on the same state.
                failure = failure ?? PostgresError(.copy, "server still expects COPY data", statement: label)
                break results
            default:
                failure = failure ?? PostgresError(.copy, result: result, connection: conn, statement: label)
            }
        }
        if let failure { throw failure }
        return rows
    }
}
