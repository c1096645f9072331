import Foundation
import Pipeline

/// What a transform run wrote.
package struct TransformResult: Sendable {
    /// Also written as `transform/manifest.json`.
    package var manifest: StageManifest
    package var folder: URL
    /// Records skipped, at most `TransformCounts.skippedListLimit` (counts are in the manifest).
    package var skipped: [SkippedRecord]
    /// Seconds per phase (read, compute, write), for benchmarks and logs.
    package var phaseSeconds: [String: Double]
    /// What the steward should hear about the records (each a line of the log).
    package var warnings: [String] = []
}

/// The transform stage: extract's typed records in `runs/<id>/extract/`, every
/// `FactFile` plus `manifest.json` out in `runs/<id>/transform/`. Rerunnable alone: it
/// writes a new folder and puts it in place when done, and the same extract gives
/// byte-identical fact files.
package struct TransformStage: Sendable {
    /// Called with the name of a point the stage passes (`transform.written`), for fault injection.
    package var checkpoint: @Sendable (String) -> Void = { _ in }

    package init() {}

    package func run(run: RunFolder, windowFrom: Day, windowTo: Day?, asOf: Day,
                    period: EvaluationPeriodLength = .quarter) throws(TransformError) -> TransformResult {
        try self.run(run: run, window: Transform.resolveWindow(from: windowFrom, to: windowTo, asOf: asOf), asOf: asOf,
                     period: period)
    }

    /// `period`: the length of the evaluation panel's periods (`evaluation.period`); nil
    /// writes an empty panel (benchmarks measure the panel's cost with it).
    ///
    /// The files go to `transform.partial/` and take the place of `transform/` once all are
    /// written (`RunFolder.commitStage`): a failed or killed attempt leaves the last one's.
    /// `besides`: files the caller keeps with the facts (name → contents), written with them.
    package func run(run: RunFolder, window: ClosedRange<Day>, asOf: Day, period: EvaluationPeriodLength? = .quarter,
                    besides: [String: Data] = [:]) throws(TransformError) -> TransformResult {
        let out: RunFolder
        do { out = try run.beginStage(.transform) } catch {
            throw .stageFile(path: run.folder(.transform).path, line: nil, message: "cannot make the stage folder: \(error)")
        }
        var result: TransformResult
        do throws(TransformError) {
            result = try write(into: out, window: window, asOf: asOf, period: period)
            for (name, data) in besides {
                let path = out.file(.transform, name)
                do { try data.write(to: URL(fileURLWithPath: path)) } catch {
                    throw .stageFile(path: path, line: nil, message: "cannot write it: \(error.localizedDescription)")
                }
            }
            checkpoint("transform.written")
            do { try run.commitStage(.transform) } catch { throw .stageFile(path: error.path, line: nil, message: error.message) }
        } catch {
            run.discardStage(.transform)
            throw error
        }
        result.folder = run.folder(.transform)
        return result
    }

    private func write(into run: RunFolder, window: ClosedRange<Day>, asOf: Day,
                       period: EvaluationPeriodLength?) throws(TransformError) -> TransformResult {
        let started = Date()
        let clock = ContinuousClock.now
        let extract = try ExtractReader(run: run)
        var phases = PhaseClock()

        let institutions = try extract.readAll(StageFile.institutions, InstitutionRecord.init)
        let assignments = try extract.readAll(StageFile.assignments, AssignmentRecord.init)
        let register = Register(institutions)
        // The two big files at once, one core each; each job also checksums what it read.
        let (spells, events, sums) = try Self.readBoth(extract, register, small: (institutions.count, assignments.count))
        phases.lap("read")

        let (spellsRead, spellsKept, spellsSkipped, eventsRead) =
            (spells.rowsRead, spells.spells.count, spells.skippedCount, events.events.count)
        let facts = Transform.compute(register: register, assignments: assignments, spells: consume spells,
                                      events: consume events, window: window, asOf: asOf, period: period)
        phases.lap("compute")
        let counts = facts.counts
        let skippedAssignments = counts[TransformCounts.skippedAssignments]!
        func input(_ name: String, rows: Int, accepted: Int, skipped: [String: Int]) -> StageManifest.InputFile {
            .init(name: name, bytes: sums[name]!.bytes, checksum: sums[name]!.checksum, rowsRead: rows, accepted: accepted,
                  rejected: rows - accepted, rejectedByReason: skipped.filter { $0.value > 0 })
        }
        let inputs = [
            input(StageFile.institutions, rows: institutions.count, accepted: institutions.count - register.duplicates,
                  skipped: ["duplicate_institution": register.duplicates]),
            input(StageFile.assignments, rows: assignments.count, accepted: assignments.count - skippedAssignments,
                  skipped: ["unknown_institution": skippedAssignments]),
            input(StageFile.enrolments, rows: spellsRead, accepted: spellsKept, skipped: ["unknown_institution": spellsSkipped]),
            input(StageFile.caseEvents, rows: eventsRead, accepted: eventsRead, skipped: [:]),
        ]

        let outputs = try Self.writeFacts(facts, to: run)
        phases.lap("write")
        let elapsed = ContinuousClock.now - clock
        let manifest = StageManifest(
            stage: .transform, run: run.id, startedAt: started,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            asOf: asOf, inputs: inputs, outputs: outputs, counts: counts)
        do { try manifest.write(to: run.manifest(.transform)) } catch {
            throw .stageFile(path: run.manifest(.transform), line: nil, message: "cannot write the manifest: \(error)")
        }
        var result = TransformResult(manifest: manifest, folder: run.folder(.transform), skipped: facts.skipped,
                                     phaseSeconds: phases.seconds)
        if let n = counts[TransformCounts.repeatedEvents], n > 0 {
            let lines = facts.repeatedEventLines.map(String.init).joined(separator: ", ") + (n > facts.repeatedEventLines.count ? ", …" : "")
            result.warnings.append("\(n) case event\(n == 1 ? " repeats" : "s repeat") an earlier one exactly (the same child, case, type, day, "
                + "paragraph, source and reason; the export's line\(n == 1 ? "" : "s") \(lines), or in an XML export the record element\(n == 1 ? "" : "s") "
                + "of that number): all are counted, as every event is; "
                + "if the export job wrote them twice, have it fixed and run the corrected drop")
        }
        return result
    }

    private enum Loaded: Sendable {
        case spells(SpellTable)
        case events(EventTable)
    }

    private typealias Sums = [String: (bytes: Int64, checksum: FileChecksum)]

    private static func readBoth(_ extract: ExtractReader, _ register: Register, small: (Int, Int))
        throws(TransformError) -> (SpellTable, EventTable, Sums) {
        let loaded = try ForkJoin.map(2) { i throws(TransformError) -> (Loaded, Sums) in
            if i == 0 {
                var table = SpellTable(register: register, capacity: extract.rowCount(StageFile.enrolments))
                try extract.scan(StageFile.enrolments) { f, path, line in try table.add(f, path: path, line: line) }
                return (.spells(table), [
                    StageFile.institutions: try extract.checksum(StageFile.institutions, rowsRead: small.0),
                    StageFile.assignments: try extract.checksum(StageFile.assignments, rowsRead: small.1),
                    StageFile.enrolments: try extract.checksum(StageFile.enrolments, rowsRead: table.rowsRead),
                ])
            } else {
                var table = EventTable(capacity: extract.rowCount(StageFile.caseEvents))
                try extract.scan(StageFile.caseEvents) { f, path, line in try table.add(f, path: path, line: line) }
                return (.events(table), [StageFile.caseEvents: try extract.checksum(StageFile.caseEvents, rowsRead: table.events.count)])
            }
        }
        guard case let .spells(s) = loaded[0].0, case let .events(e) = loaded[1].0 else { fatalError("readBoth: order") }
        return (s, e, loaded[0].1.merging(loaded[1].1) { a, _ in a })
    }

    /// Writes every fact file (largest first, so both cores stay busy), checksummed as written,
    /// then the statistics the metrics views read (`StatsFile`).
    private static func writeFacts(_ facts: Facts, to run: RunFolder) throws(TransformError) -> [StageManifest.OutputFile] {
        let order: [FactFile] = [.caseEvents, .exposure, .enrolments, .firstEvents, .cases, .children, .evaluationPanel,
                                 .coverage, .institutions]
        let rows = FactRows(facts)
        let written = try ForkJoin.map(order.count) { i throws(TransformError) -> StageManifest.OutputFile in
            do throws(StageFileError) { return try rows.write(order[i], to: run.file(.transform, order[i].rawValue)) } catch { throw TransformError(error) }
        }
        let stats = CohortStats(facts)
        let statsWritten = try StatsFile.allCases.map { file throws(TransformError) -> StageManifest.OutputFile in
            do throws(StageFileError) {
                let w = try StageFileWriter(path: run.file(.transform, file.rawValue))
                switch file {
                case .cohortStats: try stats.writeCohortStats(to: w)
                case .notificationStats: try stats.writeNotificationStats(to: w, vocabulary: facts.vocabulary)
                case .closureStats: try stats.writeClosureStats(to: w, vocabulary: facts.vocabulary)
                }
                return try w.close(name: file.rawValue)
            } catch { throw TransformError(error) }
        }
        let byName = Dictionary(uniqueKeysWithValues: written.map { ($0.name, $0) })
        return FactFile.allCases.map { byName[$0.rawValue]! } + statsWritten
    }
}

/// Wall-clock seconds per phase.
struct PhaseClock {
    private var last = ContinuousClock.now
    private(set) var seconds: [String: Double] = [:]

    mutating func lap(_ name: String) {
        let now = ContinuousClock.now
        let d = now - last
        seconds[name] = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        last = now
    }
}
