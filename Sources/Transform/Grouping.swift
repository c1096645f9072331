/// All children of the enrolment and event files, ids ranked by key bytes so that sorting
/// by id is sorting by `child_key` (the first column of most fact files).
struct ChildDirectory {
    var keys: [String]
    var births: [Int32]
    /// The ranked id of each spell-file and event-file local id.
    var fromSpells: [Int32]
    var fromEvents: [Int32]
    var birthConflicts: Int

    init(spells: ChildKeys, events: ChildKeys) {
        var all = ByteInterner()
        let spellIDs = all.absorb(spells.keys)
        let eventIDs = all.absorb(events.keys)
        // Birth as first read: enrolments before events, each in file order.
        var births = [Int32?](repeating: nil, count: all.count)
        var conflicts = spells.birthConflicts + events.birthConflicts
        for (local, id) in spellIDs.enumerated() { births[Int(id)] = spells.births[local] }
        for (local, id) in eventIDs.enumerated() {
            let b = events.births[local]
            if let known = births[Int(id)] { if known != b { conflicts += 1 } } else { births[Int(id)] = b }
        }
        let order = all.idsInByteOrder()
        var rank = [Int32](repeating: 0, count: all.count)
        for (r, id) in order.enumerated() { rank[Int(id)] = Int32(r) }
        keys = order.map { all.string(Int($0)) }
        self.births = order.map { births[Int($0)]! }
        fromSpells = spellIDs.map { rank[Int($0)] }
        fromEvents = eventIDs.map { rank[Int($0)] }
        birthConflicts = conflicts
    }
}

/// A stable counting sort of `items` by group number, returning the CSR offsets:
/// group g is `items[starts[g]..<starts[g+1]]`. O(n + groups), no comparison sort.
func groupStable<T>(_ items: [T], groups: Int, by group: (T) -> Int32) -> (items: [T], starts: [Int]) {
    var starts = [Int](repeating: 0, count: groups + 1)
    for item in items { starts[Int(group(item)) + 1] += 1 }
    for g in 0..<groups { starts[g + 1] += starts[g] }
    guard let first = items.first else { return ([], starts) }
    var next = starts
    var out = [T](repeating: first, count: items.count)
    out.withUnsafeMutableBufferPointer { out in
        for item in items {
            let g = Int(group(item))
            out[next[g]] = item
            next[g] += 1
        }
    }
    return (out, starts)
}
