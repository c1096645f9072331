import Foundation
import Testing
@testable import Pipeline

@Suite struct StageManifestTests {
    private func written(_ manifest: StageManifest) throws -> (json: [String: Any], read: StageManifest) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("manifest-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try manifest.write(to: path)
        let data = try #require(FileManager.default.contents(atPath: path))
        return (try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]), try StageManifest.read(from: path))
    }

    /// Each checksum is under its algorithm's name, so a steward knows which tool checks it:
    /// `sha256sum` for an export, `xxh128sum` for a stage file.
    @Test func namesEachChecksumByItsAlgorithm() throws {
        let manifest = StageManifest(
            stage: .extract, run: RunID(rawValue: 20261201120000000), startedAt: Date(timeIntervalSince1970: 0), seconds: 1,
            inputs: [.init(name: "indmeldelser.csv", bytes: 10, checksum: .sha256(String(repeating: "a", count: 64)),
                           rowsRead: 2, accepted: 2, rejected: 0)],
            outputs: [.init(name: "enrolments.tsv", rows: 2, bytes: 20, checksum: .xxh128(String(repeating: "b", count: 32)))])
        let (json, read) = try written(manifest)
        #expect(read == manifest)
        let input = try #require((json["inputs"] as? [[String: Any]])?.first)
        let output = try #require((json["outputs"] as? [[String: Any]])?.first)
        #expect(input["sha256"] as? String == String(repeating: "a", count: 64) && input["xxh128"] == nil)
        #expect(output["xxh128"] as? String == String(repeating: "b", count: 32) && output["sha256"] == nil)
        #expect(Set(output.keys) == ["name", "rows", "bytes", "xxh128"])
    }

    /// A run folder from before stage files had XXH3 still reads: its stage files' checksums
    /// are SHA-256, and compare equal only to themselves.
    @Test func readsAnOlderManifestsSHA256() throws {
        let old = """
            {"stage":"extract","run":20261130120000000,"programVersion":"0.1.0","startedAt":"2026-11-30T12:00:00Z",
             "seconds":1,"counts":{},
             "inputs":[{"name":"enrolments.tsv","bytes":20,"sha256":"\(String(repeating: "d", count: 64))","rowsRead":2,
                        "accepted":2,"rejected":0,"rejectedByReason":{}}],
             "outputs":[{"name":"enrolments.tsv","rows":2,"bytes":20,"sha256":"\(String(repeating: "c", count: 64))"}]}
            """
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("manifest-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(old.utf8).write(to: URL(fileURLWithPath: path))
        let output = try #require(try StageManifest.read(from: path).output("enrolments.tsv"))
        #expect(output.checksum == .sha256(String(repeating: "c", count: 64)))
        #expect(output.checksum != .xxh128(String(repeating: "c", count: 64)))
        #expect(try StageManifest.read(from: path).inputs.first?.checksum == .sha256(String(repeating: "d", count: 64)))
    }

    /// A file's object with both names (written by hand) is taken by its XXH3, what this
    /// version writes for stage files.
    @Test func bothNamesReadAsXXH128() throws {
        let json = #"{"name":"a.tsv","rows":1,"bytes":2,"sha256":"aa","xxh128":"bb"}"#
        let output = try JSONDecoder().decode(StageManifest.OutputFile.self, from: Data(json.utf8))
        #expect(output.checksum == .xxh128("bb"))
    }
}
