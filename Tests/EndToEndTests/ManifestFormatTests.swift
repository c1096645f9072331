import Foundation
import Testing
import Operations
import Pipeline

/// A MANIFEST in any format extract accepts is one `etl run --inbox` reads the same way
/// (issue 14): the inbox scan and extract share one parser. Each format is run end to end
/// through the built `etl`: the older drop, whose MANIFEST is in that format, is checked and
/// published; the newer one, whose MANIFEST (same format) names a file not there, is
/// reported incomplete by that name.
@Suite struct ManifestFormatTests {
    enum Format: String, CaseIterable, CustomTestStringConvertible {
        case sha256sum, tabs, comments, binaryMark, crlf, upperCaseHex, tabsAndComments

        var testDescription: String { rawValue }

        func render(_ entries: [(sha: String, rows: String, name: String)]) -> String {
            let lines: [String] = entries.map { e in
                switch self {
                case .sha256sum, .comments: "\(e.sha)  \(e.rows)  \(e.name)"
                case .tabs: "\(e.sha)\t\(e.rows)\t\(e.name)"
                case .binaryMark: "\(e.sha) \(e.rows) *\(e.name)"
                case .crlf: "\(e.sha)  \(e.rows)  \(e.name)\r"
                case .upperCaseHex: "\(e.sha.uppercased())  \(e.rows)  \(e.name)"
                case .tabsAndComments: "\(e.sha)\t\(e.rows)\t\(e.name)\n\t# \(e.name): \(e.rows) rows"
                }
            }
            switch self {
            case .comments: return "# export of the night\n\n" + lines.joined(separator: "\n\n  # between\n") + "\n# end\n"
            case .tabsAndComments: return "# sha256\trows\tfile\n\t\n" + lines.joined(separator: "\n") + "\n"
            default: return lines.joined(separator: "\n") + "\n"
            }
        }
    }

    /// The entries of a MANIFEST as the generator writes it (`sha256  rows  name`).
    static func entries(_ drop: URL) throws -> [(sha: String, rows: String, name: String)] {
        try String(contentsOf: drop.appendingPathComponent("MANIFEST"), encoding: .utf8).split(separator: "\n").map {
            let parts = $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            return (parts[0], parts[1], parts[2])
        }
    }

    @Test(arguments: Format.allCases)
    func aManifestInThisFormatPassesEtlRunInbox(format: Format) throws {
        let h = try Harness("manifest_\(format.rawValue)")
        let (older, _) = try h.drop(children: 150, asOf: Day(iso: "2026-11-20")!)
        let entries = try Self.entries(older)
        try format.render(entries).write(to: older.appendingPathComponent("MANIFEST"), atomically: true, encoding: .utf8)
        let newer = h.inbox.appendingPathComponent("2026-11-21")
        try FileManager.default.copyItem(at: older, to: newer)
        try format.render(entries + [(String(repeating: "a", count: 64), "1", "extra.csv")])
            .write(to: newer.appendingPathComponent("MANIFEST"), atomically: true, encoding: .utf8)

        let night = try h.run(["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url])
        #expect(night.status == ExitStatus.dropIncomplete.rawValue, "\(night.stderr)")
        #expect(night.stdout.contains("drop=2026-11-20") && night.stdout.contains("published=yes"), "\(night.stdout) \(night.stderr)")
        #expect(night.stderr.contains("\(newer.path): extra.csv (named in the MANIFEST, line ") && night.stderr.contains("; missing)"), "\(night.stderr)")
        #expect(!night.stderr.contains("MANIFEST (unreadable"), "\(night.stderr)")
        #expect(try h.rows("SELECT count(*) FROM etl.published") == [["1"]])
    }

    /// A MANIFEST being written (a line cut short) makes its drop incomplete, by the line.
    @Test func aManifestCutShortIsReportedByItsLine() throws {
        let h = try Harness()
        try h.drop(children: 150, asOf: Day(iso: "2026-11-20")!)
        let (newer, _) = try h.drop(children: 150, seed: 8, asOf: Day(iso: "2026-11-21")!)
        let manifest = newer.appendingPathComponent("MANIFEST")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        try String(text.dropLast(30)).write(to: manifest, atomically: true, encoding: .utf8)

        let night = try h.run(["run", "--pipeline", Harness.copenhagen, "--inbox", h.inbox.path, "--database", h.db.url])
        #expect(night.status == ExitStatus.dropIncomplete.rawValue, "\(night.stderr)")
        #expect(night.stdout.contains("drop=2026-11-20") && night.stdout.contains("published=yes"), "\(night.stdout)")
        #expect(night.stderr.contains("\(newer.path): MANIFEST (unreadable: line 4: "), "\(night.stderr)")
    }
}
