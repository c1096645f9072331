import Foundation
import Testing
import Pipeline
@testable import Report

/// The report as a reader's browser draws it: headless Chromium at a phone's width and at A4's,
/// a page that is not blank, no chart outside its box, nothing wider than the screen; and a
/// PDF as it prints. The pictures stay in `.build/report-screenshots/` to be looked at.
@Suite(.serialized) struct BrowserTests {
    static let widths = [("phone", 390), ("a4", 794)]
    static let screenshots = ReportHarness.repo.appendingPathComponent(".build/report-screenshots")

    @Test(.enabled(if: Browser.path != nil, Comment(rawValue: Browser.missing)))
    func aRealBrowserDrawsTheReportOnAPhoneAndOnA4() throws {
        let h = try ReportHarness()
        let summary = try h.run(try h.drop(children: 3_000), config: try h.config { $0.smallCellMinimum = 40 })
        let report = h.state.run(summary.run).root.appendingPathComponent("report.html")
        let charts = try ReportPage(try String(contentsOf: report, encoding: .utf8)).all("svg").count
        #expect(charts >= 8)
        try FileManager.default.createDirectory(at: Self.screenshots, withIntermediateDirectories: true)
        try Self.check(report, charts: charts, name: "da")

        // English, from the same warehouse.
        let english = h.root.appendingPathComponent("report-en.html")
        try ReportWriter.render(connection: try h.db.connect(), options: { _ in .init(language: .en) }).html.write(to: english, atomically: true, encoding: .utf8)
        try Self.check(english, charts: charts, name: "en")

        // As it prints: A4 pages.
        let pdf = Self.screenshots.appendingPathComponent("report-da.pdf")
        try? FileManager.default.removeItem(at: pdf)
        _ = try Browser.run(["--no-pdf-header-footer", "--print-to-pdf=\(pdf.path)", report.absoluteString])
        let bytes = try Data(contentsOf: pdf)
        #expect(bytes.starts(with: Data("%PDF".utf8)))
        let text = String(decoding: bytes, as: UTF8.self)
        let pages = text.components(separatedBy: "/Type /Page").count - 1 - (text.components(separatedBy: "/Type /Pages").count - 1)
        #expect(pages >= 4, "the report prints on \(pages) pages")
        #expect(text.contains("/MediaBox [0 0 595") || text.contains("/MediaBox [0 0 594"), "the pages are not A4")
    }

    static func check(_ report: URL, charts: Int, name: String) throws {
        let folder = report.deletingLastPathComponent()
        let kept = screenshots.appendingPathComponent("report-\(name).html")
        try? FileManager.default.removeItem(at: kept)
        try FileManager.default.copyItem(at: report, to: kept)
        for (label, width) in widths {
            let m = try Browser.measure(report, width: width, in: folder)
            #expect(m.width == Double(width))
            #expect(m.charts.count == charts, "\(name) \(label): \(m.charts.count) charts drawn of \(charts)")
            #expect(m.textLength > 3_000, "\(name) \(label): the page has \(m.textLength) characters of text")
            #expect(m.scrollWidth <= m.width, "\(name) \(label): the page is \(m.scrollWidth) px wide on a \(m.width) px screen")
            #expect(m.wideTables.isEmpty, "\(name) \(label): tables wider than the screen: \(m.wideTables)")
            for chart in m.charts {
                let inside = chart.box.l >= chart.parent.l - 1 && chart.box.r <= chart.parent.r + 1 && chart.box.r <= m.width
                #expect(inside, "\(name) \(label): \(chart.id) sticks out of its box: \(chart.box) in \(chart.parent)")
                #expect(chart.box.r - chart.box.l > 200, "\(name) \(label): \(chart.id) is drawn \(chart.box.r - chart.box.l) px wide")
                // Nothing drawn outside the drawing's own area (clipped text, a label off the edge).
                let c = chart.content, v = chart.viewBox
                #expect(c.l >= v.l - 0.5 && c.r <= v.r + 0.5 && c.t >= v.t - 0.5 && c.b <= v.b + 0.5,
                        "\(name) \(label): \(chart.id) draws \(c) outside its viewBox \(v)")
            }

            // The picture: the whole page, not blank (a blank page of that size packs to almost nothing).
            let height = Int(min(m.height, 30_000))
            let png = screenshots.appendingPathComponent("report-\(name)-\(label).png")
            try? FileManager.default.removeItem(at: png)
            try Browser.screenshot(report, width: width, height: height, to: png, in: folder)
            let blankPage = folder.appendingPathComponent("blank.html")
            try "<!DOCTYPE html><html><body></body></html>".write(to: blankPage, atomically: true, encoding: .utf8)
            let blank = folder.appendingPathComponent("blank-\(width).png")
            try Browser.screenshot(blankPage, width: width, height: height, to: blank, in: folder)
            let size = try FileManager.default.attributesOfItem(atPath: png.path)[.size] as? Int ?? 0
            let blankSize = try FileManager.default.attributesOfItem(atPath: blank.path)[.size] as? Int ?? 0
            #expect(size > 20 * max(blankSize, 1), "\(name) \(label): the picture (\(size) bytes) is hardly more than a blank page (\(blankSize))")
            #expect(try Self.pngSize(png) == (max(width, Browser.narrowestWindow), height))
        }
    }

    /// Width and height from a PNG's header.
    static func pngSize(_ url: URL) throws -> (Int, Int) {
        let header = try Data(contentsOf: url).prefix(24)
        guard header.count == 24 else { return (0, 0) }
        let bytes = [UInt8](header)
        func be(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
        return (be(16), be(20))
    }
}
