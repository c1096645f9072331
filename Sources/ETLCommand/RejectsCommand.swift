import ArgumentParser
import Operations
import Pipeline

struct RejectsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rejects", abstract: "A run's rejected records: file, line (an XML file's: the record's number), field, reason, message (CPR numbers masked).",
        discussion: exitStatusHelp)
    @Argument(help: runIDHelp) var runID: RunID
    @Option(help: "Only this export file.") var file: String?
    @Option(help: "Only this reason (e.g. invalid_cpr).") var reason: String?
    @Flag(help: "As CSV (a header, then one record per line), for a spreadsheet or a script.") var csv = false
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try withExitStatus {
            let logger = global.logger()
            let db = try global.target(nil).connect(logger: logger)
            let rejects = try RunReports(connection: db, state: global.state).rejects(runID, file: file, reason: reason)
            let header = ["file", "line", "field", "reason", "message"]
            let rows = rejects.map { [$0.file, String($0.line), $0.field ?? "", $0.reason.rawValue, $0.message] }
            print(csv ? Table.csv(header: header, rows: rows) : Table.render(header: header, rows: rows), terminator: "")
            // A bare header reads as a failure to list them.
            if rejects.isEmpty {
                let which = [file.map { "in \($0)" }, reason.map { "for \($0)" }].compactMap { $0 }.joined(separator: " ")
                logger.notice("run \(runID) has no rejected records\(which.isEmpty ? "" : " " + which)")
            }
        }
    }
}
