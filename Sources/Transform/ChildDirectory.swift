import Pipeline

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
        let orders = ForkJoin.map(2) { i in (i == 0 ? a : b).sortedByBytes() }
        let (orderA, orderB) = (orders[0], orders[1])
        var fromA = [Int32](repeating: 0, count: a.count)
        var fromB = [Int32](repeating: 0, count: b.count)
        var births: [Int32] = []
        births.reserveCapacity(max(a.count, b.count))
        // Rank → the key's id in a, or ~id in b.
        var merged: [Int32] = []
        merged.reserveCapacity(max(a.count, b.count))
        var conflicts = spells.birthConflicts + events.birthConflicts
        keys = a.withKeys { ka in
            b.withKeys { kb in
                var i = 0, j = 0
                while i < orderA.count || j < orderB.count {
                    let rank = Int32(merged.count)
                    let c: Int32 = i == orderA.count ? 1 : (j == orderB.count ? -1 : Self.compare(orderA[i], ka, orderB[j], kb))
                    if c <= 0 {
                        let id = orderA[i].id
                        fromA[Int(id)] = rank
                        births.append(spells.births[Int(id)])
                        merged.append(id)
                        i += 1
                        if c == 0 {
                            fromB[Int(orderB[j].id)] = rank
                            if events.births[Int(orderB[j].id)] != births[Int(rank)] { conflicts += 1 }
                            j += 1
                        }
                    } else {
                        let id = orderB[j].id
                        fromB[Int(id)] = rank
                        births.append(events.births[Int(id)])
                        merged.append(~id)
                        j += 1
                    }
                }
                return TextTable.gathering(merged.count, bytes: a.arena.count + b.arena.count) { r in
                    merged[r] >= 0 ? ka[Int(merged[r])] : kb[Int(~merged[r])]
                }
            }
        }
        self.births = births
        fromSpells = fromA
        fromEvents = fromB
        birthConflicts = conflicts
    }
}

extension ChildDirectory {
    /// Two keys by their prefixes, then (equal prefixes) by their bytes.
    @inline(__always)
    static func compare(_ x: (prefix: UInt64, id: Int32), _ kx: ByteInterner.Keys,
                        _ y: (prefix: UInt64, id: Int32), _ ky: ByteInterner.Keys) -> Int32 {
        x.prefix != y.prefix ? (x.prefix < y.prefix ? -1 : 1) : kx.compare(Int(x.id), with: ky, Int(y.id))
    }
}

/// Spells and events grouped by ranked child (child ids relabelled to ranks, case refs
/// to the byte order of case ids), the three jobs run in parallel.
struct Grouped {
    var spells: [EnrolmentFact] = []
    var spellStarts: [Int] = []
    var events: [CaseEventFact] = []
    var eventStarts: [Int] = []
    /// Case ids (interner ids) in byte order.
    var caseOrder: [Int32] = []

    private enum Part: Sendable {
        case spells([EnrolmentFact], [Int])
        case events([CaseEventFact], [Int])
        case caseOrder([Int32])
    }

    init(spells: consuming [EnrolmentFact], events: consuming [CaseEventFact], caseIDs: ByteInterner, children: ChildDirectory) {
        let childCount = children.keys.count
        let (spellInput, eventInput) = (spells, events)
        let parts = ForkJoin.map(3) { i -> Part in
            switch i {
            case 0:
                let (rows, starts) = groupStable(spellInput, groups: childCount,
                                                 by: { children.fromSpells[Int($0.child)] }, set: { $0.child = $1 })
                return .spells(rows, starts)
            case 1:
                let (rows, starts) = groupStable(eventInput, groups: childCount,
                                                 by: { children.fromEvents[Int($0.child)] }, set: { $0.child = $1 })
                return .events(rows, starts)
            default:
                return .caseOrder(caseIDs.idsInByteOrder())
            }
        }
        for part in parts {
            switch part {
            case let .spells(rows, starts): self.spells = rows; spellStarts = starts
            case let .events(rows, starts): self.events = rows; eventStarts = starts
            case let .caseOrder(order): caseOrder = order
            }
        }
        // Case refs: interner id → rank.
        var caseRank = [Int32](repeating: 0, count: caseOrder.count)
        for (r, id) in caseOrder.enumerated() { caseRank[Int(id)] = Int32(r) }
        self.events.withUnsafeMutableBufferPointer { rows in
            for i in rows.indices { rows[i].caseRef = caseRank[Int(rows[i].caseRef)] }
        }
    }
}

/// A stable counting sort of `items` by group number, with the CSR offsets: group g is
/// `items[starts[g]..<starts[g+1]]`. `set` relabels each item with its group as it is
/// placed. O(n + groups), no comparison sort; one output array, one label per item.
func groupStable<T>(_ items: [T], groups: Int, by group: (T) -> Int32, set: (inout T, Int32) -> Void)
    -> (items: [T], starts: [Int]) {
    var starts = [Int](repeating: 0, count: groups + 1)
    guard let first = items.first else { return ([], starts) }
    let labels = items.map(group)
    for g in labels { starts[Int(g) + 1] += 1 }
    for g in 0..<groups { starts[g + 1] += starts[g] }
    var next = starts
    var placed = [T](repeating: first, count: items.count)
    placed.withUnsafeMutableBufferPointer { placed in
        for (item, g) in zip(items, labels) {
            var item = item
            set(&item, g)
            placed[next[Int(g)]] = item
            next[Int(g)] += 1
        }
    }
    return (placed, starts)
}
