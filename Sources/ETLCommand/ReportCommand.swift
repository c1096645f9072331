import ArgumentParser
import Foundation
import Operations
import Pipeline
import Report

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the committee's report: one self-contained HTML page from the metrics views.",
        discussion: """
            Reads only the metrics views, as the role etl_report (small cells hidden), so the page can be mailed around.
            Default: the published run, written to <state>/runs/<id>/report.html and to report.out of its pipeline file (the
            committee's page), as the nightly run and `etl publish` write it after each publish.
            """ + "\n\n" + exitStatusHelp)

    @Option(name: .customLong("run"), help: "A kept run other than the published one (`etl runs` lists them).")
    var runID: RunID?

    @Option(help: "Where to write it; - for standard output. Default: <state>/runs/<id>/report.html.")
    var out: String?

    @Option(help: "da or en. Default: the pipeline file's report.language, else en.")
    var lang: ReportLanguage?

    @Option(help: "The pipeline file (for its language and database). Default: the one the run's newest stage files were made with, if its folder is kept.")
    var pipeline: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        try GlobalOptions.refuseBlank(out, "--out", "name the page's file, or - for standard output")
    }

    func run() throws {
        try withExitStatus {
            let state = global.state
            let config = try pipeline.map { try PipelineConfig.loadTrusted(path: $0) }
            if let config { try PipelineRunner.refuseUnsafeCommittee(config) }   // a run's own was checked when it ran
            let db = try global.target(config).connect(logger: global.logger())
            defer { db.close() }
            // A run stopped since is found so first, so that the page says it (a review: it named an older one).
            try Ledger(connection: db).markDead(lockHeld: false, by: "etl report", state: state)
            if let runID { try RunReports(connection: db, state: state).requireKnown(runID) }
            var shownConfig: PipelineConfig?
            let rendered = try ReportWriter.render(connection: db, run: runID) { shown in
                // The pipeline file named, else the run's (as a rerun takes it); --lang over its language.
                shownConfig = config ?? shown.flatMap { try? RunInfo.pipelineInPlace(state.run($0)) }.flatMap { try? PipelineConfig.loadTrusted(path: $0) }
                return ReportWriter.Options(shownConfig, language: lang)
            }
            if out == "-" { return try writeToStandardOutput(rendered.html) }
            guard let run = rendered.run else { throw ReportError.nothingPublished }
            let path = out ?? state.run(run).root.appendingPathComponent("report.html").path
            try ReportWriter.writeAtomically(rendered.html, to: path, mode: out == nil ? 0o600 : nil)
            print(path)
            // The published run's report, asked for plainly (no other run, place or language),
            // is the committee's page too, as the nightly run writes it (after an exit 73, say).
            if runID == nil, out == nil, lang == nil {
                guard let shownConfig else {
                    throw OperationsError.io(path: (try? RunInfo.pipelineInPlace(state.run(run))) ?? "the run's pipeline file",
                                             message: "cannot be read, so the committee's page (report.out) was not written; "
                                             + "name the pipeline file with --pipeline")
                }
                let logger = global.logger()
                if let page = try NightlyReport(config: shownConfig, stateRoot: state.root).writeOutPage(rendered.html, told: { logger.notice("\($0)") }) {
                    print(page)
                }
            }
        }
    }

    /// The page on standard output. A reader that went away (`| head`) ends it quietly, as
    /// SIGPIPE did before etl ignored it; any other failure is said.
    private func writeToStandardOutput(_ text: String) throws {
        let failed = ReportWriter.writeAll(Array(text.utf8), to: STDOUT_FILENO)
        guard failed == 0 || failed == EPIPE else { throw ReportError.write(path: "standard output", message: String(cString: strerror(failed))) }
    }
}
