import Testing
@testable import Report

/// The geometry every chart stands on: scales map values to the drawing, ticks are round.
@Suite struct ScaleTests {
    @Test func aLinearScaleMapsTheDomainOntoTheRangeEitherWay() {
        let x = LinearScale(domain: 0...10, range: (40, 240))
        #expect(x(0) == 40)
        #expect(x(10) == 240)
        #expect(x(2.5) == 90)
        // A y axis: larger values higher on the page, smaller y.
        let y = LinearScale(domain: -2...6, range: (200, 40))
        #expect(y(-2) == 200)
        #expect(y(6) == 40)
        #expect(y(0) == 160)
    }

    @Test func aDomainOfOnePointIsWidenedNotDividedByZero() {
        let x = LinearScale(domain: 3...3, range: (0, 100))
        #expect(x(3) == 50)
        #expect(x(2) == 0)
    }

    @Test func aLogScalePutsHalfAndDoubleEquallyFarFromOne() {
        let x = LogScale(domain: 0.25...4, range: (0, 400))
        #expect(abs(x(1) - 200) < 1e-9)
        #expect(abs((x(2) - x(1)) - (x(1) - x(0.5))) < 1e-9)
        #expect(abs(x(4) - 400) < 1e-9)
    }

    @Test func stepsAreOneTwoOrFiveTimesAPowerOfTen() {
        #expect(Ticks.step(0, 10, count: 5) == 2)
        #expect(Ticks.step(0, 60, count: 4) == 20)
        #expect(Ticks.step(0, 43, count: 4) == 20)
        #expect(Ticks.step(0, 1, count: 5) == 0.2)
        #expect(Ticks.step(-7.3, 0, count: 5) == 2)
        #expect(Ticks.step(0, 0.003, count: 3) == 0.001)
        #expect(Ticks.step(5, 5, count: 5) == 1)
    }

    @Test func aNiceDomainBeginsAndEndsOnATick() {
        #expect(Ticks.niceDomain(0, 43.0, count: 4) == 0...60)
        #expect(Ticks.niceDomain(-9.78, 0, count: 5) == -10...0)
        #expect(Ticks.niceDomain(1.2, 3.7, count: 5) == 1...4)
        #expect(Ticks.niceDomain(2, 2, count: 5) == 1...3)
        #expect(Ticks.niceDomain(5, 1, count: 4) == 1...5)
    }

    @Test func linearTicksAreExactMultiplesNotSums() {
        #expect(Ticks.linear(0...1, count: 10) == [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1])
        #expect(Ticks.linear(-10...0, count: 5) == [-10, -8, -6, -4, -2, 0])
        #expect(Ticks.linear(0...60, count: 4) == [0, 20, 40, 60])
        // Zero is zero, not 1e-17.
        #expect(Ticks.linear(-0.3...0.3, count: 6).contains(0))
    }

    @Test func tickLabelsHaveTheDecimalsTheirStepNeeds() {
        #expect(Ticks.decimals(for: 5) == 0)
        #expect(Ticks.decimals(for: 0.5) == 1)
        #expect(Ticks.decimals(for: 0.25) == 2)
        #expect(Ticks.decimals(for: 20) == 0)
        #expect(Ticks.decimals(for: 0.001) == 3)
    }

    @Test func logTicksAreRoundAndHoldOne() {
        let narrow = Ticks.log(Ticks.logDomain(1.67, 2.34, including: 1), count: 5)
        #expect(narrow == [1, 1.25, 1.5, 2, 2.5])
        let wider = Ticks.log(0.4...3.2, count: 5)
        #expect(wider == [0.5, 1, 1.5, 2, 3])
        let finer = Ticks.log(0.85...1.3, count: 5)
        #expect(finer == [1, 1.25])
        let wide = Ticks.log(0.05...40, count: 5)
        #expect(wide == [0.1, 1, 10])
        #expect(Ticks.logDomain(1.8, 2.3, including: 1).contains(1))
    }
}
