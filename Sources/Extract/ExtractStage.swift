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
/// The drop is checked first (every source present; the MANIFEST's checksums, when it has
/// one) and nothing is written before that passes; the MANIFEST's row counts are checked
/// against the extraction's own, and a mismatch leaves the stage's folder as it was. The register is
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
    package func run(drop: URL, into run: RunFolder) throws(ExtractError) -> ExtractResult {
        // The drop first: nothing (not even a new key file) is written for an incomplete one.
        let sources = config.sources.all
        try DropCheck.sources(drop: drop, config: config)
        let dropManifest = try DropManifest.read(drop: drop)
        let checked = try verifyChecksums(dropManifest, drop: drop, sources: sources)

        let key = try PseudonymKey.load(config.pseudonymKey, state: state, environment: environment)
        if let w = key.warning { warn(w) }

        let out: RunFolder
        do { out = try run.beginStage(.extract) } catch {
            throw .cannotWrite(path: run.folder(.extract).path, message: error.localizedDescription)
        }
        func commit() throws(ExtractError) {
            do { try run.commitStage(.extract) } catch { throw .cannotWrite(path: error.path, message: error.message) }
        }
        do throws(ExtractError) {
            let result = try extract(drop, into: out, key: key.key, checked: checked, manifest: dropManifest)
            checkpoint("extract.written")
            try commit()
            return result
        } catch {
            if case .rejectThresholdExceeded = error { try commit() } else { run.discardStage(.extract) }
            throw error
        }
    }

    private func extract(_ drop: URL, into run: RunFolder, key: SymmetricKey, checked: [String: String],
                         manifest dropManifest: DropManifest?) throws(ExtractError) -> ExtractResult {
        let startedAt = Date()
        let clock = ContinuousClock.now
        var warnings: [String] = []
        let sources = config.sources.all
        let rejects = try writing { try StageFileWriter(path: run.file(.extract, StageFile.rejects)) }
        let files = FileExtraction(drop: drop, pipeline: config.path, checked: checked, rejects: rejects, log: log)
        var pseudonyms = Pseudonymiser(key: key)   // for CPR numbers in the register's text fields

        // The register first: assignments and enrolments are checked against it.
        let institutionsOut = try writing { try StageFileWriter(path: run.file(.extract, StageFile.institutions)) }
        var institutions = InstitutionValidator(source: config.sources.institutions)
        let registerOutcome = try files.run(config.sources.institutions, pseudonyms: &pseudonyms,
                                            { r, _ throws(Rejection) in try institutions.validate(r) },
                                            { r throws(ExtractError) in
                                                guard let r else { return false }   // merged: another address
                                                try writing { try r.write(to: institutionsOut) }
                                                return true
                                            })
        let register = Register(numbers: Set(institutions.numbers.keys), file: config.sources.institutions.file)
        var outputs = [try writing { try institutionsOut.close(name: StageFile.institutions) }]

        // Then the other three, two at a time; their rejects follow the register's in order.
        let others = ParallelExtraction(config: config, drop: drop, run: run, checked: checked, register: register,
                                        key: key.withUnsafeBytes { Array($0) }, log: log)
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
        guard breaches.isEmpty else { throw .rejectThresholdExceeded(breaches, inputs: inputs) }

        // Besides the totals, each file's own counts as `<file>.<what>` (`dagtilbud.csv.merged_address`,
        // `sagshaendelser.csv.cpr_in_text:kilde`): what `metrics.data_quality` shows per file.
        var counts = ["rejected": inputs.reduce(0) { $0 + $1.rejected }, "pseudonyms_computed": pseudonymsComputed]
        for input in inputs {
            for (what, n) in input.counts { counts["\(input.name).\(what)"] = n }
        }
        let manifest = StageManifest(
            stage: .extract, run: run.id, startedAt: startedAt,
            seconds: Self.seconds(ContinuousClock.now - clock), asOf: asOf, inputs: inputs, outputs: outputs, counts: counts)
        do { try manifest.write(to: run.manifest(.extract)) } catch {
            throw .cannotWrite(path: run.manifest(.extract), message: "\(error)")
        }
        return ExtractResult(manifest: manifest, warnings: warnings)
    }

    /// Checks the MANIFEST's checksums, if it has one, before anything is written; returns
    /// them. The files are read on both cores (the two big exports apart); a drop that fails
    /// is refused for its first failing entry in MANIFEST order, as when they are read in turn.
    /// Their row counts are the extraction's own (`verifyRows`): counting them here would
    /// parse every export twice (docs/decisions.md).
    private func verifyChecksums(_ manifest: DropManifest?, drop: URL,
                                 sources: [PipelineConfig.Source]) throws(ExtractError) -> [String: String] {
        guard let entries = manifest?.entries else { return [:] }
        let checked = try ForkJoin.map(entries.count) { (i) throws(ExtractError) -> (file: String, sha: String) in
            let entry = entries[i]
            let file = drop.appendingPathComponent(entry.file).path
            let source = sources.first(where: { DropManifest.sameFile($0.file) == DropManifest.sameFile(entry.file) })
            do throws(ExtractError) {
                try DropCheck.file(entry.file, drop: drop, allowOutside: source?.allowLinkOutsideDrop ?? false)
            } catch .sourceMissing {
                throw .dropIncomplete(file: file, detail: "the MANIFEST names it (line \(entry.line)) but it is not in the drop")
            }
            let sha = try ChunkedFile.digest(path: file, confinedTo: source?.allowLinkOutsideDrop == true ? nil : drop).sha256
            guard sha == entry.sha256 else {
                throw .dropIncomplete(file: file, detail: "its SHA-256 is \(sha), the MANIFEST says \(entry.sha256)")
            }
            return (source?.file ?? entry.file, sha)   // by the pipeline's name, as the extraction looks it up
        }
        return Dictionary(checked, uniquingKeysWith: { a, _ in a })
    }

    /// Each extracted file against its MANIFEST entry's data rows, in MANIFEST order.
    private static func verifyRows(_ manifest: DropManifest, inputs: [StageManifest.InputFile],
                                   drop: URL) throws(ExtractError) {
        for entry in manifest.entries {
            guard let input = inputs.first(where: { DropManifest.sameFile($0.name) == DropManifest.sameFile(entry.file) }),
                  input.rowsRead != entry.rows else { continue }
            throw .manifestRowsDiffer(file: drop.appendingPathComponent(entry.file).path, manifestLine: entry.line,
                                      rows: input.rowsRead, manifestRows: entry.rows)
        }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
