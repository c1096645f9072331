import Pipeline

/// One child's cases, from the first (drawn from the case model over the child's days)
/// to any later ones.
struct CaseSimulator {
    let model: CaseModel
    let effect: DropGenerator.Effect
    let asOf: Day
    var numbers = CaseNumbers()
    /// The events of the current child, in case order then day order.
    var events: [Event] = []

    init(model: CaseModel, effect: DropGenerator.Effect, asOf: Day) {
        self.model = model
        self.effect = effect
        self.asOf = asOf
    }

    /// A child's first case, investigation and measure: the days they fall on.
    struct FirstEvents {
        var piece: Piece
        var caseDay: Day
        var investigation: Day?
        var measure: Day?
    }

    struct Outcome {
        var cases = 0
        /// The first events as written to the drop (with the effect).
        var first: FirstEvents?
        /// As they would have been without the effect: the same child and random numbers, so
        /// it differs from `first` only through covered days.
        var withoutEffect: FirstEvents?
    }

    mutating func simulate(birth: Day, timeline: Timeline, rng: inout SeededRandom) -> Outcome {
        events.removeAll(keepingCapacity: true)
        let (with, without) = drawFirstCase(birth: birth.rawValue, timeline: timeline, u: rng.unit())
        guard with != nil || without != nil else { return Outcome() }
        // Every draw of the first case's course is made once and used with and without the
        // effect alike (common random numbers).
        let course = Course(investigate: rng.unit(), measure: rng.unit(), investigationOffset: rng.within(0...30),
                            measureOffset: rng.within(14...90), clip: (rng.unit(), rng.unit()))
        func firstEvents(_ drawn: (Int32, Piece)?, effect: Bool) -> FirstEvents? {
            guard let (day, piece) = drawn else { return nil }
            var f = FirstEvents(piece: piece, caseDay: Day(rawValue: day))
            guard course.investigate < CaseModel.investigated else { return f }
            let started = course.after(f.caseDay, course.investigationOffset, within: piece, clip: course.clip.0)
            f.investigation = started
            let p = model.measure(piece, month: Int(AgeMonths.ofDay[Int(min(day - birth.rawValue, ageLimitDays - 1))]), effect: effect)
            if course.measure < p { f.measure = course.after(started, course.measureOffset, within: piece, clip: course.clip.1) }
            return f
        }
        var outcome = Outcome(first: firstEvents(with, effect: true), withoutEffect: firstEvents(without, effect: false))
        guard let first = outcome.first else { return outcome }

        var cases = 1
        var closed = openCase(at: first.caseDay, birth: birth, timeline: timeline, first: first, rng: &rng)
        // Later cases come after the first closed; they investigate or measure only if the
        // first did, so the first investigation and measure stay the first case's.
        while let c = closed, cases < 5, rng.chance(0.25) {
            let next = c + Int32(rng.within(60...1500))
            guard next <= asOf else { break }
            let inv = first.investigation != nil && rng.chance(CaseModel.investigated)
            let mea = first.measure != nil && inv && rng.chance(0.5)
            closed = openCase(at: next, birth: birth, timeline: timeline, investigate: inv, measure: mea, rng: &rng)
            cases += 1
        }
        outcome.cases = cases
        return outcome
    }

    /// The random numbers of a first case's course, drawn once for both worlds.
    struct Course {
        var investigate: Double
        var measure: Double
        var investigationOffset: Int
        var measureOffset: Int
        var clip: (Double, Double)

        /// `offset` days after `d`, or, past the piece's end, a day drawn (by `clip`) up to it:
        /// a first case's investigation and measure stay inside the piece it opened in, so
        /// they are attributed like the case.
        func after(_ d: Day, _ offset: Int, within piece: Piece, clip: Double) -> Day {
            let x = d + Int32(offset)
            return x.rawValue <= piece.end ? x : d + Int32(clip * Double(piece.end - d.rawValue + 1))
        }
    }

    /// The first case's day and piece with the effect and without, from one uniform `u`.
    ///
    /// Each day has a probability with the effect (m₁) and without (m₀). The unit interval
    /// is laid out as: min(m₀, m₁) of every day in turn (a case in both worlds), then what
    /// m₁ exceeds m₀ by (a case with the effect only), then what m₀ exceeds m₁ by (without
    /// only). Each world thus gets its exact daily probabilities, and the two differ only
    /// on days the effect touches: covered days.
    private func drawFirstCase(birth: Int32, timeline: Timeline, u: Double) -> (with: (Int32, Piece)?, without: (Int32, Piece)?) {
        var left = u
        /// Walks the days with `mass(piece, month)` per day until `left` is used up.
        func walk(_ mass: (Piece, Int) -> Double) -> (Int32, Piece)? {
            for p in timeline.pieces {
                if p.kind == .overAge {
                    let m = mass(p, -1), total = m * Double(p.end - p.start + 1)
                    if m > 0, left < total { return (p.start + min(p.end - p.start, Int32(left / m)), p) }
                    left -= total
                    continue
                }
                var a = p.start - birth
                let last = p.end - birth
                while a <= last {
                    let month = Int(AgeMonths.ofDay[Int(a)])
                    let hi = min(last, AgeMonths.firstDay[month + 1] - 1)
                    let m = mass(p, month), total = m * Double(hi - a + 1)
                    if m > 0, left < total { return (birth + a + min(hi - a, Int32(left / m)), p) }
                    left -= total
                    a = hi + 1
                }
            }
            return nil
        }
        func both(_ p: Piece, _ month: Int) -> (with: Double, without: Double) {
            if month < 0 { return (model.dailyOverAge, model.dailyOverAge) }
            return (model.daily(p, month: month, effect: true), model.daily(p, month: month, effect: false))
        }
        if let shared = walk({ p, m in let x = both(p, m); return min(x.with, x.without) }) { return (shared, shared) }
        if let with = walk({ p, m in let x = both(p, m); return max(0, x.with - x.without) }) { return (with, nil) }
        if let without = walk({ p, m in let x = both(p, m); return max(0, x.without - x.with) }) { return (nil, without) }
        return (nil, nil)
    }

