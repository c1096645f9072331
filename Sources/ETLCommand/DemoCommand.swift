import ArgumentParser
import Foundation
import Operations
import Pipeline

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Generate a Copenhagen-sized synthetic drop, run it into the embedded warehouse, and print the comparison.",
        discussion: """
            The demo has a state directory of its own (default ./.etl-demo, whatever ETL_STATE_DIR says) and refuses a
            state directory or --database that holds runs of a real pipeline.
            """ + "\n\n" + exitStatusHelp)

    @Option(help: "Children in the synthetic municipality.") var children = 100_000
    @Option(help: "Seed of the synthetic drop.") var seed: UInt64 = 2026
    @Option(help: "Its export date (yyyy-mm-dd).") var asOf = Day(year: 2026, month: 11, day: 21)!
    @OptionGroup var global: GlobalOptions

    /// Its own, not `global.state` (which `ETL_STATE_DIR` sets).
    var state: StateLayout { StateLayout(root: URL(fileURLWithPath: global.stateDir ?? Demo.defaultState, isDirectory: true)) }

    func run() throws {
        try withExitStatus {
            let demo = Demo(state: state, children: children, seed: seed, asOf: asOf, logger: global.logger(), database: global.database)
            print(try demo.run(), terminator: "")
        }
    }
}
