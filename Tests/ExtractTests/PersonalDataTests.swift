import Crypto
import Foundation
import Pipeline
import Testing
@testable import Extract

@Suite struct PersonalDataTests {
    /// No raw CPR number, in either form, in any file extract writes: records, rejects, manifest.
    @Test func noRawCPRUnderTheRunFolder() throws {
        let f = try Fixture()
        f.config.rejectThreshold = 1
        let cprs = ["0102131234", "1506144321", "3102134234", "2902214321", "0101999999", "0203041234"]
        f.write("""
        cpr;institutionsnummer;indmeldt;udmeldt
        0102131234;101234;01-08-2014;
        150614-4321;101234;01-08-2014;
        3102134234;101234;01-08-2014;
        290221-4321;101234;01-08-2014;
        0101999999;101234;0101999999;
        0203041234;101234
        0203041234;"101234"x;01-08-2014;
        0102131234;0102131234;01-08-2014;
        "0102131234";101234;01-08-2014;01-01-2000

        """, to: "indmeldelser.csv")
        f.write(Sample.caseEvents + "S-9;0203041234;0203041234;02-04-2015;;;\nS-9;0203041234;underretning;0203041234;;;\n",
                to: "sagshaendelser.csv")
        _ = try f.extract()
        #expect(f.rejects().count == 9)
        let files = f.runFiles()
        #expect(files.contains("extract/rejects.tsv") && files.contains("extract/manifest.json"))
        for file in files {
            let text = String(decoding: try Data(contentsOf: f.run.root.appendingPathComponent(file)), as: UTF8.self)
            for cpr in cprs {
                let dashed = String(cpr.prefix(6)) + "-" + String(cpr.suffix(4))
                #expect(!text.contains(cpr), "\(file) holds \(cpr.prefix(6))-****")
                #expect(!text.contains(dashed), "\(file) holds \(cpr.prefix(6))-****")
            }
        }
    }

