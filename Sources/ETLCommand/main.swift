import ArgumentParser
import Operations

struct ETL: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "etl", abstract: "The early-intervention warehouse.")
}
ETL.main()
