import Crypto
import Foundation
import Pipeline

/// What one extract run gives back: its manifest (also in `extract/manifest.json`) and the
/// warnings the caller should log.
package struct ExtractResult: Sendable {
    package var manifest: StageManifest
    package var warnings: [String]
    /// The drop's as-of date from an XML root's `udtraeksdato`; nil when no XML says.
    package var asOf: Day? { manifest.asOf }
    package var rejected: Int { manifest.inputs.reduce(0) { $0 + $1.rejected } }
}

/// Extract: reads one drop, validates and pseudonymises every record, and writes the typed
/// records and the rejects into the run's `extract/` folder in COPY text format.
///
/// The drop is checked first: every source, and every file its MANIFEST names, present. The
/// MANIFEST's checksums and row counts are checked on the bytes the extraction reads, and a
/// mismatch leaves the stage's folder as it was (and makes no key file). The register is
/// read before the files that refer to it; the other three exports are then extracted on
/// two threads (`ParallelExtraction`), with the same output as one after the other.
package struct ExtractStage: Sendable {
    package let config: PipelineConfig
    package let state: StateLayout
    package let environment: [String: String]
    /// Progress, one line each; never holds a CPR number. Warnings about the data come back in
    /// the result. May be called from two threads at once.
    package let log: @Sendable (String) -> Void
    /// What must be heard even if the stage then fails: a new key file, to be backed up.
    package let warn: @Sendable (String) -> Void
    /// Called with the name of a point the stage passes (`extract.written`), for fault injection.
    package var checkpoint: @Sendable (String) -> Void = { _ in }
    /// The fingerprint of the key the warehouse's runs were extracted with (`etl.warehouse`):
    /// another key is refused, as the state directory's is. Nil when none is recorded.
    package var warehouseKey: String?
    /// Start over under a new key on purpose (`etl run --new-key`): neither the state
    /// directory's key nor the warehouse's holds the run, and this one's is recorded.
    package var newKey = false

    package init(config: PipelineConfig, state: StateLayout,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                log: @escaping @Sendable (String) -> Void = { _ in }, warn: @escaping @Sendable (String) -> Void = { _ in }) {
        self.config = config
        self.state = state
        self.environment = environment
        self.log = log
        self.warn = warn
    }

    /// The files go to `extract.partial/` and take the place of `extract/` when the stage is
    /// done (`RunFolder.commitStage`), or stopped by the reject threshold (its rejects are what
    /// the steward reads next). Any other failure, or a kill, leaves the last attempt's folder.
    package func run(drop given: URL, into run: RunFolder) throws(ExtractError) -> ExtractResult {
        let drop = DropCheck.resolved(given)
        // The drop first: nothing is written for a file that is missing.
        let sources = config.sources.all
        try DropCheck.sources(drop: drop, config: config)
        let dropManifest = try DropManifest.read(drop: drop)
        let expected = try dropManifest.map { (m) throws(ExtractError) in try checkNamedFiles(m, drop: drop, sources: sources) } ?? [:]
        let key = try PseudonymKey.load(config.pseudonymKey, state: state, environment: environment)
        let lastExtract = try? StageManifest.read(from: run.manifest(.extract))
        try key.checkSameAsBefore(state, run: run.id, lastExtract: lastExtract?.keyFingerprint, warehouse: warehouseKey, newKey: newKey)

        let out: RunFolder
        do { out = try run.beginStage(.extract) } catch {
            throw .cannotWrite(path: run.folder(.extract).path, message: error.localizedDescription)
        }
        func commit() throws(ExtractError) {
            do { try run.commitStage(.extract) } catch { throw .cannotWrite(path: error.path, message: error.message) }
        }
        do throws(ExtractError) {
            let result = try extract(drop, into: out, key: key, expected: expected, manifest: dropManifest, rerun: lastExtract != nil)
            checkpoint("extract.written")
            try commit()
            return result
        } catch {
            if case .rejectThresholdExceeded = error { try commit(); throw error }
            run.discardStage(.extract)
            // An export that is not what the MANIFEST says explains whatever else went wrong
            // reading it: the drop is refused for its first such entry in MANIFEST order.
            if let dropManifest { try verifyChecksums(dropManifest, drop: drop, sources: sources) }
            throw error
        }
    }

    private func extract(_ drop: URL, into run: RunFolder, key: PseudonymKey, expected: [String: String],
                         manifest dropManifest: DropManifest?, rerun: Bool) throws(ExtractError) -> ExtractResult {
        let startedAt = Date()
        let clock = ContinuousClock.now
        var warnings: [String] = []
        let sources = config.sources.all
        let rejects = try writing { try StageFileWriter(path: run.file(.extract, StageFile.rejects)) }
        let files = FileExtraction(drop: drop, pipeline: config.path, expected: expected, rejects: rejects, log: log)
        var pseudonyms = Pseudonymiser(key: key.key)   // for CPR numbers in the register's text fields

        // The register first: assignments and enrolments are checked against it.
        let institutionsOut = try writing { try StageFileWriter(path: run.file(.extract, StageFile.institutions)) }
        var institutions = InstitutionValidator(source: config.sources.institutions)
        let registerOutcome = try files.run(config.sources.institutions, pseudonyms: &pseudonyms,
                                            validator: &institutions, out: institutionsOut)
        let register = Register(numbers: Set(institutions.numbers.keys), file: config.sources.institutions.file)
        var outputs = [try writing { try institutionsOut.close(name: StageFile.institutions) }]

        // Then the other three, two at a time; their rejects follow the register's in order.
        let others = ParallelExtraction(config: config, drop: drop, run: run, expected: expected, register: register,
                                        key: key.key.withUnsafeBytes { Array($0) }, log: log)
        let results = try others.runAll()
        defer { others.removeParts() }
        for r in results { try writing { try rejects.append(contentsOf: r.rejectsPart, rows: r.rejectsRows) } }
        outputs += results.map(\.output)
        outputs.append(try writing { try rejects.close(name: StageFile.rejects) })

        let outcomes = [registerOutcome] + results.map(\.outcome)
        let inputs = outcomes.map(\.input)
        if let dropManifest { try Self.verifyRows(dropManifest, inputs: inputs, drop: drop) }
        warnings += outcomes.flatMap(\.warnings)
        let exportDates = outcomes.compactMap { o in o.exportDate.map { (file: o.input.name, day: $0) } }
        let pseudonymsComputed = results.reduce(0) { $0 + $1.pseudonymsComputed }

        let asOf = exportDates.first?.day
        for d in exportDates.dropFirst() where d.day != asOf {
            let w = "the export dates differ: \(exportDates[0].file) says \(asOf!), \(d.file) says \(d.day); using \(asOf!)"
            warnings.append(w)
        }

        // Rejects are written (for the steward) before the run stops; without a manifest the
        // stage counts as not completed, so transform will not read it. Rows a filter left
        // out are not part of the share.
        let breaches = zip(sources, inputs).compactMap { source, input in
            ThresholdBreach(input, threshold: source.rejectThreshold ?? config.rejectThreshold)
        }
        // A key that was found (the nightly job's) is recorded even when the thresholds stop
        // the run: the steward's rerun from a shell without its environment is then refused,
        // where it would make a new key and fix the state directory to it.
        if !rerun, !key.isNew { try key.recordFingerprint(state, replacing: newKey) }
        guard breaches.isEmpty else { throw .rejectThresholdExceeded(breaches, inputs: inputs) }
        // The drop is complete (checksums and rows as its MANIFEST says) and under its
        // thresholds: only now is a new key kept, and its fingerprint recorded.
        if let w = try key.save() { warn(w) }
        if !rerun { try key.recordFingerprint(state, replacing: newKey) }

        // Besides the totals, each file's own counts as `<file>.<what>` (`dagtilbud.csv.merged_address`,
        // `sagshaendelser.csv.cpr_in_text:kilde`): what `metrics.data_quality` shows per file.
        var counts = ["rejected": inputs.reduce(0) { $0 + $1.rejected }, "pseudonyms_computed": pseudonymsComputed]
        for input in inputs {
            for (what, n) in input.counts { counts["\(input.name).\(what)"] = n }
        }
        var manifest = StageManifest(
            stage: .extract, run: run.id, startedAt: startedAt,
            seconds: Self.seconds(ContinuousClock.now - clock), asOf: asOf, inputs: inputs, outputs: outputs, counts: counts)
        manifest.keyFingerprint = key.fingerprint
        manifest.pipeline = config.absolutePath
        do { try manifest.write(to: run.manifest(.extract)) } catch {
            throw .cannotWrite(path: run.manifest(.extract), message: "\(error)")
        }
        return ExtractResult(manifest: manifest, warnings: warnings)
    }

    /// Checks that every file the MANIFEST names is in the drop, and the checksums of those
    /// that are no source (extract reads nothing else of them); returns the sources' checksums
    /// by the pipeline's names, for the extraction to check on the bytes it reads.
    private func checkNamedFiles(_ manifest: DropManifest, drop: URL,
                                 sources: [PipelineConfig.Source]) throws(ExtractError) -> [String: String] {
        var expected: [String: String] = [:]
        for entry in manifest.entries {
            let source = Self.source(of: entry, in: sources)
            try Self.checkPresent(entry, drop: drop, allowOutside: source?.allowLinkOutsideDrop ?? false)
            guard let source else {
                // A failing one is reported only if no earlier entry fails too (MANIFEST order).
                do throws(ExtractError) { try Self.checkSum(entry, drop: drop, confined: true) } catch {
                    try verifyChecksums(manifest, drop: drop, sources: sources)
                    throw error
                }
                continue
            }
            expected[source.file] = entry.sha256
        }
        return expected
    }

    /// Checks every checksum of the MANIFEST, the files read on both cores; a drop that fails
    /// is refused for its first failing entry in MANIFEST order.
    private func verifyChecksums(_ manifest: DropManifest, drop: URL, sources: [PipelineConfig.Source]) throws(ExtractError) {
        let entries = manifest.entries
        _ = try ForkJoin.map(entries.count) { (i) throws(ExtractError) in
            let entry = entries[i]
            let source = Self.source(of: entry, in: sources)
            try Self.checkPresent(entry, drop: drop, allowOutside: source?.allowLinkOutsideDrop ?? false)
            try Self.checkSum(entry, drop: drop, confined: source?.allowLinkOutsideDrop != true)
        }
    }

    /// The MANIFEST's entries that name no source, each there with its checksum: for a drop
    /// loaded before, which is not extracted again (`Drop.verifyManifest`).
    package static func checkOtherFiles(_ manifest: DropManifest, drop: URL, sources: [PipelineConfig.Source]) throws(ExtractError) {
        for entry in manifest.entries where source(of: entry, in: sources) == nil {
            try checkPresent(entry, drop: drop, allowOutside: false)
            try checkSum(entry, drop: drop, confined: true)
        }
    }

    /// The pipeline's source a MANIFEST entry names, if any (`./a.csv` is `a.csv`).
    private static func source(of entry: DropManifest.Entry, in sources: [PipelineConfig.Source]) -> PipelineConfig.Source? {
        sources.first { DropManifest.sameFile($0.file) == DropManifest.sameFile(entry.file) }
    }

    private static func checkPresent(_ entry: DropManifest.Entry, drop: URL, allowOutside: Bool) throws(ExtractError) {
        do throws(ExtractError) {
            try DropCheck.file(entry.file, drop: drop, allowOutside: allowOutside)
        } catch .sourceMissing {
            throw .dropIncomplete(file: drop.appendingPathComponent(entry.file).path,
                                  detail: "the MANIFEST names it (line \(entry.line)) but it is not in the drop")
        }
    }

    private static func checkSum(_ entry: DropManifest.Entry, drop: URL, confined: Bool) throws(ExtractError) {
        let file = drop.appendingPathComponent(entry.file).path
        let sha = try ChunkedFile.digest(path: file, confinedTo: confined ? drop : nil).sha256
        guard sha == entry.sha256 else { throw mismatch(file: file, sha: sha, expected: entry.sha256) }
    }

    static func mismatch(file: String, sha: String, expected: String) -> ExtractError {
        .dropIncomplete(file: file, detail: "its SHA-256 is \(sha), the MANIFEST says \(expected)")
    }

    /// Each extracted file against its MANIFEST entry's data rows, in MANIFEST order.
    private static func verifyRows(_ manifest: DropManifest, inputs: [StageManifest.InputFile],
                                   drop: URL) throws(ExtractError) {
        try checkRows(manifest, rowsRead: Dictionary(inputs.map { (DropManifest.sameFile($0.name), $0.rowsRead) }) { first, _ in first }, drop: drop)
    }

    /// Each file's data rows (`rowsRead`, by `DropManifest.sameFile`) against its MANIFEST
    /// entry, in MANIFEST order: as extracted, or as the run that loaded the drop before read them.
    package static func checkRows(_ manifest: DropManifest, rowsRead: [String: Int], drop: URL) throws(ExtractError) {
        for entry in manifest.entries {
            guard let rows = rowsRead[DropManifest.sameFile(entry.file)], rows != entry.rows else { continue }
            throw .manifestRowsDiffer(file: drop.appendingPathComponent(entry.file).path, manifestLine: entry.line,
                                      rows: rows, manifestRows: entry.rows)
        }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
