import Foundation
import Testing
import Pipeline
@testable import SyntheticDrop

@Suite struct CPRTests {
    /// Every 7th digit offered decodes to the year, and every digit that does is offered.
    @Test func centuryDigitsFollowTheTable() {
        for year in 1858...2057 {
            let offered = CPRIssuer.centuryDigits(for: year)
            for digit in 0...9 {
                let yy = year % 100
                let text = "0101" + (yy < 10 ? "0" : "") + String(yy) + String(digit) + "001"
                #expect((CPR.birth(text)?.year == year) == offered.contains(digit), "\(year) digit \(digit)")
            }
        }
    }

    @Test func numbersAreUniqueAndCarryTheSex() {
        var issuer = CPRIssuer()
        var rng = SeededRandom(seed: 3)
        let day = Day(year: 2015, month: 3, day: 1)!
        var seen = Set<Int64>()
        for k in 0..<4000 {  // far more children than one day ever has
            let male = k % 2 == 0
            let cpr = issuer.issue(birth: day, male: male, rng: &rng)
            #expect(seen.insert(cpr).inserted)
            #expect((cpr % 2 == 1) == male)
            #expect(cpr / 10_000 == 10_315)
        }
    }

    @Test(arguments: [Fixtures.clean, Fixtures.cleanOther])
    func numbersInTheFilesAreValid(drop: Generated) throws {
        let layout = drop.options.variant.layout
        // Raw CPR texts of the spell file, read straight from the CSV.
        guard case .csv(let delimiter) = layout.spells.format else { Issue.record(); return }
        let (header, records) = readCSV(try drop.bytes(layout.spells.name), delimiter: delimiter.asciiValue!,
                                        windows1252: layout.spells.encoding == .windows1252)
        let column = header.firstIndex(of: layout.spells.columns.first { $0.contract == "cpr" }!.name)!
        var dashed = 0, plain = 0
        var digits = Set<Character>()
        var runs: [String] = []
        for r in records {
            let raw = r.fields[column]
            if raw.contains("-") { dashed += 1 } else { plain += 1 }
            let cpr = try #require(CPR.normalise(raw), "invalid CPR \(raw)")
            let birth = CPR.birth(cpr)!
            #expect(birth >= Day(year: 2005, month: 1, day: 1)! && birth <= Fixtures.asOf)
            digits.insert(Array(cpr)[6])
            if runs.last != cpr { runs.append(cpr) }
        }
        #expect(dashed > 0 && plain > 0, "both forms")
        #expect(digits == Set("456789"), "every 7th digit that fits 2005–2026")
        // A child's spells are written together: a number in two runs would be two children.
        #expect(Set(runs).count == runs.count)
    }
}
