import Foundation
import Testing
@testable import Pipeline

@Suite struct RunFolderTests {
    let run: RunFolder

    init() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("run-folder-\(UUID().uuidString)")
        run = RunFolder(root: root, id: RunID(rawValue: 20261130000000000))
    }

    func files(_ url: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
    }

    func attempt(_ name: String) throws -> RunFolder {
        let out = try run.beginStage(.transform)
        try Data(name.utf8).write(to: URL(fileURLWithPath: out.file(.transform, name)))
        return out
    }

    @Test func aCommittedStageTakesThePlaceOfTheLastOne() throws {
        defer { try? FileManager.default.removeItem(at: run.root) }
        _ = try attempt("first")
        #expect(files(run.folder(.transform)).isEmpty, "nothing is in place before the commit")
        try run.commitStage(.transform)
        #expect(files(run.folder(.transform)) == ["first"])
        _ = try attempt("second")
        try run.commitStage(.transform)
        #expect(files(run.folder(.transform)) == ["second"])
        #expect(files(run.root) == ["transform"], "no partial folder is left")
    }

    /// What a killed or failed attempt leaves: the last committed files, untouched; its own
    /// are removed by the next attempt or by `discardStage`.
    @Test func anAttemptNotCommittedLeavesTheLastFiles() throws {
        defer { try? FileManager.default.removeItem(at: run.root) }
        _ = try attempt("first")
        try run.commitStage(.transform)
        let killed = try attempt("killed")
        #expect(files(run.folder(.transform)) == ["first"])
        #expect(files(killed.folder(.transform)) == ["killed"])
        _ = try attempt("failed")
        #expect(files(killed.folder(.transform)) == ["failed"], "a new attempt starts empty")
        run.discardStage(.transform)
        #expect(files(run.root) == ["transform"])
        #expect(files(run.folder(.transform)) == ["first"])
    }

    @Test func onlyTheStageBeingWrittenGoesToItsPartialFolder() throws {
        let out = try run.beginStage(.transform)
        defer { try? FileManager.default.removeItem(at: run.root) }
        #expect(out.folder(.transform).lastPathComponent == "transform.partial")
        #expect(out.folder(.extract) == run.folder(.extract))
    }
}

@Suite struct StateLayoutTests {
    /// An empty `--state-dir` or `ETL_STATE_DIR` named the working directory, which any
    /// command then treated as its state directory (an adversarial review): it is none.
    @Test func anEmptyStateDirectoryIsNone() {
        let cwd = FileManager.default.currentDirectoryPath
        #expect(StateLayout.resolve("", environment: ["ETL_STATE_DIR": ""]).root.path == cwd + "/.etl-state")
        #expect(StateLayout.resolve("", environment: ["ETL_STATE_DIR": "/srv/etl"]).root.path == "/srv/etl")
        #expect(StateLayout.resolve("/a", environment: ["ETL_STATE_DIR": "/srv/etl"]).root.path == "/a")
    }
}
