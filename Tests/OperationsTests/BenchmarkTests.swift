import Foundation
import Testing
@testable import Operations

@Suite struct BenchmarkTests {
    /// The bench's child processes run this binary, by the kernel's name for it: `argv[0]`
    /// (`etl`, found on PATH) named `./etl` of the current folder, another user's program (a review).
    @Test func theBenchRunsItsOwnBinary() throws {
        #expect(Benchmark.ownBinary == "/proc/self/exe")
        let running = try #require(Bundle.main.executableURL).resolvingSymlinksInPath().path
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: Benchmark.ownBinary) == running)
    }
}
