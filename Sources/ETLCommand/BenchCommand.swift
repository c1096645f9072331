import ArgumentParser
import Operations

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the nightly run at Copenhagen and national scale on the embedded server (build with -c release).",
        discussion: exitStatusHelp)

    @Option(help: "copenhagen (100,000 children), national (1,000,000), repeated for both (--scale copenhagen --scale national).") var scale: [Benchmark.Scale] = [.copenhagen]
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try withExitStatus {
            let bench = Benchmark(state: global.state, logger: global.logger())
            for scale in scale { print(try bench.run(scale)) }
        }
    }
}
