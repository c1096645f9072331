import Foundation
import Pipeline
import Testing
@testable import Transform

/// The transform at scale, on a synthetic extract. Off unless asked for:
///
///     TRANSFORM_BENCH_CHILDREN=1000000 swift test -c release --scratch-path .build-tr \
///         --filter TransformTests.Benchmark
///
/// `TRANSFORM_BENCH_DIR` keeps the extract between runs (it takes longer to write than to transform);
/// `TRANSFORM_BENCH_HASH_INPUTS=1` runs without extract's manifest, so inputs are checksummed too.
@Suite struct Benchmark {
    static let children = ProcessInfo.processInfo.environment["TRANSFORM_BENCH_CHILDREN"].flatMap { Int($0) }

    @Test(.enabled(if: children != nil, "a benchmark: set TRANSFORM_BENCH_CHILDREN=N (in a release build) to run it"))
    func transformSyntheticExtract() throws {
        let n = Self.children!
        let env = ProcessInfo.processInfo.environment
        let root = URL(fileURLWithPath: env["TRANSFORM_BENCH_DIR"] ?? NSTemporaryDirectory() + "transform-bench-\(n)")
        let run = StateLayout(root: root).run(RunID(rawValue: 20_251_121_020_000))
        let marker = run.file(.extract, "children-\(n)")
        if !FileManager.default.fileExists(atPath: marker) {
            let t = ContinuousClock.now
            try SyntheticExtract.write(children: n, seed: 1, into: run)
            _ = FileManager.default.createFile(atPath: marker, contents: nil)
            print("bench: wrote the extract in \(ContinuousClock.now - t)")
        }
        // Extract leaves a manifest; without one the stage checksums its inputs itself.
        if env["TRANSFORM_BENCH_HASH_INPUTS"] != nil {
            try? FileManager.default.removeItem(atPath: run.manifest(.extract))
        } else if !FileManager.default.fileExists(atPath: run.manifest(.extract)) {
            try SyntheticExtract.writeManifest(run)
        }
        // Peak memory of the stage alone: reset the high-water mark first (Linux).
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        let t = ContinuousClock.now
        let result = try TransformStage().run(run: run, windowFrom: SyntheticExtract.windowFrom, windowTo: nil,
                                              asOf: SyntheticExtract.asOf)
        let elapsed = ContinuousClock.now - t
        let peak = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("VmHWM") } ?? "VmHWM: ?"
        let rows = result.manifest.outputs.map { "\($0.name)=\($0.rows)" }.joined(separator: " ")
        // The evaluation panel's cost: the compute phase with and without it, alternating.
        if let runs = env["TRANSFORM_BENCH_PANEL_RUNS"].flatMap(Int.init) {
            var with: [Double] = [], without: [Double] = []
            for _ in 0..<runs {
                for period in [EvaluationPeriodLength.quarter, nil] {
                    let r = try TransformStage().run(run: run, window: SyntheticExtract.windowFrom...SyntheticExtract.asOf,
                                                     asOf: SyntheticExtract.asOf, period: period)
                    if period == nil { without.append(r.phaseSeconds["compute"]!) } else { with.append(r.phaseSeconds["compute"]!) }
                }
            }
            func stats(_ xs: [Double]) -> String {
                let s = xs.sorted()
                return String(format: "median %.3f s (min %.3f, max %.3f)", s[s.count / 2], s.first!, s.last!)
            }
            print("bench: compute with the quarterly panel \(stats(with)), without \(stats(without)) over \(runs) runs")
        }
        let inputRows = result.manifest.inputs.map { "\($0.name)=\($0.rowsRead)" }.joined(separator: " ")
        print("bench: \(n) children, \(elapsed) total, phases \(result.phaseSeconds.sorted { $0.key < $1.key }), \(peak)")
        print("bench: in \(inputRows)")
        print("bench: out \(rows)")
    }
}
