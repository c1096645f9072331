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
    let checked: [String: String]
    let register: Register
    /// The pseudonym key's bytes (`SymmetricKey` is not `Sendable`; each job makes its own).
    let key: [UInt8]
    let log: @Sendable (String) -> Void

    /// Runs the jobs on two threads and returns their results in `Job.allCases` order.
    func runAll() throws(ExtractError) -> [JobResult] {
        let results = Results()
        let lanes: [[Job]] = [[.enrolments], [.assignments, .caseEvents]]
        let done = DispatchSemaphore(value: 0)
        for lane in lanes {
            // Threads of our own, not a shared pool: the caller may be blocking one.
            let thread = Thread {
                for job in lane {
                    let result: Result<JobResult, ExtractError>
                    do throws(ExtractError) { result = .success(try self.perform(job)) } catch { result = .failure(error) }
                    results.set(job, result)
                    if case .failure = result { break }
                }
                done.signal()
            }
            thread.stackSize = 1 << 22
            thread.start()
        }
        for _ in lanes { done.wait() }
        let all = results.all()
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
        let rejects = try StageWriter(path: partPath(job))
        // One cache per job: for the children of the validator and CPR numbers in text fields.
        let pseudonyms = Pseudonymiser(key: SymmetricKey(data: key))
        let files = FileExtraction(drop: drop, pipeline: config.path, checked: checked, rejects: rejects,
                                   pseudonyms: pseudonyms, log: log)
        let sources = config.sources
        let outcome: FileExtraction.Outcome
        let out: StageWriter
        switch job {
        case .assignments:
            out = try StageWriter(path: run.file(.extract, StageFile.assignments))
            let v = AssignmentValidator(formats: sources.assignments.dateFormats, register: register)
            outcome = try files.run(sources.assignments, v.validate, { r throws(ExtractError) in try r.write(to: out); return true })
        case .enrolments:
            out = try StageWriter(path: run.file(.extract, StageFile.enrolments))
            let v = EnrolmentValidator(formats: sources.enrolments.dateFormats, register: register, pseudonyms: pseudonyms)
            outcome = try files.run(sources.enrolments, v.validate, { r throws(ExtractError) in try r.write(to: out); return true })
        case .caseEvents:
            out = try StageWriter(path: run.file(.extract, StageFile.caseEvents))
            let v = CaseEventValidator(formats: sources.caseEvents.dateFormats, pseudonyms: pseudonyms)
            outcome = try files.run(sources.caseEvents, v.validate, { r throws(ExtractError) in try r.write(to: out); return true })
        }
        let computed = pseudonyms.computed
        let name = (out.path as NSString).lastPathComponent
        let output = try out.close(name: name)
        let part = try rejects.close(name: "part")
        return JobResult(outcome: outcome, output: output, rejectsPart: partPath(job), rejectsRows: part.rows,
                         pseudonymsComputed: computed)
    }

    /// The jobs' results, set from the two threads.
    private final class Results: @unchecked Sendable {
        // Safety: every access holds `lock`.
        private let lock = NSLock()
        private var results: [Job: Result<JobResult, ExtractError>] = [:]

        func set(_ job: Job, _ result: Result<JobResult, ExtractError>) {
            lock.lock(); defer { lock.unlock() }
            results[job] = result
        }

        func all() -> [Job: Result<JobResult, ExtractError>] {
            lock.lock(); defer { lock.unlock() }
            return results
        }
    }
}
