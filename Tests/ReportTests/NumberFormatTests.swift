import Testing
import Pipeline
@testable import Report

/// Numbers and dates as the administration writes them (glossary).
@Suite struct NumberFormatTests {
    let da = NumberFormat(.da), en = NumberFormat(.en)

    @Test func decimalsAndThousandsFollowTheLanguage() {
        #expect(da.number(1.9417, decimals: 2) == "1,94")
        #expect(en.number(1.9417, decimals: 2) == "1.94")
        #expect(da.integer(12345) == "12.345")
        #expect(en.integer(12345) == "12,345")
        #expect(da.number(1234567.891, decimals: 1) == "1.234.567,9")
        #expect(en.number(1234567.891, decimals: 1) == "1,234,567.9")
        #expect(da.integer(999) == "999")
        #expect(da.number(0.05, decimals: 1) == "0,1")
        #expect(en.number(12, decimals: 0) == "12")
    }

    @Test func negativesUseTheMinusSignAndNeverShowMinusZero() {
        #expect(da.number(-3.84, decimals: 1) == "−3,8")
        #expect(en.number(-0.04, decimals: 1) == "0.0")
        #expect(da.signed(3.14, decimals: 1) == "+3,1")
        #expect(da.signed(-3.14, decimals: 1) == "−3,1")
        #expect(en.signed(0.001, decimals: 2) == "0.00")
        #expect(da.integer(-1200) == "−1.200")
    }

    @Test func datesAreWrittenOut() {
        let day = Day(year: 2026, month: 11, day: 21)!
        #expect(da.date(day) == "21. november 2026")
        #expect(en.date(day) == "21 November 2026")
        #expect(da.date(iso: "2012-01-01") == "1. januar 2012")
        #expect(en.date(iso: "2026-11-22 02:30:00+00") == "22 November 2026")
        #expect(en.date(iso: "not a date") == "not a date")
    }

    @Test func whatIsPrintedParsesBack() {
        for v in [1.94, -3.8, 12345.6, 0, 0.01] {
            #expect(da.parse(da.number(v, decimals: 2)) == (v * 100).rounded() / 100)
            #expect(en.parse(en.signed(v, decimals: 2)) == (v * 100).rounded() / 100)
        }
        #expect(da.parse("færre end 5") == nil)
    }
}
