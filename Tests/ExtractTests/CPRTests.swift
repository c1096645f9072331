import Pipeline
import Testing
@testable import Extract

@Suite struct CPRTests {
    func birth(_ text: String) -> Day? {
        try? CPR.parse(Array(text.utf8)[...]).get().birth
    }

    func day(_ y: Int, _ m: Int, _ d: Int) -> Day { Day(year: y, month: m, day: d)! }

    @Test(arguments: [
        // 7th digit 0–3: always 1900+YY.
        ("0101000000", 1900), ("0101363999", 1936), ("0101572000", 1957), ("0101993999", 1999),
        // 4 and 9: 2000+YY up to 36, then 1900+YY.
        ("0101364000", 2036), ("0101374000", 1937), ("0101369000", 2036), ("0101379999", 1937),
        ("0101994000", 1999),
        // 5–8: 2000+YY up to 57, then 1800+YY.
        ("0101365000", 2036), ("0101575000", 2057), ("0101585000", 1858), ("0101578999", 2057),
        ("0101588999", 1858), ("0101006000", 2000), ("0101997000", 1899),
    ])
    func centuryTable(cpr: String, year: Int) {
        #expect(birth(cpr) == day(year, 1, 1))
    }

    @Test func acceptsBothFormsAndNormalises() throws {
        let a = try CPR.parse(Array("0102131234".utf8)[...]).get()
        let b = try CPR.parse(Array("010213-1234".utf8)[...]).get()
        #expect(a == b)
        #expect(String(decoding: a.normalised, as: UTF8.self) == "0102131234")
        #expect(a.birth == day(1913, 2, 1))
        #expect(birth("0102134234") == day(2013, 2, 1))
    }

    @Test(arguments: ["3102134234", "2902214234", "0013131234", "3204131234", "290200-1000"])
    func refusesDaysThatDoNotExist(cpr: String) {
        guard case .failure(let invalid) = CPR.parse(Array(cpr.utf8)[...]) else { Issue.record("accepted \(cpr)"); return }
        #expect(invalid.message.contains("does not exist"))
        #expect(!invalid.masked.contains(String(cpr.suffix(4))))
    }

    @Test func leapDaysThatExist() {
        #expect(birth("2902204234") == day(2020, 2, 29))   // 2020
        #expect(birth("2902004000") == day(2000, 2, 29))   // 2000 is a leap year
        #expect(birth("2902001234") == nil)                 // 1900 is not
    }

    @Test(arguments: ["010213123", "01021312345", "0102-13-1234", "01O2131234", "", "010213 1234", "-0102131234-"])
    func refusesWhatIsNotTenDigits(cpr: String) {
        #expect(birth(cpr) == nil)
    }

    @Test func modulus11IsNotChecked() {
        #expect(birth("0102131235") != nil && birth("0102131236") != nil)
    }

    @Test func masksAndNeverEchoes() {
        #expect(CPR.mask(Array("0102131234".utf8)[...]) == "010213-****")
        #expect(CPR.mask(Array("010213-1234".utf8)[...]) == "010213-****")
        #expect(CPR.mask(Array("01021".utf8)[...]) == "(not a CPR number)")
        #expect(CPR.mask(Array("abc".utf8)[...]) == "(not a CPR number)")
        #expect(Echo.text(Array("x 0102131234 y 010213-1234".utf8)[...]) == "x 010213-**** y 010213-****")
    }
}
