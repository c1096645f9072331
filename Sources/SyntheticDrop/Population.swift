import Pipeline

/// Children and their enrolment spells, as the placement office records them.
struct Population {
    var children: [Child] = []
    var spells: [Spell] = []

    /// Places one child: vuggestue from about one year and børnehave from about three, or
    /// one integrated institution throughout, until school; with moves, gaps, overlaps and
    /// closures along the way.
    static func enrol(birth: Day, daycare: Daycare, asOf: Day, rng: inout SeededRandom, into spells: inout [Spell]) {
        if rng.chance(0.03) { return }  // never in daycare
        /// A stretch of daycare of one kind: nursery, kindergarten, or both in one.
        struct Phase { var type: InstitutionType; var from: Day; var to: Day }
        let start = birth + Int32(rng.chance(0.9) ? rng.within(300...480) : rng.within(480...900))
        // Daycare ends in the spring or summer of the year the child turns six.
        let schoolYear = birth.year + 6
        let leaveLo = Day(year: schoolYear, month: 4, day: 1)!, leaveHi = Day(year: schoolYear, month: 7, day: 31)!
        var leave = leaveLo + Int32(rng.below(Int(leaveHi - leaveLo) + 1))
        if rng.chance(0.05) { leave = start + Int32(rng.below(max(1, Int(leave - start)))) }  // moves away
        guard start < leave else { return }
        var phases: [Phase] = []
        let u = rng.unit()
        if u < 0.40 {
            phases = [Phase(type: .integreret, from: start, to: leave)]
        } else if u < 0.48 {
            phases = [Phase(type: .boernehave, from: max(start, birth + Int32(rng.within(1000...1150))), to: leave)]
        } else {
            let switchDay = max(start + 30, birth + Int32(rng.within(1000...1130)))
            if switchDay < leave {
                phases = [Phase(type: .vuggestue, from: start, to: switchDay - 1), Phase(type: .boernehave, from: switchDay, to: leave)]
            } else {
                phases = [Phase(type: .vuggestue, from: start, to: leave)]
            }
        }
        // A family move splits a phase in two institutions of the same type.
        let k = rng.below(phases.count)
        if rng.chance(0.15), phases[k].to - phases[k].from > 60 {
            let cut = phases[k].from + Int32(rng.within(30...Int(phases[k].to - phases[k].from) - 30))
            let second = Phase(type: phases[k].type, from: cut, to: phases[k].to)
            phases[k].to = cut - 1
            phases.insert(second, at: k + 1)
        }

        var previous: Spell?
        var home = rng.pick(weights: Names.districts.map(\.weight))
        for phase in phases {
            var from = phase.from
            if let p = previous {
                // Usually seamless; sometimes a gap, sometimes a new spell before the old ended.
                let r = rng.unit()
                if r < 0.15 { from = max(from, p.to + 1) + Int32(rng.within(7...120)) }
                else if r < 0.25 { from = max(p.from + 1, p.to - Int32(rng.within(1...30))) }
                else { from = p.to + 1 }
            }
            while from <= phase.to && from <= asOf {
                guard let inst = pick(phase.type, home: home, on: from, avoiding: previous?.institution,
                                      daycare: daycare, rng: &rng) else { return }
                var to = phase.to
                if let closed = daycare.institutions[inst].closed, closed < to { to = closed }
                let open = to > asOf
                let spell = Spell(institution: Int32(inst), from: from, to: open ? asOf : to, open: open)
                spells.append(spell)
                previous = spell
                if open { return }
                from = to + 1  // the institution closed: moved on the next day
                if rng.chance(0.2) { home = rng.pick(weights: Names.districts.map(\.weight)) }
            }
            if from > asOf { return }
        }
    }

    /// An institution of a fitting type open on `day`, near home when possible.
    private static func pick(_ type: InstitutionType, home: Int, on day: Day, avoiding: Int32?,
                             daycare: Daycare, rng: inout SeededRandom) -> Int? {
        for attempt in 0..<24 {
            let t: InstitutionType = type == .integreret || rng.chance(0.15) ? .integreret : type
            let pool = attempt < 12 && rng.chance(0.8) ? daycare.byDistrictType[home][t.rawValue] : daycare.byType[t.rawValue]
            guard !pool.isEmpty else { continue }
            let i = rng.element(pool)
            let inst = daycare.institutions[i]
            if inst.isOpen(on: day), inst.closed.map({ $0 > day + 30 }) ?? true, Int32(i) != avoiding { return i }
        }
        // Small registers: anything open will do.
        let open = daycare.institutions.indices.filter { daycare.institutions[$0].isOpen(on: day) && Int32($0) != avoiding }
        return open.isEmpty ? nil : rng.element(open)
    }
}

struct Spell {
    var institution: Int32
    var from: Day
    /// The last day; the as-of date when the spell is still open.
    var to: Day
    /// No `udmeldt` in the export: the child is still enrolled at the as-of date.
    var open: Bool
}

struct Child {
    var birth: Day
    var cpr: Int64
    var spellStart: Int32
    var spellCount: Int32
}
