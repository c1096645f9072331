import TestSupport
import Foundation
import Pipeline
import Synchronization
@testable import Extract

final class Warned: Sendable {
    let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
}

/// A temporary folder with a drop, a state directory and the Copenhagen pipeline, removed
/// when the fixture goes away.
final class Fixture {
    let root: URL
    let drop: URL
    let state: StateLayout
    var config: PipelineConfig
    var environment = ["ETL_PSEUDONYM_KEY": "test-key-that-is-long-enough-0123456789"]
    let run: RunFolder

    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("extract-tests-\(UUID().uuidString)")
        drop = root.appendingPathComponent("inbox/2026-11-21")
        try FileManager.default.createDirectory(at: drop, withIntermediateDirectories: true)
        state = StateLayout(root: root.appendingPathComponent("state"))
        config = try PipelineConfig.load(path: Self.repo.appendingPathComponent("pipelines/copenhagen.yaml").path)
        run = state.run(RunID(rawValue: 20261121020000))
        write(Sample.institutionsXML, to: "institutioner.xml")
        write(Sample.assignments, to: "socialraadgivere.csv")
        write(Sample.enrolments, to: "indmeldelser.csv")
        write(Sample.caseEvents, to: "sagshaendelser.csv")
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func write(_ text: String, to name: String) { write(Array(text.utf8), to: name) }

    func write(_ bytes: [UInt8], to name: String) {
        _ = FileManager.default.createFile(atPath: path(name), contents: Data(bytes))
    }

    func path(_ name: String) -> String { drop.appendingPathComponent(name).path }

    /// What the stages of this fixture sent to `warn`, in order.
    let warned = Warned()

    func stage() -> ExtractStage {
        let warned = self.warned
        return ExtractStage(config: config, state: state, environment: environment, warn: { w in warned.lines.withLock { $0.append(w) } })
    }

    func extract() throws(ExtractError) -> ExtractResult { try stage().run(drop: drop, into: run) }

    func output(_ name: String) -> String {
        (try? String(contentsOfFile: run.file(.extract, name), encoding: .utf8)) ?? ""
    }

    func rows(_ name: String) -> [[String]] {
        output(name).split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    func rejects() -> [RejectRecord] {
        (try? ReferenceStageReader.readAll(run.file(.extract, StageFile.rejects), RejectRecord.init)) ?? []
    }

    /// Every file under the run folder.
    func runFiles() -> [String] {
        let e = FileManager.default.enumerator(atPath: run.root.path)
        var out: [String] = []
        while let f = e?.nextObject() as? String {
            var dir: ObjCBool = false
            if FileManager.default.fileExists(atPath: run.root.appendingPathComponent(f).path, isDirectory: &dir), !dir.boolValue { out.append(f) }
        }
        return out
    }

    func sha256(_ name: String) throws -> String { try ChunkedFile.digest(path: path(name)).sha256 }

    /// A MANIFEST that vouches for the drop's files as they are, `events` case events among them.
    func writeManifest(events: Int) throws {
        write(try ["institutioner.xml": 2, "socialraadgivere.csv": 2, "indmeldelser.csv": 2, "sagshaendelser.csv": events]
            .map { "\(try sha256($0.key))  \($0.value)  \($0.key)" }.joined(separator: "\n"), to: "MANIFEST")
    }
}

/// A small drop in the contract's layout, all valid, with synthetic CPR numbers.
enum Sample {
    static let institutionsXML = """
    <?xml version="1.0" encoding="UTF-8"?>
    <Institutionsregister xmlns="urn:dk:kk:dagtilbud:institutioner:1" udtraeksdato="2026-11-21">
      <Institution nummer="101234">
        <Navn>Børnehuset Mælkebøtten</Navn>
        <Type>integreret</Type>
        <Bydel>Nørrebro</Bydel>
        <Klynge>NB-03</Klynge>
        <Pladser>48</Pladser>
        <Oprettet>2005-08-01</Oprettet>
        <Nedlagt/>
      </Institution>
      <Institution nummer="101235">
        <Navn>Vuggestuen Solsikken</Navn>
        <Type>vuggestue</Type>
        <Bydel>Valby</Bydel>
        <Klynge/>
        <Pladser>30</Pladser>
        <Oprettet>1999-01-01</Oprettet>
        <Nedlagt>2020-06-30</Nedlagt>
      </Institution>
    </Institutionsregister>
    """

    static let assignments = """
    medarbejder_id;institutionsnummer;fra;til
    M001;101234;01-01-2014;31-12-2016
    M002;101235;2015-03-01;

    """

    static let enrolments = """
    cpr;institutionsnummer;indmeldt;udmeldt
    0102131234;101234;01-08-2014;31-07-2017
    150614-4321;101235;2015-09-01;

    """

    static let caseEvents = """
    sagsnummer;cpr;haendelse;dato;paragraf;kilde;aarsag
    S-2013-000123;0102131234;underretning;02-04-2015;;daginstitution;
    S-2013-000123;0102131234;sag_oprettet;2015-04-10;50;;
    S-2013-000124;1506144321;sag_afsluttet;2016-01-10;;;bekymring_ophoert

    """
}

/// The files a stage run names over their reject threshold; none when it does not stop there.
func thresholdBreaches(_ body: () throws -> Any) throws -> [ThresholdBreach] {
    do {
        _ = try body()
        return []
    } catch let ExtractError.rejectThresholdExceeded(breaches, _) {
        return breaches
    }
}
