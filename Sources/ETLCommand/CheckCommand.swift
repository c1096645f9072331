import ArgumentParser
import Foundation
import Operations
import Pipeline

struct CheckCommand: ParsableCommand, PrintsItsProduct {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "A dry run: read the pipeline file and, given a drop, extract and transform it as a run would, touching no warehouse.",
        discussion: """
            After editing a pipeline file, or before a new municipality's first night: says what a run of the drop would reject \
            (by file and reason, the first records with their lines, CPR numbers masked) and count, and whether it would pass the \
            reject threshold. Works in a private temporary folder under a throwaway key, removed at the end: nothing is written \
            to the warehouse or the state directory, and no pseudonym made here links to the warehouse's.

            \(exitStatusHelp)
            """)

    @Option(help: "The pipeline file to check.")
    var pipeline: String

    @Option(help: "A drop folder to read with it.")
    var drop: String?

    @Option(help: "An inbox of drop folders: its newest complete one is read.")
    var inbox: String?

    @Option(help: "The as-of date (yyyy-mm-dd), as for `etl run`.")
    var asOf: Day?

    func validate() throws {
        try GlobalOptions.refuseBlank(pipeline, "--pipeline", "name the pipeline file")
        try GlobalOptions.refuseBlank(drop, "--drop", "name the drop folder")
        try GlobalOptions.refuseBlank(inbox, "--inbox", "name the inbox folder")
        if drop != nil, inbox != nil { throw ValidationError("name a drop (--drop DIR) or an inbox (--inbox DIR), not both") }
    }

    func run() throws {
        try withExitStatus {
            let check = PipelineCheck(config: try PipelineConfig.loadTrusted(path: pipeline))
            try check.check(drop: drop.map { URL(fileURLWithPath: $0) }, inbox: inbox.map { URL(fileURLWithPath: $0) }, asOf: asOf) {
                print($0, terminator: $0.hasSuffix("\n") ? "" : "\n")
            }
        }
    }
}
