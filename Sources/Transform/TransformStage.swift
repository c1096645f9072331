import Foundation
import Pipeline

/// What a transform run wrote.
public struct TransformResult: Sendable {
    /// Also written as `transform/manifest.json`.
    public var manifest: StageManifest
    public var folder: URL
    /// Records skipped, at most `TransformCounts.skippedListLimit` (counts are in the manifest).
    public var skipped: [SkippedRecord]
}

/// The transform stage (issue #4): extract's typed records in `runs/<id>/extract/`, every
/// `FactFile` plus `manifest.json` out in `runs/<id>/transform/`. Rerunnable alone: it
/// empties its folder first, and the same extract gives byte-identical fact files.
public struct TransformStage: Sendable {
    public init() {}

    /// With the pipeline file's window (`to` nil: the as-of date).
    public func run(run: RunFolder, config: PipelineConfig, asOf: Day) throws(TransformError) -> TransformResult {
        try self.run(run: run, windowFrom: config.windowFrom, windowTo: config.windowTo, asOf: asOf)
    }

    public func run(run: RunFolder, windowFrom: Day, windowTo: Day?, asOf: Day) throws(TransformError) -> TransformResult {
        try self.run(run: run, window: Transform.resolveWindow(from: windowFrom, to: windowTo, asOf: asOf), asOf: asOf)
    }

    public func run(run: RunFolder, window: ClosedRange<Day>, asOf: Day) throws(TransformError) -> TransformResult {
        let started = Date()
        let clock = ContinuousClock.now
        do { try run.resetStage(.transform) } catch {
            throw .stageFile(path: run.folder(.transform).path, line: nil, message: "cannot empty the stage folder: \(error)")
        }
        let extract = ExtractReader(run: run)

        let institutions = try extract.readAll(StageFile.institutions, InstitutionRecord.init(fields:path:line:))
        let assignments = try extract.readAll(StageFile.assignments, AssignmentRecord.init(fields:path:line:))
        let register = Register(institutions)
        // The two big files at once, one core each.
        let (spells, events) = try Self.readBoth(extract, register)

        let facts = Transform.compute(register: register, assignments: assignments, spells: spells, events: events,
                                      window: window, asOf: asOf)
        let counts = facts.counts
        let inputs = [
            try extract.describe(StageFile.institutions, rowsRead: institutions.count,
                                 accepted: institutions.count - register.duplicates,
                                 skippedByReason: Self.nonZero(["duplicate_institution": register.duplicates])),
            try extract.describe(StageFile.assignments, rowsRead: assignments.count,
                                 accepted: assignments.count - counts[TransformCounts.skippedAssignments]!,
                                 skippedByReason: Self.nonZero(["unknown_institution": counts[TransformCounts.skippedAssignments]!])),
            try extract.describe(StageFile.enrolments, rowsRead: spells.rowsRead, accepted: spells.spells.count,
                                 skippedByReason: Self.nonZero(["unknown_institution": spells.skippedCount])),
            try extract.describe(StageFile.caseEvents, rowsRead: events.events.count, accepted: events.events.count,
                                 skippedByReason: [:]),
        ]

        let outputs = try Self.writeFacts(facts, to: run)
        let elapsed = ContinuousClock.now - clock
        let manifest = StageManifest(
            stage: .transform, run: run.id, startedAt: started,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            asOf: asOf, inputs: inputs, outputs: outputs, counts: counts)
        do { try manifest.write(to: run.manifest(.transform)) } catch {
            throw .stageFile(path: run.manifest(.transform), line: nil, message: "cannot write the manifest: \(error)")
        }
        return TransformResult(manifest: manifest, folder: run.folder(.transform), skipped: facts.skipped)
    }

    private enum Loaded: Sendable {
        case spells(SpellTable)
        case events(EventTable)
    }

    private static func readBoth(_ extract: ExtractReader, _ register: Register) throws(TransformError) -> (SpellTable, EventTable) {
        let loaded = try Parallel.map(2) { i throws(TransformError) -> Loaded in
            if i == 0 {
                var table = SpellTable(register: register)
                try extract.forEach(StageFile.enrolments, EnrolmentRecord.init(fields:path:line:)) { table.add($0) }
                return .spells(table)
            } else {
                var table = EventTable()
                try extract.forEach(StageFile.caseEvents, CaseEventRecord.init(fields:path:line:)) { table.add($0) }
                return .events(table)
            }
        }
        guard case let .spells(s) = loaded[0], case let .events(e) = loaded[1] else { fatalError("readBoth: order") }
        return (s, e)
    }

    /// Writes every fact file (largest first, so both cores stay busy) and checksums it.
    private static func writeFacts(_ facts: Facts, to run: RunFolder) throws(TransformError) -> [StageManifest.OutputFile] {
        let order: [FactFile] = [.caseEvents, .exposure, .enrolments, .cases, .firstEvents, .children, .coverage, .institutions]
        let written = try Parallel.map(order.count) { i throws(TransformError) -> StageManifest.OutputFile in
            let file = order[i]
            let path = run.file(.transform, file.rawValue)
            let rows = try FactWriter.write(file, facts, to: path)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? -1
            return .init(name: file.rawValue, rows: rows, bytes: bytes, sha256: try SHA256Hasher.file(path))
        }
        let byName = Dictionary(uniqueKeysWithValues: written.map { ($0.name, $0) })
        return FactFile.allCases.map { byName[$0.rawValue]! }
    }

    private static func nonZero(_ counts: [String: Int]) -> [String: Int] { counts.filter { $0.value > 0 } }
}
