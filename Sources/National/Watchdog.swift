import Foundation
import Synchronization

/// A bound the servers cannot give. A feed whose path keeps TCP up but never answers (a
/// tunnel or proxy whose far side froze, a municipality's PostgreSQL stopped) holds a remote
/// COMMIT, a probe's or the publish's, for ever: PostgreSQL lifts `statement_timeout` before
/// a commit, and keepalives see nothing wrong (an adversarial review found `etl national
/// publish` silent after 111 s, every later one refused). Each watched step has a deadline;
/// past it, `expired` is called with the step (the command says so and exits 69). The
/// coordinator's session then ends as its server sees the client gone, and rolls back.
package final class Watchdog: Sendable {
    /// The process's: armed by a national command, unarmed (watching nothing) in tests.
    package static let process = Watchdog()

    private struct Watched {
        var step: String
        var seconds: Int
        var deadline: ContinuousClock.Instant
    }
    private let watched = Mutex<Watched?>(nil)
    private let expired = Mutex<(@Sendable (_ step: String, _ seconds: Int) -> Void)?>(nil)

    package init() {}

    /// From now on a step past its deadline calls `action` (once), from a thread of its own.
    package func arm(_ action: @escaping @Sendable (_ step: String, _ seconds: Int) -> Void) {
        guard expired.withLock({ old in defer { old = action }; return old == nil }) else { return }
        Thread.detachNewThread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 0.5)
                guard let due = watched.withLock({ w -> Watched? in
                    guard let current = w, ContinuousClock.now > current.deadline else { return nil }
                    w = nil
                    return current
                }) else { continue }
                expired.withLock { $0 }?(due.step, due.seconds)
            }
        }
    }

    /// Runs `body` as `step`, bounded by `seconds` once armed; a step within another keeps
    /// the outer one's watch for after it.
    package func watch<T>(_ step: String, seconds: Int, _ body: () throws -> T) rethrows -> T {
        let outer = watched.withLock { w in
            defer { w = Watched(step: step, seconds: seconds, deadline: .now + .seconds(seconds)) }
            return w
        }
        defer { watched.withLock { $0 = outer } }
        return try body()
    }
}
