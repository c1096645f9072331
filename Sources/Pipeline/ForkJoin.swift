import Dispatch
import Foundation
import Synchronization

/// The one way the stages run work on several cores: independent pieces, forked at once,
/// joined before returning, results in index order (so output never depends on the
/// scheduling). Nothing is shared but what the pieces return, through a `Mutex`.
package enum ForkJoin {
    package static var cores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// `body(i)` for every i in 0..<count, concurrently; the results in index order. When
    /// pieces fail, the error of the first failing index is thrown (after all have ended).
    package static func map<T: Sendable, E: Error>(_ count: Int, _ body: @Sendable (Int) throws(E) -> T) throws(E) -> [T] {
        guard count > 1 else {
            var out: [T] = []
            for i in 0..<count { out.append(try body(i)) }
            return out
        }
        let slots = Mutex<[Result<T, E>?]>(Array(repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let result = Result { () throws(E) in try body(i) }
            slots.withLock { $0[i] = result }
        }
        let results = slots.withLock { $0 }
        var out: [T] = []
        out.reserveCapacity(count)
        for r in results { out.append(try r!.get()) }
        return out
    }

    /// `side(i)` for every i in 0..<count on other threads while `main` runs on this one
    /// (so it may use what cannot leave it, such as a connection in a transaction); joined
    /// before returning. Every outcome is returned, failures too, for the caller to undo
    /// what the others did.
    package static func alongside<T: Sendable, M>(_ count: Int, _ side: @escaping @Sendable (Int) throws -> T,
                                                  main: () throws -> M) -> (main: Result<M, any Error>, side: [Result<T, any Error>]) {
        let slots = Mutex<[Result<T, any Error>?]>(Array(repeating: nil, count: count))
        let group = DispatchGroup()
        for i in 0..<count {
            DispatchQueue.global().async(group: group) {
                let result = Result { try side(i) }
                slots.withLock { $0[i] = result }
            }
        }
        let mainResult = Result { try main() }
        group.wait()
        return (mainResult, slots.withLock { $0 }.map { $0! })
    }

    /// Splits 0..<count into about `pieces` contiguous ranges.
    package static func ranges(_ count: Int, pieces: Int) -> [Range<Int>] {
        let n = max(1, min(pieces, count))
        return (0..<n).map { k in (count * k / n)..<(count * (k + 1) / n) }
    }
}
