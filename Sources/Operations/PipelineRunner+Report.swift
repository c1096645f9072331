import Foundation
import Load
import Logging
import Pipeline
import Postgres
import Report

extension PipelineRunner {
    /// After a publish: the committee's report (`NightlyReport`). The load is published
    /// already, so a report that cannot be written does not fail the run: the command ends with
    /// `OperationsError.reportNotWritten` (exit 73), so cron's mail says so.
    func writeReport(folder: RunFolder, logger: Logger, summary: inout RunSummary) {
        do {
            summary.report = try writePages(folder: folder, logger: logger).last
        } catch {
            summary.reportError = "\(error)"
            summary.note = [summary.note, "report not written: \(error)"].compactMap { $0 }.joined(separator: "; ")
            // Said once, as the command's last line (`OperationsError.reportNotWritten`).
        }
    }

    /// A run stopped between its publish and its report (killed, or its report failed) left
    /// the committee's page showing an earlier run than analysts see. Each run's start writes
    /// it again when a page (the run's, `report.out`) names another run than the published
    /// one, so a night that then stops before its own publish does not leave it so. A report
    /// that cannot be written is a warning here: it is not this run's.
    func catchUpReport(db: Connection, logger: Logger) {
        guard let (published, pipeline) = publishedPages(db: db, logger: logger) else { return }
        let folder = state.run(published.run)
        let out = NightlyReport(config: pipeline, stateRoot: state.root).outPath
        let pages = [folder.root.appendingPathComponent("report.html").path] + (out.map { [$0] } ?? [])
        let shown = pages.map { (page: $0, run: NightlyReport.runShown(atPath: $0)) }
        if shown.contains(where: { $0.run != published.run }) {
            // A page an older version wrote names no run, and a `report.out` new in the pipeline
            // file has none yet: written without alarm (a new user's trial was told of a failure).
            let older = shown.filter { $0.run == nil && FileManager.default.fileExists(atPath: $0.page) }
            let new = shown.dropFirst().filter { $0.run == nil && !FileManager.default.fileExists(atPath: $0.page) }
            if older.count + new.count == shown.count(where: { $0.run != published.run }) {
                logger.info(older.isEmpty ? "report.out names a page not written yet: writing the published run's there"
                            : "the committee's page names no run (an older version wrote it): writing it again",
                            metadata: ["run": "\(published.run)"])
            } else {
                logger.warning("the committee's page does not show the published run \(published.run) (its run stopped before its report, or the report failed); writing it now",
                               metadata: ["run": "\(published.run)"])
            }
        } else {
            // A run stopped or killed since the page was written (found dead by this command, or
            // recorded failed by its stop) is said now: it could not write the page itself.
            let newest = (try? ReportData.NotPublishedRun.read(db))?.first?.named ?? ""
            guard pages.contains(where: { NightlyReport.notPublishedShown(atPath: $0).map { $0 != newest } ?? false }) else { return }
            logger.info("a run since the published one published nothing: the committee's page says so", metadata: ["run": "\(newest)"])
        }
        rewritePages(of: published, pipeline: pipeline, logger: logger)
    }

    /// A run that ended without a publish (failed, or a rerun of stages alone) after an earlier
    /// one was published: the committee's pages of that run are written again, and say that a
    /// newer run published nothing (`warehouse.runs_not_published`); they kept the earlier
    /// figures without a word (a review). Only once its end is recorded, so the pages can tell.
    func reportNotPublished(of run: RunID, db: Connection, logger: Logger) {
        guard let (published, pipeline) = publishedPages(db: db, logger: logger), published.run < run else { return }
        rewritePages(of: published, pipeline: pipeline, logger: logger)
    }

    /// The published run, when its folder (with its pages) is kept, and its pipeline file.
    private func publishedPages(db: Connection, logger: Logger) -> (PublishedRun, PipelineConfig)? {
        guard let published = try? Publisher(connection: db).publishedRun(), FileManager.default.fileExists(atPath: state.run(published.run).root.path),
              let pipeline = pipelineOf(published.run, logger: logger) else { return nil }
        return (published, pipeline)
    }

    /// The published run's pages written again; one that cannot be written is a warning here:
    /// it is not this run's.
    private func rewritePages(of published: PublishedRun, pipeline: PipelineConfig, logger: Logger) {
        do {
            _ = try writePages(folder: state.run(published.run), logger: logger, config: pipeline)
        } catch {
            logger.warning("the published run's report could not be written; `etl report` writes it once the cause is fixed",
                           metadata: ["run": "\(published.run)", "error": "\(error)"])
        }
    }

    /// The pages of another run than this one (the published one) are written with that run's
    /// pipeline file as it is now, as `etl report` does: a failure under a trial file wrote the
    /// committee's page in its language and left `report.out` without the notice (a review).
    /// None when it cannot be read: the pages are then left to `etl report --pipeline FILE`,
    /// not written by this run's file (a review).
    private func pipelineOf(_ run: RunID, logger: Logger) -> PipelineConfig? {
        let path = try? RunInfo.pipelineInPlace(state.run(run))
        if let path, let config = try? PipelineConfig.loadTrusted(path: path) { return config }
        logger.warning("the published run's pipeline file cannot be read, so its committee's pages are not written again; `etl report --pipeline FILE` writes them", metadata: ["run": "\(run)", "pipeline": "\(path ?? "not known")"])
        return nil
    }

    private func writePages(folder: RunFolder, logger: Logger, config: PipelineConfig? = nil) throws -> [String] {
        let writer = NightlyReport(config: config ?? self.config, stateRoot: state.root)
        // A connection of its own: the report switches it to the reader role for good.
        let db = try target.connect(logger: logger, migrate: false)
        defer { db.close() }
        let paths = try writer.write(connection: db, runFolder: folder.root) { logger.notice("\($0)") }
        logger.info("report written", metadata: ["paths": "\(paths.joined(separator: ", "))", "language": "\(writer.options.language.rawValue)"])
        return paths
    }
}
