import Foundation
import Pipeline

/// A run in the shape of dbt's `run_results.json` (metadata, args, elapsed_time, results:
/// one result a stage attempt, with status, thread_id, execution_time, timing,
/// adapter_response, message, failures), with the run's ledger beside it.
struct RunResults: Encodable {
    struct Metadata: Encodable {
        var etlVersion = ProgramVersion.current
        var etlSchemaVersion = "etl/run-results/v1"
        var generatedAt: String
        var adapterType = "postgres"
        /// The run's id (dbt's `invocation_id`).
        var invocationId: String
    }

    struct Timing: Encodable {
        var name: String
        var startedAt: String
        var completedAt: String?
    }

    struct Result: Encodable {
        /// `<run>.<stage>`: the same for every attempt of the stage.
        var uniqueId: String
        var attemptId: Int64
        /// dbt's words where they fit: success, error; and running, dead.
        var status: String
        var threadId: String?
        var executionTime: Double?
        var timing: [Timing]
        /// The stage's counts (rows read, rejected, copied per table, …).
        var adapterResponse: [String: Int]
        var message: String
        /// Records the stage rejected (extract), else nil.
        var failures: Int?
    }

    var metadata: Metadata
    var args: [String: String]
    var elapsedTime: Double?
    var results: [Result]
    var run: RunRecord
    /// What a steward runs next, as `etl runs show` says it (a failed or dead run only).
    var next: String?
    /// What retention left of the run ("load", "folder"), as `etl runs` lists it.
    var kept: [String] = []

    init(_ run: RunRecord, generatedAt: String) {
        metadata = Metadata(generatedAt: generatedAt, invocationId: run.runId)
        let first = run.attempts.first
        args = ["which": first?.command ?? "run", "pipeline": first?.pipeline ?? run.pipeline, "drop": run.drop,
                "as_of": run.asOf]
        elapsedTime = run.elapsedTime
        results = run.stages.map { s in
            let status = ["succeeded": "success", "failed": "error"][s.status] ?? s.status
            let rejected = s.stage == "extract" ? s.counts.filter { $0.key.hasPrefix("rejected.") }.values.reduce(0, +) : nil
            return Result(uniqueId: "\(run.runId).\(s.stage)", attemptId: s.attemptId, status: status,
                          threadId: s.pid.map { "pid \($0)" + (s.host.map { "@\($0)" } ?? "") },
                          executionTime: s.executionTime,
                          timing: [Timing(name: "execute", startedAt: s.startedAt, completedAt: s.completedAt)],
                          adapterResponse: s.counts, message: s.error ?? (status == "success" ? "OK" : status),
                          failures: rejected)
        }
        self.run = run
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func now() -> String { ETLLogHandler.iso.format(Date()) }
}
