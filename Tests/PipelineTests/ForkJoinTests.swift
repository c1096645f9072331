import Foundation
import Testing
@testable import Pipeline

@Suite struct ForkJoinTests {
    struct Failed: Error, Equatable { let piece: Int }

    /// `main` runs on the calling thread while the pieces run elsewhere; every outcome comes
    /// back in index order, failures too.
    @Test func alongsideRunsMainHereAndReturnsEveryOutcome() throws {
        let caller = Thread.current
        var mainThread: Thread?
        let outcome = ForkJoin.alongside(3, { i throws -> Int in
            if i == 1 { throw Failed(piece: i) }
            return i * 10
        }, main: { () throws -> String in
            mainThread = Thread.current
            return "main"
        })
        #expect(mainThread === caller)
        #expect(try outcome.main.get() == "main")
        #expect(outcome.side.count == 3)
        #expect(try outcome.side[0].get() == 0)
        #expect(throws: Failed(piece: 1)) { try outcome.side[1].get() }
        #expect(try outcome.side[2].get() == 20)
    }

    @Test func aFailingMainStillWaitsForThePieces() {
        let outcome = ForkJoin.alongside(2, { i -> Int in Thread.sleep(forTimeInterval: 0.05); return i }, main: { () throws -> Int in
            throw Failed(piece: -1)
        })
        #expect(throws: Failed(piece: -1)) { try outcome.main.get() }
        #expect(outcome.side.map { try? $0.get() } == [0, 1])
    }
}
