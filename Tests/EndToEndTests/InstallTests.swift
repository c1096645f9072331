import Foundation
import Pipeline
import Testing

/// The install of docs/operations.md, run as written (into a folder of the test's own), gives a
/// binary that finds what ships with it: an installed `etl demo` found no pipeline file (a review).
@Suite struct InstallTests {
    /// The block's lines that lay out the binary and `share/etl`, with `/opt/etl` in `prefix`.
    static func installLines(prefix: String) throws -> [String] {
        let text = try String(contentsOfFile: Harness.repo.appendingPathComponent("docs/operations.md").path, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix("install -D -m 755 .build/release/etl") || $0.hasPrefix("install -d -m 755 /opt/etl/share/etl") }
        return lines.map { $0.replacingOccurrences(of: "/opt/etl", with: prefix).replacingOccurrences(of: ".build/release/etl", with: Harness.etl) }
    }

    @Test func theDocumentedInstallGivesTheDemoItsPipelineFile() throws {
        let h = try Harness()
        let prefix = h.root.appendingPathComponent("opt-etl").path
        let lines = try Self.installLines(prefix: prefix)
        #expect(lines.count == 2, "the install block's binary and share/etl lines: \(lines)")
        let install = try h.run(["-c", "set -e; cd '\(Harness.repo.path)'; " + lines.joined(separator: "; ")], program: "/bin/bash")
        #expect(install.status == 0, "\(install.stderr)")

        // A warehouse that is not there, so that the demo stops right after finding its files.
        let arguments = ["demo", "--state-dir", h.root.appendingPathComponent("demo").path, "--database", "postgresql:///none?host=/nonexistent"]
        var environment = h.environment
        environment["ETL_SQL_DIR"] = nil
        let demo = try h.run(arguments, program: prefix + "/bin/etl", environment: environment)
        #expect(demo.status == ExitStatus.databaseUnreachable.rawValue && !demo.stderr.contains("pipeline file"), "\(demo.stderr)")

        // Without the pipelines, the message says what to copy where.
        try FileManager.default.removeItem(atPath: prefix + "/share/etl/pipelines")
        let missing = try h.run(arguments, program: prefix + "/bin/etl", environment: environment)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("copy the pipelines/ folder of the etl release into \(prefix)/share/etl ("), "\(missing.stderr)")
    }
}
