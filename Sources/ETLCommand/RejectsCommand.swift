import ArgumentParser
import Foundation
import Operations
import Pipeline

struct RejectsCommand: ParsableCommand, PrintsItsProduct {
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
            let reports = RunReports(connection: db, state: global.state)
            let header = ["file", "line", "field", "reason", "message"]
            func cells(_ r: RejectRecord) -> [String] { [r.file, String(r.line), r.field ?? "", r.reason.rawValue, r.message] }
            // Printed as read, never all held: a night over its threshold has millions. The
            // table reads them twice, once for its columns' widths.
            var count = 0
            if csv {
                print(Table.csvLine(header), terminator: "")
                try reports.forEachReject(runID, file: file, reason: reason) { print(Table.csvLine(cells($0)), terminator: ""); count += 1 }
            } else {
                var widths = header.map(\.count)
                try reports.forEachReject(runID, file: file, reason: reason) { Table.widen(&widths, cells($0)) }
                print(Table.line(header, widths))
                try reports.forEachReject(runID, file: file, reason: reason) { print(Table.line(cells($0), widths)); count += 1 }
            }
            // Extract stopped by its reject threshold leaves its rejects and no manifest: they
            // are not those of any load, perhaps not of the published one (a review was misled).
            let run = global.state.run(runID)
            if FileManager.default.fileExists(atPath: run.file(.extract, StageFile.rejects)),
               !FileManager.default.fileExists(atPath: run.manifest(.extract)) {
                logger.notice("these are the rejects of run \(runID)'s last extract, which stopped at its reject threshold: no load holds them; `etl runs show \(runID)` shows what its loads hold")
            }
            // A bare header reads as a failure to list them.
            if count == 0 {
                let which = [file.map { "in \($0)" }, reason.map { "for \($0)" }].compactMap { $0 }.joined(separator: " ")
                logger.notice("run \(runID) has no rejected records\(which.isEmpty ? "" : " " + which)")
            }
        }
    }
}
