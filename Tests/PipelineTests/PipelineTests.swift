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

    /// Every day of the tables' years and around them (1800–2199 and 1900–2199 by table,
    /// the rest by formula) is the day after the one before, reads back as its date and is
    /// written as it.
    @Test func everyDayFrom1700To2300IsTheDayAfterTheOneBefore() {
        var previous = Day(year: 1699, month: 12, day: 31)!
        for y in 1700...2300 {
            for m in 1...12 {
                for d in 1...Day.daysIn(month: m, year: y) {
                    let day = Day(year: y, month: m, day: d)!
                    let iso = String(y) + "-" + (m < 10 ? "0" : "") + String(m) + "-" + (d < 10 ? "0" : "") + String(d)
                    guard day.rawValue == previous.rawValue + 1, day.civil == (y, m, d), day.description == iso else {
                        Issue.record("\(y)-\(m)-\(d): \(day.rawValue) after \(previous.rawValue)"); return
                    }
                    previous = day
                }
            }
        }
    }

    /// Every day of four-digit years (those of the table among them) as the general way writes
    /// it, and the days either side: five digits once were a crash.
    @Test func everyDayOfFourDigitYearsIsWrittenAsTheGeneralWayWritesIt() {
        let fast = UnsafeMutableRawPointer.allocate(byteCount: Day.isoMaxBytes, alignment: 8)
        let slow = UnsafeMutableRawPointer.allocate(byteCount: Day.isoMaxBytes, alignment: 8)
        defer { fast.deallocate(); slow.deallocate() }
        let first = Day(year: 1000, month: 1, day: 1)!, last = Day(year: 9999, month: 12, day: 31)!
        for raw in (first.rawValue - 2)...(last.rawValue + 2) {
            let day = Day(rawValue: raw)
            let n = day.writeISO(to: fast), m = day.writeISOSlowly(to: slow)
            guard n == m, memcmp(fast, slow, n) == 0 else {
                Issue.record("\(day.civil): \(String(decoding: UnsafeRawBufferPointer(start: fast, count: n), as: UTF8.self))"); return
            }
        }
        #expect((first - 1).iso == "0999-12-31" && (last + 1).iso == "10000-01-01")
    }

    @Test func refusesDaysThatDoNotExist() {
        #expect(Day(year: 2013, month: 2, day: 31) == nil)
        #expect(Day(year: 2021, month: 2, day: 29) == nil)
        #expect(Day(year: 2000, month: 2, day: 29) != nil)
        #expect(Day(year: 1900, month: 2, day: 29) == nil)
        #expect(Day(year: 2020, month: 13, day: 1) == nil)
        for (m, d) in [(0, 1), (-1, 1), (1, 0), (1, 32), (4, 31), (6, 31), (9, 31), (11, 31), (12, 32), (Int.min, 1), (1, Int.max)] {
            #expect(Day(year: 2024, month: m, day: d) == nil, "\(m)-\(d)")
        }
    }

    /// The ends of what a `Day` holds, ± 5 million years, and years before 0, read back.
    @Test func holdsFiveMillionYearsEitherWay() {
        for (y, m, d) in [(5_000_000, 12, 31), (-5_000_000, 1, 1), (0, 2, 29), (-1, 12, 31), (-100, 2, 28), (-400, 2, 29), (1, 1, 1)] {
            let civil = Day(year: y, month: m, day: d)?.civil
            #expect(civil?.year == y && civil?.month == m && civil?.day == d, "\(y)-\(m)-\(d)")
        }
        #expect(Day(year: -1, month: 12, day: 31)!.rawValue + 1 == Day(year: 0, month: 1, day: 1)!.rawValue)
        #expect(Day(year: 0, month: 1, day: 1)!.rawValue == -719_528)
        #expect(Day(year: -100, month: 2, day: 29) == nil && Day(year: -400, month: 2, day: 29) != nil)
        #expect(Day(year: 5_000_001, month: 1, day: 1) == nil && Day(year: -5_000_001, month: 12, day: 31) == nil)
        #expect(Day(year: Int.max, month: 1, day: 1) == nil && Day(year: Int.min, month: 1, day: 1) == nil)
        #expect(Day(year: 2024, month: Int.max, day: 1) == nil && Day(year: 2024, month: 1, day: Int.min) == nil)
        #expect(Day(year: Int.max - 4_999_999, month: 3, day: 1) == nil && Day(year: Int.min + 4_999_999, month: 1, day: 1) == nil)
        #expect(Day(year: 2024, month: 2, day: 30) == nil && Day(year: 2024, month: 2, day: 29) != nil)
    }

    /// The branch-free constructor against the formula it replaced (the switch on the month and
    /// Hinnant's days_from_civil on signed years), for every month and day number 0–32 of
    /// years across the range, before year 0 too.
    @Test func agreesWithTheSignedFormula() {
        func length(_ month: Int, _ year: Int) -> Int {
            switch month {
            case 2: return Day.isLeap(year) ? 29 : 28
            case 4, 6, 9, 11: return 30
            default: return 31
            }
        }
        func reference(_ year: Int, _ month: Int, _ day: Int) -> Int32? {
            guard month >= 1, month <= 12, day >= 1, day <= length(month, year),
                  year >= -5_000_000, year <= 5_000_000 else { return nil }
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yoe = y - era * 400
            let mp = month > 2 ? month - 3 : month + 9
            let doy = (153 * mp + 2) / 5 + day - 1
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
            return Int32(era * 146097 + doe - 719468)
        }
        var years = Array(-2_000...2_500) + [-5_000_001, -5_000_000, -4_999_999, -400, 4_999_999, 5_000_000, 5_000_001]
        years += stride(from: -5_000_000, through: 5_000_000, by: 99_991)
        for y in years {
            for m in -1...14 {
                for d in -1...32 where Day(year: y, month: m, day: d)?.rawValue != reference(y, m, d) {
                    Issue.record("\(y)-\(m)-\(d): \(String(describing: Day(year: y, month: m, day: d))) against \(String(describing: reference(y, m, d)))")
                    return
                }
            }
        }
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

@Suite struct EventTypeTests {
    /// The stage text of each type is its raw value, and reads back as that type; texts that
    /// are a type's with a byte more, less or changed read as none.
    @Test func stageTextsAreTheRawValues() {
        for type in EventType.allCases {
            let text = Array(type.stageText)
            #expect(text == Array(type.rawValue.utf8))
            #expect(text.withUnsafeBytes { EventType(stageText: $0) } == type)
            for other in [text + [0x5F], Array(text.dropLast()), [0x55] + text.dropFirst()] {
                #expect(other.withUnsafeBytes { EventType(stageText: $0) } == nil, "\(other)")
            }
        }
        #expect([UInt8]().withUnsafeBytes { EventType(stageText: $0) } == nil)
    }
}

@Suite struct CopyTextTests {
    /// Every byte that needs escaping, and bytes either side of it, at every offset of texts
    /// of 0 to 40 bytes, escape as one byte at a time does.
    @Test func escapesEveryByteAtEveryOffset() {
        func reference(_ text: [UInt8]) -> [UInt8] {
            text.flatMap { c -> [UInt8] in
                switch c {
                case 0x09: [0x5C, 0x74]
                case 0x0A: [0x5C, 0x6E]
                case 0x0D: [0x5C, 0x72]
                case 0x5C: [0x5C, 0x5C]
                default: [c]
                }
            }
        }
        let bytes: [UInt8] = [0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x5B, 0x5C, 0x5D, 0x00, 0x80, 0xDC, 0xFF, 0x41]
        for length in 0...40 {
            for offset in 0..<max(length, 1) {
                for (c, second) in bytes.flatMap({ c in [(c, false), (c, true)] }) {
                    var text = (0..<length).map { UInt8(truncatingIfNeeded: 0x61 + $0 % 26) }
                    if length > 0 { text[offset] = c }
                    if second, length > 3 { text[length - 1] = 0x5C }   // a second one, in the tail or a word
                    // The text between bytes that would change the output if read, written to
                    // exactly twice its length followed by guard bytes that must stay.
                    let buffer = [0x5C, 0x09] + text + [0x5C, 0x0A, 0x5C, 0x09, 0x5C, 0x0D, 0x5C, 0x5C]
                    var written = [UInt8](repeating: 0xEE, count: 2 * length + 8)
                    let n = buffer.withUnsafeBytes { b in
                        written.withUnsafeMutableBufferPointer { CopyText.escape(UnsafeRawBufferPointer(rebasing: b[2..<(2 + length)]), to: $0.baseAddress!) }
                    }
                    let out = Array(written[..<n])
                    guard out == reference(text), written[(2 * length)...].allSatisfy({ $0 == 0xEE }) else {
                        Issue.record("length \(length), byte \(c) at \(offset): \(out) against \(reference(text))"); return
                    }
                }
            }
        }
    }

    @Test func escapesAndReadsBack() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("copytext-\(UUID()).tsv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let w = try StageFileWriter(path: path)
        w.field("tab\there"); w.field("line\nbreak\\"); w.field(nil as String?); w.field(-42); w.field(Day(year: 2001, month: 2, day: 3))
        try w.endRecord()
        w.field("Børnehuset Mælkebøtten"); w.field(""); w.field(0); w.field(0); w.field(nil as Day?)
        try w.endRecord()
        _ = try w.close(name: "copytext.tsv")
        var rows: [[String?]] = []
        try StageFileReader.forEach(path: path) { f, _ in rows.append((0..<f.count).map { StageField.string(f[$0]) }) }
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
        #expect(config.sources.institutions.dateFormats == [.iso], "XML dates are ISO (exports.md)")
        #expect(config.sources.enrolments.dateFormats == [.danish, .iso])
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
        let error = #expect(throws: ConfigFileError.self) { try PipelineConfig.parse(text, path: "x.yaml") }
        #expect(error?.key == "keep_run")
        #expect(error?.line == line)
        #expect(error?.description.hasPrefix("x.yaml:\(line): keep_run: unknown key") == true)
    }

    @Test func refusesAMissingMapping() throws {
        let text = try Self.variant { $0.replacingOccurrences(of: "      indmeldt: indmeldt\n", with: "") }
        let error = #expect(throws: ConfigFileError.self) { try PipelineConfig.parse(text, path: "x.yaml") }
        #expect(error?.key == "sources.indmeldelser.columns.indmeldt")
        #expect(error?.message.contains("missing mapping") == true)
    }

    @Test func refusesBadValues() throws {
        for (from, to, key) in [("encoding: utf-8", "encoding: utf-16", "sources.socialraadgivere.encoding"),
                                ("from: 2012-01-01", "from: 2012-13-01", "window.from"),
                                ("reject_threshold: 0.10", "reject_threshold: 5", "reject_threshold"),
                                // Beyond the warehouse's integer: it failed in the load (an adversarial review).
                                ("small_cell_minimum: 5", "small_cell_minimum: 3000000000", "small_cell_minimum"),
                                ("small_cell_minimum: 5", "small_cell_minimum: 0", "small_cell_minimum"),
                                ("format: xml", "format: json", "sources.institutioner.format")] {
            let text = try Self.variant { $0.replacingOccurrences(of: from, with: to) }
            let error = #expect(throws: ConfigFileError.self) { try PipelineConfig.parse(text, path: "x.yaml") }
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
        #expect(config.sources.caseEvents.dateFormats == [.iso])
        #expect(config.sources.caseEvents.column("haendelse") == "type")
        #expect(config.sources.institutions.column("bydel") == "omraade")
    }

    /// Export tools and PostgreSQL name encodings otherwise than the IANA registry's names.
    @Test func readsEncodingAliases() throws {
        for (name, encoding) in [("UTF8", TextEncoding.utf8), ("utf_8", .utf8), ("CP1252", .windows1252), ("Windows1252", .windows1252),
                                 ("latin1", .latin1), ("LATIN-1", .latin1), ("ISO_8859-1", .latin1)] {
            let text = try Self.variant { $0.replacingOccurrences(of: "encoding: utf-8", with: "encoding: \(name)") }
            #expect(try PipelineConfig.parse(text, path: "x.yaml").sources.assignments.encoding == encoding, "\(name)")
        }
        for name in ["utf-16", "latin9", "cp-1252x"] {
            let text = try Self.variant { $0.replacingOccurrences(of: "encoding: utf-8", with: "encoding: \(name)") }
            let error = #expect(throws: ConfigFileError.self) { try PipelineConfig.parse(text, path: "x.yaml") }
            #expect(error?.message.contains("is not one of utf-8, windows-1252, iso-8859-1") == true, "\(name)")
        }
    }
}

@Suite struct EvaluationPeriodsTests {
    func d(_ iso: String) -> Day { Day(iso: iso)! }
    func text(_ p: EvaluationPeriods) -> [String] { p.periods.map { "\($0.lowerBound)…\($0.upperBound)" } }

    @Test func quartersWhollyInsideTheWindow() {
        let p = EvaluationPeriods(window: d("2012-01-01")...d("2026-11-21"), length: .quarter)
        #expect(p.count == 59)  // 2012Q1 … 2026Q3; 2026Q4 ends after the window
        #expect(text(p).prefix(2) == ["2012-01-01…2012-03-31", "2012-04-01…2012-06-30"])
        #expect(text(p).last == "2026-07-01…2026-09-30")
        #expect(p[5].lowerBound == d("2013-01-01"))
        #expect(p.span == d("2012-01-01")...d("2026-09-30"))
        // A window starting a day into a quarter starts with the next one.
        let late = EvaluationPeriods(window: d("2012-01-02")...d("2012-12-31"), length: .quarter)
        #expect(text(late) == ["2012-04-01…2012-06-30", "2012-07-01…2012-09-30", "2012-10-01…2012-12-31"])
        let mid = EvaluationPeriods(window: d("2012-02-15")...d("2012-09-29"), length: .quarter)
        #expect(text(mid) == ["2012-04-01…2012-06-30"])
    }

    @Test func halfYearsAndYears() {
        let halves = EvaluationPeriods(window: d("2019-03-01")...d("2021-06-30"), length: .halfYear)
        #expect(text(halves) == ["2019-07-01…2019-12-31", "2020-01-01…2020-06-30", "2020-07-01…2020-12-31",
                                 "2021-01-01…2021-06-30"])
        let years = EvaluationPeriods(window: d("2019-01-01")...d("2021-12-30"), length: .year)
        #expect(text(years) == ["2019-01-01…2019-12-31", "2020-01-01…2020-12-31"])
        #expect(EvaluationPeriods(window: d("2019-01-02")...d("2019-12-31"), length: .year).count == 0)
        #expect(EvaluationPeriods(window: d("2019-01-02")...d("2019-12-31"), length: .year).span == nil)
    }

    @Test func periodOfADay() {
        let p = EvaluationPeriods(window: d("2019-11-15")...d("2021-03-31"), length: .quarter)
        #expect(p[1].lowerBound == d("2020-01-01"))
        #expect(p.period(of: d("2019-12-31")) == nil)
        #expect(p.period(of: d("2020-01-01")) == 1)
        #expect(p.period(of: d("2020-02-29")) == 1)
        #expect(p.period(of: d("2020-04-01")) == 2)
        #expect(p.period(of: d("2021-03-31")) == 5)
        #expect(p.period(of: d("2021-04-01")) == nil)
        // Every day of every period is in that period, and nowhere else.
        for k in 1...p.count {
            var day = p[k].lowerBound
            while day <= p[k].upperBound { #expect(p.period(of: day) == k); day = day + 1 }
        }
        #expect(EvaluationPeriodLength(months: 6) == .halfYear)
        #expect(EvaluationPeriodLength(months: 4) == nil)
    }
}

extension PipelineConfigTests {
    @Test func evaluationDefaultsToQuartersAgainstTheNeverCovered() throws {
        let text = try Self.variant {
            $0.replacingOccurrences(of: "evaluation:\n  period: quarter\n  control_group: never_treated\n", with: "")
        }
        #expect(!text.contains("evaluation:"))
        let config = try PipelineConfig.parse(text, path: "x.yaml")
        #expect(config.evaluation.period == .quarter)
        #expect(config.evaluation.controlGroup == .neverTreated)
    }

    @Test func readsTheEvaluationKey() throws {
        let base = try Self.variant { $0 }
        #expect(base.contains("\nevaluation:\n  period: quarter\n  control_group: never_treated\n"), "copenhagen.yaml states the defaults")
        let text = base.replacingOccurrences(of: "  period: quarter\n  control_group: never_treated\n",
                                             with: "  period: half_year\n  control_group: not_yet_treated\n")
        let config = try PipelineConfig.parse(text, path: "x.yaml")
        #expect(config.evaluation.period == .halfYear)
        #expect(config.evaluation.controlGroup == .notYetTreated)
    }

    @Test func refusesABadEvaluationKeyWithItsLine() throws {
        let base = try Self.variant { $0 }
        for (from, to, key, message) in [
            ("  period: quarter", "  period: month", "evaluation.period", "'month' is not one of quarter, half_year, year"),
            ("  control_group: never_treated", "  control_group: everyone", "evaluation.control_group", "is not one of"),
            ("  period: quarter", "  periods: quarter", "evaluation.periods", "unknown key"),
        ] {
            let text = base.replacingOccurrences(of: from, with: to)
            let line = text.components(separatedBy: "\n").firstIndex { $0 == to }! + 1
            let error = #expect(throws: ConfigFileError.self) { try PipelineConfig.parse(text, path: "x.yaml") }
            #expect(error?.key == key)
            #expect(error?.line == line)
            #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
        }
        let scalar = base.replacingOccurrences(of: "evaluation:\n  period: quarter\n  control_group: never_treated\n",
                                               with: "evaluation: quarter\n")
        let error = #expect(throws: ConfigFileError.self) { try PipelineConfig.parse(scalar, path: "x.yaml") }
        #expect(error?.key == "evaluation")
        #expect(error?.line != nil)
    }
}

/// The per-source keys of issue 16, read from `pipelines/copenhagen-wfs.yaml` and each
/// refused with its file, line and key when wrong.
@Suite struct SourceSettingsTests {
    static let repo = PipelineConfigTests.repo

    static func wfs(_ edit: (String) -> String = { $0 }) throws -> String {
        edit(try String(contentsOf: repo.appendingPathComponent("pipelines/copenhagen-wfs.yaml"), encoding: .utf8))
    }

    @Test func readsTheWFSPipeline() throws {
        let config = try PipelineConfig.load(path: Self.repo.appendingPathComponent("pipelines/copenhagen-wfs.yaml").path)
        let register = config.sources.institutions
        #expect(register.format == .csv && register.delimiter == UInt8(ascii: ",") && register.file == "dagtilbud.csv")
        #expect(register.rejectThreshold == 0.25 && config.rejectThreshold == 0.10)
        #expect(config.sources.enrolments.rejectThreshold == nil)
        #expect(register.numberPattern == "^[0-9]+$")
        #expect(register.columns == ["nummer": "institutions_id", "navn": "enhedsnavn", "type": "type", "bydel": "bydel", "klynge": "kkorgnr"])
        #expect(register.column("pladser") == nil)
        #expect(register.values["type"] == .init(contains: [.init(match: "Aldersintegreret", value: "integreret"),
                                                           .init(match: "Vuggestue", value: "vuggestue"),
                                                           .init(match: "Børnehave", value: "boernehave")]))
        #expect(register.filter == nil && register.maxFieldLines == 20 && !register.allowLinkOutsideDrop)
        #expect(register.columnLines["nummer"] == (try Self.wfs()).components(separatedBy: "\n").firstIndex { $0.contains("nummer: institutions_id") }! + 1)
        // The rest as Copenhagen's contract.
        let contract = try PipelineConfig.load(path: Self.repo.appendingPathComponent("pipelines/copenhagen.yaml").path)
        #expect(config.sources.caseEvents.columns == contract.sources.caseEvents.columns)
    }

    @Test func readsEveryNewKey() throws {
        let text = try Self.wfs {
            $0.replacingOccurrences(of: "        # no default: a type matching none is kept as written, counted and warned about\n", with: """
                        exact:
                          Dagpleje: ~
                          '1': vuggestue
                        default: integreret

                """)
            .replacingOccurrences(of: "    # No filter:", with: """
                    max_field_lines: 3
                    allow_link_outside_drop: true
                    filter:
                      keep:
                        kommunekode: [101, 147]
                      skip:
                        ejerforhold: Privat
                    # No filter:
                """)
            .replacingOccurrences(of: "      aarsag: aarsag\n", with: "      aarsag: aarsag\n    values:\n      kilde: {default: null}\n")
        }
        let config = try PipelineConfig.parse(text, path: "x.yaml")
        let register = config.sources.institutions
        #expect(register.values["type"]?.exact == [.init(match: "Dagpleje", value: nil), .init(match: "1", value: "vuggestue")])
        #expect(register.values["type"]?.fallback == .value("integreret"))
        #expect(register.maxFieldLines == 3 && register.allowLinkOutsideDrop)
        #expect(register.filter?.keep.map(\.column) == ["kommunekode"] && register.filter?.keep[0].values == ["101", "147"])
        #expect(register.filter?.skip[0].values == ["Privat"] && register.filter?.keep[0].line != nil)
        #expect(config.sources.caseEvents.values["kilde"]?.fallback == .empty)
    }

    /// Whom the report is for: another municipality's committee, named in its head (a new
    /// steward's trial found every page "til Socialudvalget").
    @Test func theReportsCommitteeIsRead() throws {
        let text = try PipelineConfigTests.variant { $0.replacingOccurrences(of: "report:\n  language: da\n", with: "report:\n  language: da\n  committee: Børne- og Ungeudvalget\n") }
        let config = try PipelineConfig.parse(text, path: "x.yaml")
        #expect(config.report == ReportSettings(language: .da, committee: "Børne- og Ungeudvalget"))
        #expect(try PipelineConfig.parse(try PipelineConfigTests.variant { $0 }, path: "x.yaml").report.committee == nil)
        let blank = try PipelineConfigTests.variant { $0.replacingOccurrences(of: "report:\n  language: da\n", with: "report:\n  language: da\n  committee: '   '\n") }
        let error = #expect(throws: ConfigFileError.self) { try PipelineConfig.parse(blank, path: "x.yaml") }
        #expect(error?.key == "report.committee" && error?.message.contains("give the committee's name") == true, "\(String(describing: error))")
        // A contract word in another case is the contract's (values compare so), written as the contract writes it.
        let mapped = try PipelineConfigTests.variant { $0.replacingOccurrences(of: "      aarsag: aarsag\n", with: "      aarsag: aarsag\n    values:\n      kilde: {exact: {Nabo: ' Andre '}, default: POLITI}\n") }
        let kilde = try PipelineConfig.parse(mapped, path: "x.yaml").sources.caseEvents.values["kilde"]
        #expect(kilde?.exact.first?.value == "andre" && kilde?.fallback == .value("politi"))
    }

    /// Optional fields may be left out or mapped to null; required ones may not.
    @Test func optionalFieldsMayBeUnmapped() throws {
        let text = try PipelineConfigTests.variant {
            $0.replacingOccurrences(of: "      udmeldt: udmeldt\n", with: "")
              .replacingOccurrences(of: "      kilde: kilde\n", with: "      kilde: null\n")
              .replacingOccurrences(of: "      til: til\n", with: "      til: ~\n")
        }
        let config = try PipelineConfig.parse(text, path: "x.yaml")
        #expect(config.sources.enrolments.column("udmeldt") == nil && config.sources.caseEvents.column("kilde") == nil)
        #expect(config.sources.assignments.column("til") == nil && config.sources.assignments.column("fra") == "fra")
        for (field, line) in [("cpr", "      cpr: cpr\n"), ("dato", "      dato: dato\n"), ("nummer", "      nummer: nummer\n")] {
            let text = try PipelineConfigTests.variant { $0.replacingOccurrences(of: line, with: "      \(field): null\n") }
            let error = #expect(throws: ConfigFileError.self) { try PipelineConfig.parse(text, path: "x.yaml") }
            #expect(error?.key.hasSuffix("columns.\(field)") == true)
            #expect(error?.message.contains("missing mapping") == true && error?.message.contains("required") == true)
            #expect(error?.line != nil)
        }
    }

    /// Each wrong value of a new key: refused with the line it is on, its key and why.
    @Test(arguments: [
        ("reject_threshold: 0.25", "reject_threshold: 2", "sources.institutioner.reject_threshold", "between 0 and 1"),
        ("reject_threshold: 0.25", "reject_threshold: many", "sources.institutioner.reject_threshold", "must be a number"),
        ("nummer_pattern: \"^[0-9]+$\"", "nummer_pattern: \"^[0-9+$\"", "sources.institutioner.nummer_pattern", "not a regular expression"),
        ("    date_formats: [dd-mm-yyyy, yyyy-mm-dd]\n    columns:\n      cpr: cpr",
         "    date_formats: [dd-mm-yyyy, yyyy-mm-dd]\n    nummer_pattern: x\n    columns:\n      cpr: cpr",
         "sources.indmeldelser.nummer_pattern", "only for the register"),
        ("          Vuggestue: vuggestue", "          Vuggestue: vuggestue\n          VUGGESTUE: boernehave",
         "sources.institutioner.values.type.contains.VUGGESTUE", "the same as 'Vuggestue'"),
        ("        contains:", "        contain:", "sources.institutioner.values.type.contain", "unknown key"),
        ("    values:\n      type:", "    values:\n      pladser: {default: x}\n      type:", "sources.institutioner.values.pladser", "unknown key; expected one of navn, type, bydel, klynge"),
        ("    values:\n      type:", "    values:\n      bydel: {}\n      type:", "sources.institutioner.values.bydel", "at least one of exact, contains, default"),
        ("        # no default", "        default: [a, b]\n        # no default", "sources.institutioner.values.type.default", "non-empty text"),
        ("    # No filter:", "    filter: {}\n    # No filter:", "sources.institutioner.filter", "give keep, skip or both"),
        ("    # No filter:", "    filter:\n      drop: {a: b}\n    # No filter:", "sources.institutioner.filter.drop", "unknown key"),
        ("    # No filter:", "    filter:\n      keep: {kommunekode: []}\n    # No filter:", "sources.institutioner.filter.keep.kommunekode", "at least one value"),
        ("    # No filter:", "    filter:\n      keep: {kommunekode: {a: b}}\n    # No filter:", "sources.institutioner.filter.keep.kommunekode", "a value or a list"),
        ("    # No filter:", "    max_field_lines: 0\n    # No filter:", "sources.institutioner.max_field_lines", "1 or more"),
        ("    delimiter: \",\"", "    delimiter: '\\t'", "sources.institutioner.delimiter", "a tab is written \"\\t\", in double quotes"),
        ("    # No filter:", "    allow_link_outside_drop: maybe\n    # No filter:", "sources.institutioner.allow_link_outside_drop", "true or false"),
        ("      klynge: kkorgnr", "      klynge: enhedsnavn", "sources.institutioner.columns.navn", "mapped to 'klynge' too"),
        ("      cpr: cpr\n      institutionsnummer", "      cpr: cpr\n    values: {cpr: {default: x}}\n      institutionsnummer",
         "(file)", "not valid YAML"),
        // A rule's value of a closed field is a word of the contract: `anden` was loaded as a category (a new steward's trial).
        ("      aarsag: aarsag\n", "      aarsag: aarsag\n    values:\n      kilde:\n        exact:\n          Anonym: anden\n",
         "sources.sagshaendelser.values.kilde.exact.Anonym", "'anden' is no value of the contract here: one of andre, daginstitution"),
        ("      aarsag: aarsag\n", "      aarsag: aarsag\n    values:\n      aarsag: {default: Andre}\n",
         "sources.sagshaendelser.values.aarsag.default", "'Andre' is no value of the contract here"),
        // A required field emptied by a rule: every record it matches would be rejected as empty (a re-test).
        ("      aarsag: aarsag\n", "      aarsag: aarsag\n    values:\n      haendelse: {exact: {sag_flyttet: null}}\n",
         "sources.sagshaendelser.values.haendelse.exact.sag_flyttet", "null would empty haendelse, which every record needs"),
        ("      aarsag: aarsag\n", "      aarsag: aarsag\n    values:\n      haendelse: {default: null}\n",
         "sources.sagshaendelser.values.haendelse.default", "null would empty haendelse"),
    ])
    func eachNewKeyIsRefusedWithItsLine(from: String, to: String, key: String, message: String) throws {
        let text = try Self.wfs { $0.replacingOccurrences(of: from, with: to) }
        #expect(text != (try Self.wfs()), "the edit \(from) applies")
        let error = #expect(throws: ConfigFileError.self) { try PipelineConfig.parse(text, path: "x.yaml") }
        #expect(error?.key == key, "\(String(describing: error))")
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        if key != "(file)" {
            // The line named is the key's own (or, for a missing or empty value, its mapping's first line).
            let lines = text.components(separatedBy: "\n")
            let last = String(key.split(separator: ".").last!)
            let candidates = lines.indices.filter { lines[$0].contains(last + ":") || lines[$0].contains("{") }.map { $0 + 1 }
            #expect(error?.line.map(candidates.contains) == true, "line \(String(describing: error?.line)) for \(key)")
            #expect(error?.description.hasPrefix("x.yaml:\(error?.line ?? 0): ") == true)
        }
    }

    @Test(arguments: [
        ("a: 1\nb: [1, 2\nc: 3\n", 3, "(column 2): while parsing a flow sequence begun on line 2, did not find expected ',' or ']'"),
        ("a: 1\n  b: 2\n", 2, "(column 4): mapping values are not allowed in this context"),
        ("a: 1\nb: \"0101011234\n", 3, "(column 1): while scanning a quoted scalar begun on line 2, found unexpected end of stream"),
        ("a: 1\nb: \u{7}\n", 2, "control characters are not allowed"),
    ])
    func aFileThatIsNotYAMLIsRefusedAtItsLineWithoutQuotingIt(text: String, line: Int, message: String) throws {
        let error = #expect(throws: ConfigFileError.self) { try PipelineConfig.parse(text, path: "x.yaml") }
        #expect(error?.line == line, "\(String(describing: error))")
        #expect(error?.message.hasPrefix("not valid YAML") == true)
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(error?.description.contains("\n") == false, "one line")
        #expect(error?.description.contains("0101011234") == false, "the file's text is not quoted")
    }

    @Test func aValueMapNeedsItsFieldMapped() throws {
        let text = try Self.wfs {
            $0.replacingOccurrences(of: "      bydel: bydel            # empty on some rows: read as empty", with: "      bydel: null")
              .replacingOccurrences(of: "    values:\n      type:", with: "    values:\n      bydel: {default: Ukendt}\n      type:")
        }
        let error = #expect(throws: ConfigFileError.self) { try PipelineConfig.parse(text, path: "x.yaml") }
        #expect(error?.key == "sources.institutioner.values.bydel")
        #expect(error?.message == "'bydel' is not mapped under columns; map it first")
        #expect(error?.line == text.components(separatedBy: "\n").firstIndex { $0.contains("bydel: {default: Ukendt}") }! + 1)
    }

    @Test func xmlSourcesRefuseCSVSettings() throws {
        for setting in ["max_field_lines: 5", "delimiter: \",\""] {
            let text = try PipelineConfigTests.variant { $0.replacingOccurrences(of: "    element: Institution\n", with: "    element: Institution\n    \(setting)\n") }
            let error = #expect(throws: ConfigFileError.self) { try PipelineConfig.parse(text, path: "x.yaml") }
            #expect(error?.message == "only for CSV sources")
            #expect(error?.line == text.components(separatedBy: "\n").firstIndex { $0.contains(setting) }! + 1)
        }
        // And the exports without mappable fields refuse value maps.
        let text = try PipelineConfigTests.variant { $0.replacingOccurrences(of: "      udmeldt: udmeldt\n", with: "      udmeldt: udmeldt\n    values: {}\n") }
        let error = #expect(throws: ConfigFileError.self) { try PipelineConfig.parse(text, path: "x.yaml") }
        #expect(error?.message.contains("no field whose values can be mapped") == true)
    }
}
