/// All children of the enrolment and event files, ids ranked by key bytes so that sorting
/// by id is sorting by `child_key` (the first column of most fact files).
struct ChildDirectory: Sendable {
    var keys: TextTable
    var births: [Int32]
    /// The ranked id of each spell-file and event-file local id.
    var fromSpells: [Int32]
    var fromEvents: [Int32]
    var birthConflicts: Int

    /// Sorts each file's keys (both at once) and merges the two sorted lists: no key is
    /// hashed twice. Birth as first read: enrolments before events, each in file order.
    init(spells: ChildKeys, events: ChildKeys) {
        let (a, b) = (spells.keys, events.keys)
        let orders = Parallel.map(2) { i in (i == 0 ? a : b).idsInByteOrder() }
        let (orderA, orderB) = (orders[0], orders[1])
        var fromA = [Int32](repeating: 0, count: a.count)
        var fromB = [Int32](repeating: 0, count: b.count)
        var births: [Int32] = []
        births.reserveCapacity(max(a.count, b.count))
        var merged: [(fromA: Bool, id: Int32)] = []
        merged.reserveCapacity(max(a.count, b.count))
        var conflicts = spells.birthConflicts + events.birthConflicts
        var i = 0, j = 0
        while i < orderA.count || j < orderB.count {
            let rank = Int32(merged.count)
            let c: Int32 = i == orderA.count ? 1 : (j == orderB.count ? -1
                : a.compare(Int(orderA[i]), with: b, Int(orderB[j])))
            if c <= 0 {
                let id = orderA[i]
                fromA[Int(id)] = rank
                births.append(spells.births[Int(id)])
                merged.append((true, id))
                i += 1
                if c == 0 {
                    fromB[Int(orderB[j])] = rank
                    if events.births[Int(orderB[j])] != births[Int(rank)] { conflicts += 1 }
                    j += 1
                }
            } else {
                let id = orderB[j]
                fromB[Int(id)] = rank
                births.append(events.births[Int(id)])
                merged.append((false, id))
                j += 1
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(max(a.arena.count, b.arena.count))
        var starts = [0]
        starts.reserveCapacity(merged.count + 1)
        for (inA, id) in merged {
            let source = inA ? a : b
            bytes.append(contentsOf: source.arena[source.starts[Int(id)]..<source.starts[Int(id) + 1]])
            starts.append(bytes.count)
        }
        keys = TextTable(bytes: bytes, starts: starts)
        self.births = births
        fromSpells = fromA
        fromEvents = fromB
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
