import Crypto
import Foundation
import Pipeline

/// The three exports read after the register, extracted on two threads: enrolments on
/// one, assignments then case events on the other (the two big files apart). Nothing
/// mutable is shared: each export has its own stage file, its own pseudonym cache and its
/// own part of the rejects, which are then appended to `rejects.tsv` in the contract's
/// order, so the output is the same as a sequential run's.
struct ParallelExtraction: Sendable {
    enum Job: String, Sendable, CaseIterable {
        case assignments, enrolments, caseEvents
    }

    struct JobResult: Sendable {
        var outcome: FileExtraction.Outcome
        var output: StageManifest.OutputFile
        var rejectsPart: String
        var rejectsRows: Int
        var pseudonymsComputed: Int
    }

    let config: PipelineConfig
    let drop: URL
    let run: RunFolder
    let expected: [String: String]
    let register: Register
    /// The pseudonym key's bytes (`SymmetricKey` is not `Sendable`; each job makes its own).
    let key: [UInt8]
    let log: @Sendable (String) -> Void

    /// Runs the jobs on two threads and returns their results in `Job.allCases` order.
    func runAll() throws(ExtractError) -> [JobResult] {
        let lanes: [[Job]] = [[.enrolments], [.assignments, .caseEvents]]
        let done = ForkJoin.map(lanes.count) { lane in
            var results: [Job: Result<JobResult, ExtractError>] = [:]
            for job in lanes[lane] {
                do throws(ExtractError) { results[job] = .success(try perform(job)) } catch {
                    results[job] = .failure(error)
                    break   // the lane's later jobs are not run
                }
            }
            return results
        }
        let all = done.reduce(into: [:]) { $0.merge($1) { a, _ in a } }
        var out: [JobResult] = []
        for job in Job.allCases {
            switch all[job] {
            case .success(let r): out.append(r)
            case .failure(let e): removeParts(); throw e
            case nil: continue   // its lane stopped at an earlier job's error, thrown above
            }
        }
        return out
    }

    func partPath(_ job: Job) -> String { run.file(.extract, "rejects.\(job.rawValue).part") }

    func removeParts() {
        for job in Job.allCases { try? FileManager.default.removeItem(atPath: partPath(job)) }
    }

    private func perform(_ job: Job) throws(ExtractError) -> JobResult {
        let rejects = try writing { try StageFileWriter(path: partPath(job)) }
        // One cache per job: for the children of the validator and CPR numbers in text fields.
        var pseudonyms = Pseudonymiser(key: SymmetricKey(data: key))
        let files = FileExtraction(drop: drop, pipeline: config.path, expected: expected, rejects: rejects, log: log)
        let sources = config.sources
        let outcome: FileExtraction.Outcome
        let out: StageFileWriter
        switch job {
        case .assignments:
            out = try writing { try StageFileWriter(path: run.file(.extract, StageFile.assignments)) }
            var v = AssignmentValidator(formats: sources.assignments.dateFormats, register: register)
            outcome = try files.run(sources.assignments, pseudonyms: &pseudonyms, validator: &v, out: out)
        case .enrolments:
            out = try writing { try StageFileWriter(path: run.file(.extract, StageFile.enrolments)) }
            var v = EnrolmentValidator(formats: sources.enrolments.dateFormats, register: register)
            outcome = try files.run(sources.enrolments, pseudonyms: &pseudonyms, validator: &v, out: out)
        case .caseEvents:
            out = try writing { try StageFileWriter(path: run.file(.extract, StageFile.caseEvents)) }
            var v = CaseEventValidator(formats: sources.caseEvents.dateFormats)
            outcome = try files.run(sources.caseEvents, pseudonyms: &pseudonyms, validator: &v, out: out)
        }
        let computed = pseudonyms.computed
        let name = (out.path as NSString).lastPathComponent
        let output = try writing { try out.close(name: name) }
        let part = try writing { try rejects.close(name: "part") }
        return JobResult(outcome: outcome, output: output, rejectsPart: partPath(job), rejectsRows: part.rows,
                         pseudonymsComputed: computed)
    }
}
