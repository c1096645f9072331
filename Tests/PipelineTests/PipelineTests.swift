import Foundation
import Testing
@testable import Pipeline

@Suite struct DayTests {
    @Test func roundTripsCivilDates() {
        for (y, m, d) in [(1970, 1, 1), (2000, 2, 29), (1899, 12, 31), (2036, 7, 15), (1858, 3, 1)] {
            let day = Day(year: y, month: m, day: d)!
            #expect(day.civil == (y, m, d))
        }
        #expect(Day(year: 1970, month: 1, day: 1)!.rawValue == 0)
        #expect(Day(year: 1969, month: 12, day: 31)!.rawValue == -1)
    }

    @Test func refusesDaysThatDoNotExist() {
        #expect(Day(year: 2013, month: 2, day: 31) == nil)
        #expect(Day(year: 2021, month: 2, day: 29) == nil)
        #expect(Day(year: 2000, month: 2, day: 29) != nil)
        #expect(Day(year: 1900, month: 2, day: 29) == nil)
        #expect(Day(year: 2020, month: 13, day: 1) == nil)
    }

    @Test func parsesTheExportLayouts() {
        let expected = Day(year: 2026, month: 11, day: 21)
        #expect(DateFormat.danish.parse(Array("21-11-2026".utf8)[...]) == expected)
        #expect(DateFormat.iso.parse(Array("2026-11-21".utf8)[...]) == expected)
        #expect(DateFormat.danish.parse(Array("2026-11-21".utf8)[...]) == nil)
        #expect(DateFormat.danish.parse(Array("31-02-2015".utf8)[...]) == nil)
        #expect(DateFormat.danish.matchesShape(Array("31-02-2015".utf8)[...]))
        #expect(!DateFormat.danish.matchesShape(Array("3-2-2015".utf8)[...]))
        #expect(expected?.iso == "2026-11-21")
    }
}

@Suite struct CopyTextTests {
    @Test func escapesAndReadsBack() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("copytext-\(UUID()).tsv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let w = try CopyTextWriter(path: path)
        w.field("tab\there"); w.field("line\nbreak\\"); w.field(nil as String?); w.field(-42); w.field(Day(year: 2001, month: 2, day: 3))
        try w.endRecord()
        w.field("Børnehuset Mælkebøtten"); w.field(""); w.field(0); w.field(0); w.field(nil as Day?)
        try w.endRecord()
        try w.close()
        var rows: [[String?]] = []
        var reader = try CopyTextReader(path: path)
        try reader.forEach { f, _ in rows.append(f.map(CopyField.string)) }
        #expect(rows == [["tab\there", "line\nbreak\\", nil, "-42", "2001-02-03"],
                         ["Børnehuset Mælkebøtten", "", "0", "0", nil]])
    }
}

@Suite struct PipelineConfigTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func readsTheCopenhagenPipeline() throws {
        let config = try PipelineConfig.load(path: Self.repo.appendingPathComponent("pipelines/copenhagen.yaml").path)
        #expect(config.windowFrom == Day(year: 2012, month: 1, day: 1))
        #expect(config.windowTo == nil)
        #expect(config.sources.institutions.format == .xml)
        #expect(config.sources.enrolments.delimiter == UInt8(ascii: ";"))
        #expect(config.sources.caseEvents.column("haendelse") == "haendelse")
        #expect(config.smallCellMinimum == 5)
    }

    static func variant(_ edit: (String) -> String) throws -> String {
        let text = try String(contentsOf: repo.appendingPathComponent("pipelines/copenhagen.yaml"), encoding: .utf8)
        return edit(text)
    }

    @Test func refusesAnUnknownKeyWithItsLine() throws {
        let text = try Self.variant { $0.replacingOccurrences(of: "keep_runs: 7", with: "keep_run: 7") }
        let line = text.components(separatedBy: "\n").firstIndex { $0.hasPrefix("keep_run:") }! + 1
        let error = #expect(throws: PipelineConfigError.self) { try PipelineConfig.parse(text, path: "x.yaml") }
        #expect(error?.key == "keep_run")
        #expect(error?.line == line)
        #expect(error?.description.hasPrefix("x.yaml:\(line): keep_run: unknown key") == true)
    }

    @Test func refusesAMissingMapping() throws {
        let text = try Self.variant { $0.replacingOccurrences(of: "      udmeldt: udmeldt\n", with: "") }
        let error = #expect(throws: PipelineConfigError.self) { try PipelineConfig.parse(text, path: "x.yaml") }
        #expect(error?.key == "sources.indmeldelser.columns.udmeldt")
        #expect(error?.message.contains("missing mapping") == true)
    }

    @Test func refusesBadValues() throws {
        for (from, to, key) in [("encoding: utf-8", "encoding: utf-16", "sources.socialraadgivere.encoding"),
                                ("from: 2012-01-01", "from: 2012-13-01", "window.from"),
                                ("reject_threshold: 0.10", "reject_threshold: 5", "reject_threshold"),
                                ("format: xml", "format: json", "sources.institutioner.format")] {
            let text = try Self.variant { $0.replacingOccurrences(of: from, with: to) }
            let error = #expect(throws: PipelineConfigError.self) { try PipelineConfig.parse(text, path: "x.yaml") }
            #expect(error?.key == key)
            #expect(error?.line != nil)
        }
    }
}

extension PipelineConfigTests {
    @Test func readsTheOtherMunicipalitysPipeline() throws {
        let config = try PipelineConfig.load(path: Self.repo.appendingPathComponent("pipelines/other.yaml").path)
        #expect(config.sources.enrolments.delimiter == UInt8(ascii: ","))
        #expect(config.sources.enrolments.encoding == .windows1252)
        #expect(config.sources.enrolments.dateFormats == [.iso])
        #expect(config.sources.caseEvents.format == .xml)
        #expect(config.sources.caseEvents.column("haendelse") == "type")
        #expect(config.sources.institutions.column("bydel") == "omraade")
    }
}
