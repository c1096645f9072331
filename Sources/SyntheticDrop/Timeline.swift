import Pipeline

/// A child's life from birth to the as-of date cut into runs of days that are alike for
/// `metrics.md`: same institution, same coverage, same side of the window start and of
/// the 7th birthday. The case simulation draws from these runs, and keeps the events of a
/// first case inside the run it started in, so each is attributed to the cohort it was
/// drawn for.
struct Piece {
    enum Kind: Int { case covered, uncovered, notEnrolled, overAge }
    var start: Int32
    var end: Int32
    var kind: Kind
    /// Index into the register, or -1 when not enrolled.
    var institution: Int32
    /// An exposure day per `metrics.md`: in the window, enrolled and in age.
    var exposed: Bool
    /// At an institution that is covered at some time: its children carry the selection.
    var selected: Bool
}

/// Days before the 7th birthday: `0 ≤ d − birth < 2557`.
let ageLimitDays: Int32 = 2557

struct Timeline {
    private(set) var pieces: [Piece] = []
    private var enrolled: [(from: Int32, to: Int32, inst: Int32)] = []
    private var bounds: [Int32] = []

    /// Rebuilds the pieces for one child (reusing storage).
    mutating func build(birth: Day, spells: ArraySlice<Spell>, daycare: Daycare, windowFrom: Day, asOf: Day) {
        pieces.removeAll(keepingCapacity: true)
        winningSpells(spells, daycare: daycare, birth: birth.rawValue, asOf: asOf.rawValue)
        let b = birth.rawValue, last = asOf.rawValue
        let cuts = (window: windowFrom.rawValue, age: b + ageLimitDays)
        var cursor = b
        for e in enrolled {
            if e.from > cursor { add(cursor, e.from - 1, .notEnrolled, -1, false, cuts) }
            // Split the enrolled run by the institution's coverage.
            var d = e.from
            let coverage = daycare.institutions[Int(e.inst)].coverage
            for r in coverage where r.upperBound >= d && r.lowerBound <= e.to {
                if r.lowerBound > d { add(d, r.lowerBound - 1, .uncovered, e.inst, true, cuts) }
                let hi = min(r.upperBound, e.to)
                add(max(d, r.lowerBound), hi, .covered, e.inst, true, cuts)
                d = hi + 1
            }
            if d <= e.to { add(d, e.to, .uncovered, e.inst, !coverage.isEmpty, cuts) }
            cursor = e.to + 1
        }
        if cursor <= last { add(cursor, last, .notEnrolled, -1, false, cuts) }
    }

    /// The piece holding day `d` (which must lie between birth and the as-of date).
    func piece(at d: Int32) -> Piece {
        var lo = 0, hi = pieces.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if pieces[mid].start <= d { lo = mid } else { hi = mid - 1 }
        }
        return pieces[lo]
    }

    private mutating func add(_ from: Int32, _ to: Int32, _ kind: Piece.Kind, _ inst: Int32, _ selected: Bool,
                              _ cuts: (window: Int32, age: Int32)) {
        var s = from
        let first = min(cuts.window, cuts.age), second = max(cuts.window, cuts.age)
        if s < first && first <= to { append(s, first - 1, kind, inst, selected, cuts); s = first }
        if s < second && second <= to { append(s, second - 1, kind, inst, selected, cuts); s = second }
        append(s, to, kind, inst, selected, cuts)
    }

    private mutating func append(_ from: Int32, _ to: Int32, _ kind: Piece.Kind, _ inst: Int32, _ selected: Bool,
                                 _ cuts: (window: Int32, age: Int32)) {
        let overAge = from >= cuts.age
        let k: Piece.Kind = overAge ? .overAge : kind
        let exposed = from >= cuts.window && (k == .covered || k == .uncovered)
        pieces.append(Piece(start: from, end: to, kind: k, institution: overAge ? -1 : inst, exposed: exposed,
                            selected: selected && !overAge))
    }

    /// The institution of each enrolled day: on days several spells cover, the spell with
    /// the latest `indmeldt` wins, on a tie the smallest institution number.
    private mutating func winningSpells(_ spells: ArraySlice<Spell>, daycare: Daycare, birth: Int32, asOf: Int32) {
        enrolled.removeAll(keepingCapacity: true)
        bounds.removeAll(keepingCapacity: true)
        for s in spells {
            bounds.append(max(s.from.rawValue, birth))
            bounds.append(min(s.to.rawValue, asOf) + 1)
        }
        bounds.sort()
        var k = 0
        while k + 1 < bounds.count {
            let lo = bounds[k], hi = bounds[k + 1] - 1
            k += 1
            guard lo <= hi else { continue }
            var best: Spell?
            for s in spells where s.from.rawValue <= lo && s.to.rawValue >= hi {
                if let b = best {
                    let sn = daycare.institutions[Int(s.institution)].number, bn = daycare.institutions[Int(b.institution)].number
                    if s.from > b.from || (s.from == b.from && sn < bn) { best = s }
                } else {
                    best = s
                }
            }
            guard let w = best else { continue }
            if let last = enrolled.last, last.inst == w.institution, last.to + 1 == lo {
                enrolled[enrolled.count - 1].to = hi
            } else {
                enrolled.append((lo, hi, w.institution))
            }
        }
    }
}
