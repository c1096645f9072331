import Foundation
import Synchronization
import Testing
@testable import National

@Suite struct WatchdogTests {
    /// A step past its deadline is named to the armed action, once; one done in time, or
    /// the outer step resumed after an inner one, is not.
    @Test func aStepPastItsDeadlineIsNamedOnce() throws {
        let watchdog = Watchdog()
        let named = Mutex<[String]>([])
        #expect(watchdog.watch("unarmed", seconds: 0) { 7 } == 7)
        watchdog.arm { step, seconds in named.withLock { $0.append("\(step) \(seconds)") } }
        watchdog.watch("outer", seconds: 30) {
            watchdog.watch("quick", seconds: 1) { Thread.sleep(forTimeInterval: 0.1) }
            Thread.sleep(forTimeInterval: 1.5)   // past the inner step's second: outer is watched again
        }
        #expect(named.withLock { $0 }.isEmpty)
        watchdog.watch("the probe of Aarhus (751)", seconds: 1) { Thread.sleep(forTimeInterval: 2.5) }
        #expect(named.withLock { $0 } == ["the probe of Aarhus (751) 1"])
        Thread.sleep(forTimeInterval: 1)
        #expect(named.withLock { $0 }.count == 1, "once")
    }
}
