/// Per institution, the days covered by a social worker: the union of its assignments
/// (`fra ≤ d ≤ til`, an open `til` running to the as-of date) as sorted, disjoint,
/// non-adjacent intervals, so "covered on d" is one binary search.
struct CoverageIndex: Sendable {
    /// Intervals of institution i are `from[starts[i]..<starts[i+1]]` (and `to`).
    private(set) var starts: [Int]
    private(set) var from: [Int32]
    private(set) var to: [Int32]

    /// `assignments`: (institution id, from, inclusive end with open ends already set).
    init(assignments: [(institution: Int32, from: Int32, to: Int32)], institutionCount: Int) {
        let sorted = assignments.filter { $0.to >= $0.from }.sorted {
            ($0.institution, $0.from, $0.to) < ($1.institution, $1.from, $1.to)
        }
        starts = Array(repeating: 0, count: institutionCount + 1)
        from = []
        to = []
        var institution: Int32 = -1
        for a in sorted {
            // Merge overlapping and adjacent intervals: the union of inclusive day ranges.
            if a.institution == institution, let last = to.last, a.from <= last &+ 1 {
                to[to.count - 1] = max(last, a.to)
                continue
            }
            institution = a.institution
            from.append(a.from)
            to.append(a.to)
            starts[Int(a.institution) + 1] = from.count
        }
        // Institutions without intervals take the end of the one before.
        for i in 0..<institutionCount { starts[i + 1] = max(starts[i + 1], starts[i]) }
    }

    func intervals(of institution: Int32) -> Range<Int> {
        starts[Int(institution)]..<starts[Int(institution) + 1]
    }

    /// The first interval of `institution` ending on or after `day`.
    func firstEnding(onOrAfter day: Int32, of institution: Int32) -> Int {
        let r = intervals(of: institution)
        var lo = r.lowerBound, hi = r.upperBound
        while lo < hi {
            let mid = (lo + hi) / 2
            if to[mid] < day { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    func isCovered(_ institution: Int32, on day: Int32) -> Bool {
        let k = firstEnding(onOrAfter: day, of: institution)
        return k < intervals(of: institution).upperBound && from[k] <= day
    }
}