    /// Writes one case's events; returns the day it closed, or nil while it is open.
    /// A first case (`first`) has its investigation and measure days already drawn; later
    /// ones draw them here and simply run past the export date (the events are not there yet).
    private mutating func openCase(at opened: Day, birth: Day, timeline: Timeline, first: FirstEvents? = nil,
                                   investigate: Bool = false, measure: Bool = false, rng: inout SeededRandom) -> Day? {
        let number = numbers.take(year: opened.year)
        let investigate = first.map { $0.investigation != nil } ?? investigate
        let measure = first.map { $0.measure != nil } ?? measure
        func add(_ t: EventType, _ d: Day, _ paragraf: String = "", kilde: Kilde? = nil, aarsag: Aarsag? = nil) {
            guard d <= asOf else { return }
            let note = rng.chance(0.06) ? rng.below(Names.notes.count) : -1
            events.append(Event(caseNumber: number, type: t, day: d, paragraf: paragraf, kilde: kilde, aarsag: aarsag, note: note))
        }
        func notify(_ d: Day) {
            let k = kilde(on: d, birth: birth, timeline: timeline, rng: &rng)
            add(.notification, d, k == .foraeldre || k == .andre ? "" : "153", kilde: k)
        }

        notify(max(birth, opened - Int32(rng.within(0...14))))
        add(.caseOpened, opened)
        var last = opened
        if investigate {
            let started = first?.investigation ?? opened + Int32(rng.within(0...30))
            add(.investigationStarted, started, "50")
            var done = started + Int32(rng.within(30...120))
            if measure {
                let m = first?.measure ?? started + Int32(rng.within(14...90))
                done = min(done, m)
                let paragraf = rng.chance(0.15) ? "11.3" : "52.3." + String(rng.element([1, 2, 3, 3, 3, 4, 6, 7, 8, 9]))
                add(.measureStarted, m, paragraf)
                let stopped = m + Int32(rng.within(90...900))
                add(.measureEnded, stopped, paragraf)
                last = stopped
            }
            add(.investigationEnded, done, "50")
            last = max(last, done)
        }
        let close = last + Int32(investigate ? rng.within(0...60) : rng.within(20...180))
        if rng.chance(0.2), close - opened > 2 { notify(opened + Int32(1 + rng.below(Int(close - opened) - 1))) }
        let covered = timeline.piece(at: opened.rawValue).kind == .covered
        let resolved = rng.chance(covered ? effect.resolvedShare : DropGenerator.Effect.baselineResolvedShare)
        let aarsag: Aarsag = resolved ? (rng.chance(0.6) ? .bekymringOphoert : .familienSelv)
                                      : [.flyttet, .andenSag, .andet][rng.pick(weights: [0.35, 0.3, 0.35])]
        add(.caseClosed, close, aarsag: aarsag)
        sortCase(number)
        return close <= asOf ? close : nil
    }

    /// Who notified: the attached social worker only on days the child's institution is covered.
    private func kilde(on d: Day, birth: Day, timeline: Timeline, rng: inout SeededRandom) -> Kilde {
        let age = d - birth
        let w: [Double]  // daginstitution, raadgiver, skole, sundhedspleje, politi, foraeldre, andre
        switch timeline.piece(at: d.rawValue).kind {
        case .covered: w = [0.2, 0.45, 0, age < 365 ? 0.1 : 0.02, 0.07, 0.08, 0.1]
        case .uncovered: w = [0.45, 0, age >= 6 * 365 ? 0.05 : 0, age < 365 ? 0.1 : 0.02, 0.1, 0.12, 0.15]
        case .notEnrolled: w = [0, 0, age >= 6 * 365 ? 0.3 : 0, age < 730 ? 0.4 : 0.05, 0.2, 0.2, 0.25]
        case .overAge: w = [0, 0, 0.55, 0, 0.15, 0.1, 0.2]
        }
        return Kilde(rawValue: rng.pick(weights: w))!
    }

    /// Orders the current case's events by day, then by their place in a case's course.
    private mutating func sortCase(_ number: Int) {
        guard let first = events.firstIndex(where: { $0.caseNumber == number }) else { return }
        events[first...].sort { ($0.day, $0.type.order) < ($1.day, $1.type.order) }
    }
}

/// Case numbers run per year of opening.
struct CaseNumbers {
    private var next = [Int](repeating: 1, count: 400)

    mutating func take(year: Int) -> Int {
        let k = year - 1900
        defer { next[k] += 1 }
        return year * 1_000_000 + next[k]
    }
}

extension EventType {
    /// The order a case's events of one day are written in: the order of the case.
    fileprivate var order: Int { Self.allCases.firstIndex(of: self)! }
}
