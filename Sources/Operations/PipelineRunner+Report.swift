import Foundation
import Logging
import Pipeline
import Report

extension PipelineRunner {
    /// After a publish: the committee's report (`NightlyReport`). The load is published
    /// already, so a report that cannot be written does not fail the run; it is logged as an
    /// error and the run exits with `ExitStatus.reportFailed`, so cron's mail says so.
    func writeReport(_ info: RunInfo, folder: RunFolder, logger: Logger, summary: inout RunSummary) {
        let writer = NightlyReport(config: config, stateRoot: state.root)
        do {
            // A connection of its own: the report switches it to the reader role for good.
            let db = try target.connect(logger: logger, migrate: false)
            defer { db.close() }
            let paths = try writer.write(connection: db, runFolder: folder.root)
            summary.report = paths.last
            logger.info("report written", metadata: ["paths": "\(paths.joined(separator: ", "))", "language": "\(writer.options.language.rawValue)"])
        } catch {
            summary.reportError = "\(error)"
            summary.note = [summary.note, "report not written: \(error)"].compactMap { $0 }.joined(separator: "; ")
            logger.error("report not written; the run is published", metadata: ["error": "\(error)"])
        }
    }
}
