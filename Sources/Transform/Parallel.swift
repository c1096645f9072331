import Dispatch
import Foundation

/// Runs independent pieces of work on all cores, results in index order so output stays
/// deterministic whatever the scheduling.
enum Parallel {
    static var cores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// `body(i)` for every i in 0..<count, concurrently; the results in index order.
    static func map<T>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        guard count > 1 else { return (0..<count).map(body) }
        var slots = [T?](repeating: nil, count: count)
        slots.withUnsafeMutableBufferPointer { slots in
            let out = Disjoint(slots)
            DispatchQueue.concurrentPerform(iterations: count) { i in out[i] = body(i) }
        }
        return slots.map { $0! }
    }

    /// Like `map`, for work that can fail: the first error (by index) is rethrown.
    static func map<T, E: Error>(_ count: Int, _ body: @Sendable (Int) throws(E) -> T) throws(E) -> [T] {
        let results: [Result<T, E>] = map(count) { i in Result { () throws(E) in try body(i) } }
        return try results.map { r throws(E) in try r.get() }
    }

    /// Splits 0..<count into about `pieces` contiguous ranges.
    static func ranges(_ count: Int, pieces: Int) -> [Range<Int>] {
        let n = max(1, min(pieces, count))
        return (0..<n).map { k in (count * k / n)..<(count * (k + 1) / n) }
    }
}

/// A buffer that parallel workers share, each reading and writing only its own elements
/// (a child's slice, a result slot): no two workers touch one element, hence unchecked.
struct Disjoint<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>

    init(_ buffer: UnsafeMutableBufferPointer<T>) { self.buffer = buffer }

    subscript(i: Int) -> T {
        get { buffer[i] }
        nonmutating set { buffer[i] = newValue }
    }
}
