import Glibc
import Synchronization

/// Closed once the process is being stopped (`StopSignals`' handler closes it): from then on
/// no transaction commits. A thread about to commit waits instead for the process to end,
/// and the server rolls its transaction back when the session goes. Without the gate a run
/// stopped mid-load went on to commit and publish in the moment before the signal ended it
/// (a flaky end-to-end test saw the stopped night's figures published).
package enum CommitGate {
    private static let closed = Atomic<Bool>(false)

    /// Async-signal-safe: one lock-free store. Touch `isClosed` once before a handler may
    /// call it, so the handler never runs the static's lazy initialisation.
    package static func close() { closed.store(true, ordering: .sequentiallyConsistent) }

    package static var isClosed: Bool { closed.load(ordering: .sequentiallyConsistent) }

    /// Returns at once while open; once closed, never (the stop ends the process).
    package static func pass() {
        while isClosed { sleep(1) }
    }
}
