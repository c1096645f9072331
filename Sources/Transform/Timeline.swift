/// A maximal run of days on which one institution is a child's winning enrolment.
struct Segment {
    var from: Int32
    var to: Int32
    var institution: Int32
}

/// Builds a child's day → institution timeline from its spells, as intervals.
///
/// `metrics.md`: when spells overlap, the latest `indmeldt` wins, then the smallest
/// institution number. Sweeping the spells in `from` order, every newly started spell has
/// the highest priority so far; a heap keeps the others for when it ends. O(k log k) for
/// k spells, never per day.
struct TimelineBuilder {
    private struct Active {
        var from: Int32
        var to: Int32
        var institution: Int32

        /// Wins over `other` on a day both cover. Institution ids are in byte order of numbers.
        func beats(_ other: Active) -> Bool {
            from != other.from ? from > other.from : institution < other.institution
        }
    }

    private var heap: [Active] = []
    private(set) var segments: [Segment] = []

    /// `spells` sorted by `from`. Open ends run to `asOf`; empty spells cover nothing.
    mutating func build(_ spells: UnsafeMutableBufferPointer<EnrolmentFact>, asOf: Int32) {
        segments.removeAll(keepingCapacity: true)
        heap.removeAll(keepingCapacity: true)
        var i = 0
        var t = Int32.min
        while true {
            if heap.isEmpty {
                guard i < spells.count else { return }
                t = spells[i].from.rawValue
            }
            while i < spells.count, spells[i].from.rawValue <= t {
                let s = spells[i]
                let end = s.to?.rawValue ?? asOf
                if end >= s.from.rawValue { push(Active(from: s.from.rawValue, to: end, institution: s.institution)) }
                i += 1
            }
            while let top = heap.first, top.to < t { pop() }
            guard let top = heap.first else { continue }
            // Any later spell starts after `t` with a later `from`, so it wins from its first day.
            let nextStart = i < spells.count ? spells[i].from.rawValue : Int32.max
            let end = min(top.to, nextStart - 1)
            append(Segment(from: t, to: end, institution: top.institution))
            t = end + 1
        }
    }

    /// The segment holding `day`, if any.
    func segment(on day: Int32) -> Segment? {
        var lo = 0, hi = segments.count  // first segment with from > day
        while lo < hi {
            let mid = (lo + hi) / 2
            if segments[mid].from <= day { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0, segments[lo - 1].to >= day else { return nil }
        return segments[lo - 1]
    }

    private mutating func append(_ s: Segment) {
        if let last = segments.last, last.institution == s.institution, last.to + 1 == s.from {
            segments[segments.count - 1].to = s.to
        } else {
            segments.append(s)
        }
    }

    private mutating func push(_ a: Active) {
        heap.append(a)
        var c = heap.count - 1
        while c > 0 {
            let p = (c - 1) / 2
            guard heap[c].beats(heap[p]) else { break }
            heap.swapAt(c, p)
            c = p
        }
    }

    private mutating func pop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var p = 0
        while true {
            let l = 2 * p + 1, r = l + 1
            var best = p
            if l < heap.count, heap[l].beats(heap[best]) { best = l }
            if r < heap.count, heap[r].beats(heap[best]) { best = r }
            if best == p { return }
            heap.swapAt(p, best)
            p = best
        }
    }
}
