import Pipeline

enum EventType: Int, CaseIterable {
    case underretning, sagOprettet, undersoegelseStartet, undersoegelseAfsluttet
    case foranstaltningStartet, foranstaltningOphoert, sagAfsluttet

    var code: String {
        switch self {
        case .underretning: return "underretning"
        case .sagOprettet: return "sag_oprettet"
        case .undersoegelseStartet: return "undersoegelse_startet"
        case .undersoegelseAfsluttet: return "undersoegelse_afsluttet"
        case .foranstaltningStartet: return "foranstaltning_startet"
        case .foranstaltningOphoert: return "foranstaltning_ophoert"
        case .sagAfsluttet: return "sag_afsluttet"
        }
    }
}

enum Kilde: Int, CaseIterable {
    case daginstitution, daginstitutionsraadgiver, skole, sundhedspleje, politi, foraeldre, andre

    var code: String {
        ["daginstitution", "daginstitutionsraadgiver", "skole", "sundhedspleje", "politi", "foraeldre", "andre"][rawValue]
    }
}

enum Aarsag: Int, CaseIterable {
    case bekymringOphoert, familienSelv, flyttet, andenSag, andet

    var code: String { ["bekymring_ophoert", "familien_selv", "flyttet", "anden_sag", "andet"][rawValue] }
}

struct Event {
    /// `S-YYYY-NNNNNN` as YYYY × 1,000,000 + NNNNNN.
    var caseNumber: Int
    var type: EventType
    var day: Day
    var paragraf: String
    var kilde: Kilde?
    var aarsag: Aarsag?
    /// Index into `Names.notes`, or -1.
    var note: Int
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

    struct Outcome {
        var cases = 0
        /// The piece the first case opened in; its investigation and measure lie there too.
        var first: Piece?
        var investigated = false
        var measured = false
    }

    mutating func simulate(birth: Day, timeline: Timeline, rng: inout SeededRandom) -> Outcome {
        events.removeAll(keepingCapacity: true)
        guard let (day, piece) = drawFirstCase(birth: birth.rawValue, timeline: timeline, u: rng.unit()) else { return Outcome() }
        let kind = piece.kind.rawValue
        let investigate = rng.chance(CaseModel.investigated)
        var measure = false
        if investigate {
            let p = kind < 3 ? model.measure[kind][Int(AgeMonths.ofDay[Int(day - birth.rawValue)])] : CaseModel.measured
            measure = rng.chance(p)
        }
        var cases = 1
        var closed = openCase(at: Day(rawValue: day), birth: birth, timeline: timeline, within: piece,
                              investigate: investigate, measure: measure, rng: &rng)
        // Later cases come after the first closed; they investigate or measure only if the
        // first did, so the first investigation and measure stay the first case's.
        while let c = closed, cases < 5, rng.chance(0.25) {
            let next = c + Int32(rng.within(60...1500))
            guard next <= asOf else { break }
            let inv = investigate && rng.chance(CaseModel.investigated)
            let mea = measure && inv && rng.chance(0.5)
            closed = openCase(at: next, birth: birth, timeline: timeline, within: nil, investigate: inv, measure: mea, rng: &rng)
            cases += 1
        }
        return Outcome(cases: cases, first: piece, investigated: investigate, measured: measure)
    }

    /// Walks the child's days with the model's daily probabilities until `u` is used up.
    private func drawFirstCase(birth: Int32, timeline: Timeline, u: Double) -> (Int32, Piece)? {
        var left = u
        for p in timeline.pieces {
            if p.kind == .overAge {
                let mass = model.dailyOverAge * Double(p.end - p.start + 1)
                if left < mass { return (p.start + min(p.end - p.start, Int32(left / model.dailyOverAge)), p) }
                left -= mass
                continue
            }
            let daily = model.daily[p.kind.rawValue]
            var a = p.start - birth
            let last = p.end - birth
            while a <= last {
                let m = Int(AgeMonths.ofDay[Int(a)])
                let hi = min(last, AgeMonths.firstDay[m + 1] - 1)
                let mass = daily[m] * Double(hi - a + 1)
                if left < mass { return (birth + a + min(hi - a, Int32(left / daily[m])), p) }
                left -= mass
                a = hi + 1
            }
        }
        return nil
    }

    /// Writes one case's events; returns the day it closed, or nil while it is open.
    /// A first case (`within` set) keeps its investigation and measure inside the piece it
    /// opened in, so they are attributed like the case.
    private mutating func openCase(at opened: Day, birth: Day, timeline: Timeline, within: Piece?,
                                   investigate: Bool, measure: Bool, rng: inout SeededRandom) -> Day? {
        let number = numbers.take(year: opened.year)
        // Later cases simply run past the export date (the events are not there yet).
        let limit = within.map { Day(rawValue: $0.end) } ?? Day(rawValue: .max)
        func after(_ d: Day, _ r: ClosedRange<Int>) -> Day {
            let x = d + Int32(rng.within(r))
            return x <= limit ? x : d + Int32(rng.below(Int(limit - d) + 1))
        }
        func add(_ t: EventType, _ d: Day, _ paragraf: String = "", kilde: Kilde? = nil, aarsag: Aarsag? = nil) {
            guard d <= asOf else { return }
            let note = rng.chance(0.06) ? rng.below(Names.notes.count) : -1
            events.append(Event(caseNumber: number, type: t, day: d, paragraf: paragraf, kilde: kilde, aarsag: aarsag, note: note))
        }
        func notify(_ d: Day) {
            let k = kilde(on: d, birth: birth, timeline: timeline, rng: &rng)
            add(.underretning, d, k == .foraeldre || k == .andre ? "" : "153", kilde: k)
        }

        notify(max(birth, opened - Int32(rng.within(0...14))))
        add(.sagOprettet, opened)
        var last = opened
        if investigate {
            let started = after(opened, 0...30)
            add(.undersoegelseStartet, started, "50")
            var done = started + Int32(rng.within(30...120))
            if measure {
                let m = after(started, 14...90)
                done = min(done, m)
                let paragraf = rng.chance(0.15) ? "11.3" : "52.3." + String(rng.element([1, 2, 3, 3, 3, 4, 6, 7, 8, 9]))
                add(.foranstaltningStartet, m, paragraf)
                let stopped = m + Int32(rng.within(90...900))
                add(.foranstaltningOphoert, stopped, paragraf)
                last = stopped
            }
            add(.undersoegelseAfsluttet, done, "50")
            last = max(last, done)
        }
        let close = last + Int32(investigate ? rng.within(0...60) : rng.within(20...180))
        if rng.chance(0.2), close - opened > 2 { notify(opened + Int32(1 + rng.below(Int(close - opened) - 1))) }
        let covered = timeline.piece(at: opened.rawValue).kind == .covered
        let resolved = rng.chance(covered ? effect.resolvedShare : DropGenerator.Effect.baselineResolvedShare)
        let aarsag: Aarsag = resolved ? (rng.chance(0.6) ? .bekymringOphoert : .familienSelv)
                                      : [.flyttet, .andenSag, .andet][rng.pick(weights: [0.35, 0.3, 0.35])]
        add(.sagAfsluttet, close, aarsag: aarsag)
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
        events[first...].sort { ($0.day, $0.type.rawValue) < ($1.day, $1.type.rawValue) }
    }
}
