import Foundation
import Pipeline
import Testing
@testable import Extract

/// The figures of docs/benchmarks.md. Opt-in (they write ~150 MB of temporary files):
///
///     EXTRACT_BENCH=1 swift test -c release --scratch-path .build-ex --filter ExtractBenchmarks
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["EXTRACT_BENCH"] != nil,
                             "a benchmark: set EXTRACT_BENCH=1 (in a release build) to run it"))
struct ExtractBenchmarks {
    let megabytes = Int(ProcessInfo.processInfo.environment["EXTRACT_BENCH_MB"] ?? "") ?? 100

    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("extract-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func csvReaderAndStage() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let drop = root.appendingPathComponent("drop")
        try BenchmarkWorkloads.writeDrop(at: drop, megabytes: megabytes)
        let config = try PipelineConfig.load(path: Fixture.repo.appendingPathComponent("pipelines/copenhagen.yaml").path)
        let before = BenchmarkWorkloads.maxRSSMegabytes
        let reader = try BenchmarkWorkloads.csvReader(path: drop.appendingPathComponent("sagshaendelser.csv").path)
        let stage = try BenchmarkWorkloads.stage(config: config, drop: drop, state: root.appendingPathComponent("state"))
        print("BENCH \(reader)")
        print("BENCH \(stage)")
        print("BENCH max RSS \(BenchmarkWorkloads.maxRSSMegabytes) MB (before the runs: \(before) MB)")
        #expect(stage.records == reader.records + 2)   // - the header, + one row in each other file
    }

    @Test func xmlExpatAgainstFoundationXML() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("sagshaendelser.xml").path
        try BenchmarkWorkloads.writeCaseEventsXML(to: path, megabytes: megabytes / 2)
        let expat = try BenchmarkWorkloads.expat(path: path)
        print("BENCH \(expat)")
        let foundation = try BenchmarkWorkloads.foundationXML(path: path)
        print("BENCH \(foundation)")
        #expect(expat.records == foundation.records)
    }

    @Test func foundationXMLSafety() throws {
        let secret = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString).txt")
        try "TOP-SECRET".write(to: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: secret) }
        let xxe = """
        <?xml version="1.0"?>
        <!DOCTYPE r [ <!ENTITY xxe SYSTEM "\(secret.absoluteString)"> ]>
        <r><Institution nummer="1"><Navn>&xxe;</Navn></Institution></r>
        """
        let xxeResult = BenchmarkWorkloads.foundationXMLSafety(xxe)
        print("BENCH FoundationXML XXE: error \(xxeResult.error ?? "none"), read the file: \(xxeResult.texts.joined().contains("TOP-SECRET")), entity declarations reported to the delegate: \(xxeResult.declarationsSeen)")
        // A small bomb: 10^5 expansions (~300 KB); the real one is 10^9.
        var bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
        for i in 1...5 { bomb += " <!ENTITY lol\(i) \"" + String(repeating: "&lol\(i == 1 ? "" : String(i - 1));", count: 10) + "\">\n" }
        bomb += "]>\n<lolz><Institution nummer=\"1\"><Navn>&lol5;</Navn></Institution></lolz>\n"
        let bombResult = BenchmarkWorkloads.foundationXMLSafety(bomb)
        print("BENCH FoundationXML entity bomb (10^5): error \(bombResult.error ?? "none"), expanded to \(bombResult.texts.joined().utf8.count) bytes, entity declarations reported: \(bombResult.declarationsSeen)")
    }
}

/// A 100 MB-class CSV goes through the reader with memory bounded by its chunk, not by the
/// file. Opt-in with the benchmarks in debug builds, where it takes about a minute.
@Test(.enabled(if: ProcessInfo.processInfo.environment["EXTRACT_BENCH"] != nil,
               "writes a 100 MB file: set EXTRACT_BENCH=1 to run it"))
func largeCSVInBoundedMemory() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("extract-mem-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: root) }
    let path = root.appendingPathComponent("sagshaendelser.csv").path
    try BenchmarkWorkloads.writeCaseEventsCSV(to: path, megabytes: 100)
    let before = BenchmarkWorkloads.maxRSSMegabytes
    let timing = try BenchmarkWorkloads.csvReader(path: path)
    let grew = BenchmarkWorkloads.maxRSSMegabytes - before
    print("BENCH bounded memory: \(timing); max RSS grew by \(grew) MB")
    #expect(timing.records > 1_000_000)
    #expect(grew < 32)
}
