import Foundation
import Postgres

/// A program run to its end, as the tests spawn `etl` and other tools.
package enum Program {
    /// Runs `program` with `arguments` and `environment`; its exit status and output (kept in
    /// files under `scratch`, so a chatty program never blocks on a full pipe).
    package static func run(_ program: String, _ arguments: [String], environment: [String: String], scratch: URL) throws
        -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = environment
        let out = scratch.appendingPathComponent("out-\(UUID().uuidString)"), err = scratch.appendingPathComponent("err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
    }
}

extension Connection {
    /// Every metrics view's whole contents, ordered by every column: what an analyst can see.
    package func metricsViews() throws -> [String: [[String?]]] {
        var out: [String: [[String?]]] = [:]
        for view in try query("SELECT table_name FROM information_schema.views WHERE table_schema = 'metrics'") {
            let name = view.string(0)!
            let columns = try query("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'metrics' AND table_name = $1",
                                    [name]).first!.int(0)!
            out[name] = try query("SELECT * FROM metrics.\(Connection.quoteIdentifier(name)) ORDER BY "
                                  + (1...columns).map(String.init).joined(separator: ", ")).map(\.values)
        }
        return out
    }
}

/// What differs between two readings of `metricsViews()`, view by view and row by row, so a
/// failed comparison says what changed rather than only that something did.
package func changedViews(from before: [String: [[String?]]], to after: [String: [[String?]]]) -> String {
    Set(before.keys).union(after.keys).sorted().compactMap { name -> String? in
        let old = before[name] ?? [], new = after[name] ?? []
        guard old != new else { return nil }
        let gone = old.filter { !new.contains($0) }, came = new.filter { !old.contains($0) }
        func show(_ rows: [[String?]]) -> String { rows.prefix(3).map { "(" + $0.map { $0 ?? "NULL" }.joined(separator: ", ") + ")" }.joined(separator: " ") }
        return "metrics.\(name): \(old.count) → \(new.count) rows; gone \(show(gone)); came \(show(came))"
    }.joined(separator: "\n")
}