    @Test func sameKeySameChildKeyAcrossRunsDifferentKeyDifferent() throws {
        let f = try Fixture()
        _ = try f.extract()
        let first = f.rows(StageFile.enrolments).map { $0[0] }
        let second = try ExtractStage(config: f.config, state: f.state, environment: f.environment)
            .run(drop: f.drop, into: f.state.run(RunID(rawValue: 20261122020000)))
        #expect(second.rejected == 0)
        let again = try String(contentsOfFile: f.state.run(RunID(rawValue: 20261122020000)).file(.extract, StageFile.enrolments), encoding: .utf8)
            .split(separator: "\n").map { String($0.prefix(64)) }
        #expect(again == first)
        f.environment["ETL_PSEUDONYM_KEY"] = String(repeating: "ab", count: 32)
        // Another key for the same state directory, or the warehouse's, is refused; a new key
        // on purpose (`etl run --new-key`) a new run takes, but a run extracted before keeps its own.
        #expect(throws: ExtractError.self) { _ = try f.extract() }
        var stage = f.stage()
        stage.warehouseKey = try String(contentsOf: f.state.keyFingerprintFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.removeItem(at: f.state.keyFingerprintFile)
        let refused = #expect(throws: ExtractError.self) { _ = try stage.run(drop: f.drop, into: f.state.run(RunID(rawValue: 20261123010000))) }
        #expect("\(refused!)".contains("(recorded in etl.warehouse)"), "\(refused!)")
        stage.newKey = true
        let rerun = #expect(throws: ExtractError.self) { _ = try stage.run(drop: f.drop, into: f.run) }
        #expect("\(rerun!)".contains("was extracted under the key of fingerprint"), "\(rerun!)")
        let third = f.state.run(RunID(rawValue: 20261123020000))
        _ = try stage.run(drop: f.drop, into: third)
        let other = try String(contentsOfFile: third.file(.extract, StageFile.enrolments), encoding: .utf8)
            .split(separator: "\n").map { String($0.prefix(64)) }
        #expect(other.count == 2 && other[0] != first[0] && other[1] != first[1])
        #expect(try String(contentsOf: f.state.keyFingerprintFile, encoding: .utf8).hasPrefix(
            try #require(try StageManifest.read(from: third.manifest(.extract)).keyFingerprint)))
    }

    /// The state directory's key is recorded by a new run's extract, not a rerun's: after an
    /// upgrade, a steward's rerun without the nightly environment records no key the nights do not use.
    @Test func onlyANewRunRecordsTheStateDirectorysKey() throws {
        let f = try Fixture()
        _ = try f.extract()
        #expect(FileManager.default.fileExists(atPath: f.state.keyFingerprintFile.path))
        try FileManager.default.removeItem(at: f.state.keyFingerprintFile)   // as before the upgrade
        _ = try f.extract()
        #expect(!FileManager.default.fileExists(atPath: f.state.keyFingerprintFile.path))
    }

    @Test func keyFileIsCreatedPrivateAndReused() throws {
        let f = try Fixture()
        f.environment = [:]
        // What a run killed while making a key left: a temporary holding a key, removed.
        let left = f.state.defaultKeyFile.path + ".99999.partial"
        try FileManager.default.createDirectory(at: f.state.root, withIntermediateDirectories: true)
        try "0123".write(toFile: left, atomically: false, encoding: .utf8)
        let r1 = try f.extract()
        #expect(!FileManager.default.fileExists(atPath: left))
        let path = f.state.defaultKeyFile.path
        #expect(r1.warnings.isEmpty)
        #expect(f.warned.all.count == 1 && f.warned.all[0].contains(path), "told at once, through `warn`")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.count == 65 && text.hasSuffix("\n"))
        let keys = f.rows(StageFile.enrolments).map { $0[0] }
        let r2 = try f.extract()
        #expect(r2.warnings.isEmpty && f.warned.all.count == 1)
        #expect(f.rows(StageFile.enrolments).map { $0[0] } == keys)
        // The same key given in the environment gives the same child keys.
        f.environment = ["ETL_PSEUDONYM_KEY": String(text.dropLast())]
        _ = try f.extract()
        #expect(f.rows(StageFile.enrolments).map { $0[0] } == keys)
    }

    /// A first run stopped by the reject threshold keeps no new key (its rejects are kept):
    /// the key is kept once the drop is taken.
    @Test func aDropOverTheThresholdKeepsNoNewKey() throws {
        let f = try Fixture()
        f.environment = [:]
        f.config.rejectThreshold = 0
        f.write(Sample.enrolments + "0102131234;999999;01-08-2014;\n", to: "indmeldelser.csv")
        #expect(throws: ExtractError.self) { _ = try f.extract() }
        #expect(f.rejects().count == 1)
        #expect(!FileManager.default.fileExists(atPath: f.state.defaultKeyFile.path))
        #expect(f.warned.all.isEmpty, "\(f.warned.all)")
        f.config.rejectThreshold = 1
        _ = try f.extract()
        #expect(FileManager.default.fileExists(atPath: f.state.defaultKeyFile.path))
        #expect(f.warned.all.count == 1 && f.warned.all[0].contains("Back it up"))
    }

    /// A first run under the nightly job's key, stopped by the reject threshold, records that
    /// key: a rerun from a shell without the job's environment is refused and makes no key,
    /// where it would have fixed the state directory to a new one (a new user's trial).
    @Test func aDropOverTheThresholdRecordsAKeyThatWasGiven() throws {
        let f = try Fixture()
        f.config.rejectThreshold = 0
        f.write(Sample.enrolments + "0102131234;999999;01-08-2014;\n", to: "indmeldelser.csv")
        #expect(throws: ExtractError.self) { _ = try f.extract() }
        #expect(FileManager.default.fileExists(atPath: f.state.keyFingerprintFile.path))
        f.environment = [:]
        f.config.rejectThreshold = 1
        let rerun = #expect(throws: ExtractError.self) { _ = try f.extract() }
        #expect("\(rerun!)".contains("no key was found now"), "\(rerun!)")
        #expect(!FileManager.default.fileExists(atPath: f.state.defaultKeyFile.path))
    }

    @Test func keyFileOpenToOthersIsRefused() throws {
        let f = try Fixture()
        f.environment = [:]
        f.config.pseudonymKey.file = "keys/etl.key"
        _ = try f.extract()
        let path = f.state.root.appendingPathComponent("keys/etl.key").path
        #expect(FileManager.default.fileExists(atPath: path))
        chmod(path, 0o644)
        let error = #expect(throws: ExtractError.self) { try f.extract() }
        guard case .pseudonymKey(let source, let message) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(source == path && message.contains("chmod 600"))
    }

    /// A key file another user made is a key they know: refused, however private its mode.
    @Test(.enabled(if: geteuid() == 0, "needs root, to give the key file to another user"))
    func keyFileOfAnotherUserIsRefused() throws {
        let f = try Fixture()
        f.environment = [:]
        _ = try f.extract()
        let path = f.state.defaultKeyFile.path
        #expect(chown(path, 65534, 65534) == 0)
        let error = #expect(throws: ExtractError.self) { try f.extract() }
        guard case .pseudonymKey(let source, let message) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(source == path && message.contains("belongs to another user"), "\(message)")
    }

    /// The message of the key refusal `f`'s extract (or `body`) stops with; nil, recorded, for anything else.
    func keyRefusal(_ f: Fixture, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        keyRefusal(sourceLocation: sourceLocation) { _ = try f.extract() }
    }

    func keyRefusal(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> String? {
        let error = #expect(throws: ExtractError.self, sourceLocation: sourceLocation) { try body() }
        guard case .pseudonymKey(_, let message) = error else { Issue.record("\(String(describing: error))", sourceLocation: sourceLocation); return nil }
        return message
    }

    /// A new folder beside `f`'s state directory (removed by the test).
    static func folder(beside f: Fixture, _ name: String) throws -> String {
        let path = f.state.root.deletingLastPathComponent().appendingPathComponent("\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    /// The way to the key file is another user's to choose: a link they made (in their folder,
    /// or a sticky one) to a file whose text they know, here root's own 0600 file, or a folder
    /// of theirs above it. Refused, as a pipeline file would be (an adversarial review linked a
    /// generated drop's MANIFEST and had every child key made with it).
    @Test(.enabled(if: geteuid() == 0, "needs root, to give a link and a folder to another user"))
    func aKeyFileAnotherUserLinksOrHoldsIsRefused() throws {
        let f = try Fixture()
        f.environment = [:]
        let known = f.state.root.deletingLastPathComponent().appendingPathComponent("known.txt").path
        try String(repeating: "a text another user can predict ", count: 2).write(toFile: known, atomically: true, encoding: .utf8)
        #expect(chmod(known, 0o600) == 0)
        let theirs = try Self.folder(beside: f, "theirs")
        defer { try? FileManager.default.removeItem(atPath: theirs) }
        #expect(chmod(theirs, 0o755) == 0 && chown(theirs, 65534, 65534) == 0)
        let link = theirs + "/etl.key"
        #expect(symlink(known, link) == 0 && lchown(link, 65534, 65534) == 0)
        f.config.pseudonymKey.file = link
        let message = try #require(keyRefusal(f))
        #expect(message.contains("a link that") && message.contains("refused"), "\(message)")

        // A file of root's own in their folder: they may rename it away and put theirs there.
        #expect(unlink(link) == 0)
        try FileManager.default.copyItem(atPath: known, toPath: link)
        let held = try #require(keyRefusal(f))
        #expect(held.contains("lies in \(theirs)"), "\(held)")
    }

    /// A key file in a folder any user may write (not sticky): another user could rename it
    /// away and put theirs in its place. Refused; needs no root.
    @Test func aKeyFileInAFolderOthersMayWriteIsRefused() throws {
        let f = try Fixture()
        f.environment = [:]
        let open = try Self.folder(beside: f, "open")
        defer { try? FileManager.default.removeItem(atPath: open) }
        #expect(chmod(open, 0o777) == 0)
        f.config.pseudonymKey.file = open + "/etl.key"
        let message = try #require(keyRefusal(f))
        #expect(message.contains("lies in \(open), where any user") && message.contains("refused"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: open + "/etl.key"), "no new key written there")
    }

    /// A named pipe as the key file is refused, not waited on: it blocked the night (a review).
    /// And the folders a new key goes to are checked again once made: one made meanwhile, open
    /// to others, would have been given the only copy of the key.
    @Test func aKeyFileThatIsAPipeIsRefusedAndANewKeysFolderIsCheckedWhenMade() throws {
        let f = try Fixture()
        f.environment = [:]
        let folder = try Self.folder(beside: f, "keys")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(mkfifo(folder + "/etl.key", 0o600) == 0)
        f.config.pseudonymKey.file = folder + "/etl.key"
        let message = try #require(keyRefusal(f))
        #expect(message.contains("not a regular file"), "\(message)")

        // A second name of a key file (a hard link another user made to a file they know) is refused.
        try String(repeating: "k", count: 40).write(toFile: folder + "/own.key", atomically: false, encoding: .utf8)
        #expect(chmod(folder + "/own.key", 0o600) == 0 && link(folder + "/own.key", folder + "/linked.key") == 0)
        f.config.pseudonymKey.file = folder + "/linked.key"
        let named = try #require(keyRefusal(f))
        #expect(named.contains("has 2 names (hard links)"), "\(named)")

        f.config.pseudonymKey.file = folder + "/later/etl.key"
        let key = try PseudonymKey.load(f.config.pseudonymKey, state: f.state, environment: [:])
        try FileManager.default.createDirectory(atPath: folder + "/later", withIntermediateDirectories: false)
        #expect(chmod(folder + "/later", 0o777) == 0)
        let said = try #require(keyRefusal { _ = try key.save() })
        #expect(said.contains("lies in \(folder)/later") && !FileManager.default.fileExists(atPath: folder + "/later/etl.key"), "\(said)")
    }

    @Test func shortKeysAreRefused() throws {
        #expect(PseudonymKey.interpret("short") == nil)
        #expect(PseudonymKey.interpret(String(repeating: "x", count: 31)) == nil)
        #expect(PseudonymKey.interpret(String(repeating: "x", count: 32))?.count == 32)
        #expect(PseudonymKey.interpret(String(repeating: "0f", count: 32))?.count == 32)   // hex: 32 bytes
        #expect(PseudonymKey.interpret(String(repeating: "0f", count: 20))?.count == 40)   // 40 chars of text
        let f = try Fixture()
        f.environment = ["ETL_PSEUDONYM_KEY": "too-short"]
        let error = #expect(throws: ExtractError.self) { try f.extract() }
        guard case .pseudonymKey(let source, _) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(source == "environment variable ETL_PSEUDONYM_KEY")
    }

    @Test func pseudonymCacheComputesEachChildOnce() {
        var p = Pseudonymiser(key: .init(data: Array(repeating: 7, count: 32)), maxCached: 2)
        let a = try! CPR.parse(Array("0102131234".utf8)[...]).get()
        let b = try! CPR.parse(Array("1506144321".utf8)[...]).get()
        let c = try! CPR.parse(Array("0203041234".utf8)[...]).get()
        let ka = p.childKey(a)
        #expect(ka == Pseudonymiser.childKey(a, key: .init(data: Array(repeating: 7, count: 32))))
        #expect(p.childKey(a) == ka && p.childKey(b) != ka)
        #expect(p.computed == 2)
        _ = p.childKey(c)   // the cache was full: emptied, then c
        #expect(p.childKey(a) == ka && p.computed == 4)
    }

    @Test func pseudonymTableGrowsAndKeepsEveryKey() {
        let key = SymmetricKey(data: Array(repeating: 9, count: 32))
        var p = Pseudonymiser(key: key)
        let cprs = (0..<20_000).map { n in try! CPR.parse(Array(BenchmarkWorkloads.cprText(n).utf8)[...]).get() }
        let first = cprs.map { p.childKey($0) }
        #expect(cprs.map { p.childKey($0) } == first)
        #expect(p.computed == 20_000)
        #expect(first[12_345] == Pseudonymiser.childKey(cprs[12_345], key: key))
    }

    /// A file sorted by child finds nothing in the table (its repeats are the row before's):
    /// after a trial the table is left, and every key is still the definition's.
    @Test func aTableThatFindsNothingIsLeftAndTheKeysStayTheSame() {
        let key = SymmetricKey(data: Array(repeating: 5, count: 32))
        var p = Pseudonymiser(key: key)
        let cprs = (0..<70_000).map { n in try! CPR.parse(Array(BenchmarkWorkloads.cprText(n).utf8)[...]).get() }
        let sorted = cprs.flatMap { [p.childKey($0), p.childKey($0)] }   // each child's rows together
        #expect(p.computed == 70_000)
        // Now left: a child seen before is computed again, to the same key.
        #expect(p.childKey(cprs[3]) == sorted[6] && p.computed == 70_001)
        for i in [0, 65_535, 65_536, 69_999] { #expect(sorted[2 * i] == Pseudonymiser.childKey(cprs[i], key: key)) }
    }
}
