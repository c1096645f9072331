import Foundation
import Testing
import TestSupport
@testable import Postgres

@Suite struct CopyTests {
    static let rowCount = 100_000

    /// Row i in COPY text format; labels carry multi-byte UTF-8 and an escaped tab.
    static func line(_ i: Int) -> String { "\(i)\tbørn æøå \(i)\\tx\t\(Double(i) / 4)\n" }

    @Test func hundredThousandRowsArriveWhole() throws {
        let connection = try TestServer.freshDatabase().connect()
        try connection.execute("CREATE TABLE t (id int, label text, amount numeric)")
        let reported = try connection.copyIn("COPY t (id, label, amount) FROM STDIN", name: "load t") { writer in
            for i in 1...Self.rowCount { try writer.write(Self.line(i)) }
        }
        #expect(reported == Self.rowCount)

        let row = try #require(try connection.query(
            "SELECT count(*), sum(id), sum(amount), sum(length(label)), count(DISTINCT id) FROM t").first)
        let n = Self.rowCount
        #expect(try row.int(0) == n)
        #expect(try row.int(1) == n * (n + 1) / 2)
        #expect(try row.double(2) == Double(n * (n + 1) / 2) / 4)
        let expectedLength = (1...n).reduce(0) { $0 + "børn æøå \($1)\tx".count }
        #expect(try row.int(3) == expectedLength)
        #expect(try row.int(4) == n)
        #expect(try connection.query("SELECT label FROM t WHERE id = $1", ["31337"])[0].string(0) == "børn æøå 31337\tx")
    }

    @Test func throwingProducerLeavesTableEmpty() throws {
        struct ProducerFailed: Error {}
        let connection = try TestServer.freshDatabase().connect()
        try connection.execute("CREATE TABLE t (id int, label text, amount numeric)")
        #expect(throws: ProducerFailed.self) {
            try connection.copyIn("COPY t FROM STDIN") { writer in
                // Enough rows that several chunks have reached the server already.
                for i in 1...50_000 { try writer.write(Self.line(i)) }
                throw ProducerFailed()
            }
        }
        #expect(try connection.query("SELECT count(*) FROM t")[0].int(0) == 0)
        #expect(try connection.copyIn("COPY t FROM STDIN") { try $0.write(Self.line(1)) } == 1)
    }

    @Test func badDataIsACopyErrorWithSQLState() throws {
        let connection = try TestServer.freshDatabase().connect()
        try connection.execute("CREATE TABLE t (id int)")
        let error = try #require(throws: PostgresError.self) {
            try connection.copyIn("COPY t FROM STDIN", name: "load ids") { writer in
                try writer.write(bytes: Array("1\n2\nnot-a-number\n".utf8))
            }
        }
        #expect(error.kind == .copy)
        #expect(error.sqlState == "22P02")
        #expect(error.statement == "load ids")
        #expect(try connection.query("SELECT count(*) FROM t")[0].int(0) == 0)
    }

    @Test func streamsAFileFromDisk() throws {
        let connection = try TestServer.freshDatabase().connect()
        try connection.execute("CREATE TABLE t (id int, label text, amount numeric)")
        let path = try TestServer.temporaryDirectory() + "/rows.copy"
        // Several times the writer's buffer, so chunks and their boundaries are exercised.
        var text = ""
        for i in 1...60_000 { text += Self.line(i) }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(text.utf8.count > 4 * CopyWriter.bufferCapacity)

        #expect(try connection.copyIn("COPY t FROM STDIN", fromFile: path) == 60_000)
        #expect(try connection.query("SELECT sum(id) FROM t")[0].int(0) == 60_000 * 60_001 / 2)

        let missing = try #require(throws: PostgresError.self) {
            try connection.copyIn("COPY t FROM STDIN", fromFile: path + ".missing")
        }
        #expect(missing.kind == .io)
        #expect(missing.description.contains("rows.copy.missing"))
    }

    @Test func writesLargeAndNonContiguousChunks() throws {
        let connection = try TestServer.freshDatabase().connect()
        try connection.execute("CREATE TABLE t (id int, label text, amount numeric)")
        var big = ""
        for i in 1...20_000 { big += Self.line(i) }
        let count = try connection.copyIn("COPY t FROM STDIN") { writer in
            try writer.write(bytes: Array(big.utf8))                      // larger than the buffer
            try writer.write(bytes: Self.line(20_001).utf8.lazy.map { $0 })  // no contiguous storage
            #expect(writer.bytesWritten == big.utf8.count + Self.line(20_001).utf8.count)
        }
        #expect(count == 20_001)
    }

    @Test func copyThroughQueryIsRefusedAndConnectionSurvives() throws {
        let connection = try TestServer.freshDatabase().connect()
        try connection.execute("CREATE TABLE t (id int)")
        #expect(throws: PostgresError.self) { try connection.execute("COPY t FROM STDIN") }
        #expect(try connection.query("SELECT count(*) FROM t")[0].int(0) == 0)
    }
}
