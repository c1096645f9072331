import Pipeline

/// The five stage files of extract, open for writing.
final class StageWriters {
    let institutions: StageWriter
    let assignments: StageWriter
    let enrolments: StageWriter
    let caseEvents: StageWriter
    let rejects: StageWriter
    private let names = [StageFile.institutions, StageFile.assignments, StageFile.enrolments, StageFile.caseEvents, StageFile.rejects]

    init(run: RunFolder) throws(ExtractError) {
        institutions = try StageWriter(path: run.file(.extract, StageFile.institutions))
        assignments = try StageWriter(path: run.file(.extract, StageFile.assignments))
        enrolments = try StageWriter(path: run.file(.extract, StageFile.enrolments))
        caseEvents = try StageWriter(path: run.file(.extract, StageFile.caseEvents))
        rejects = try StageWriter(path: run.file(.extract, StageFile.rejects))
    }

    /// Closes every file and describes it for the manifest (rows, bytes, SHA-256).
    func close() throws(ExtractError) -> [StageManifest.OutputFile] {
        var outputs: [StageManifest.OutputFile] = []
        for (name, w) in zip(names, [institutions, assignments, enrolments, caseEvents, rejects]) {
            outputs.append(try w.close(name: name))
        }
        return outputs
    }
}
