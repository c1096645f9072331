import Foundation
import Testing
@testable import SyntheticDrop

/// Generation speed at Copenhagen's and Denmark's sizes. Runs only when asked:
/// `SYNTHETIC_DROP_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter BenchmarkTests`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SYNTHETIC_DROP_BENCH"] != nil,
                "a benchmark: set SYNTHETIC_DROP_BENCH=1 (in a release build) to run it"))
struct BenchmarkTests {
    @Test(arguments: [100_000, 1_000_000])
    func generationSpeed(children: Int) throws {
        for variant in DropGenerator.Variant.allCases {
            let clock = ContinuousClock()
            let start = clock.now
            let drop = try Fixtures.generate(Fixtures.options(children: children, seed: 1, dirtyRate: 0.001, variant: variant))
            let elapsed = clock.now - start
            defer { drop.remove() }
            let bytes = drop.summary.files.reduce(0) { $0 + $1.bytes }
            print("bench \(variant) \(children) children: \(elapsed), \(bytes / 1_000_000) MB, \(drop.summary.events) events, \(drop.summary.spells) spells")
        }
    }
}
