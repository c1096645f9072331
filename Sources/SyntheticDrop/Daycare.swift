import Pipeline

/// The synthetic municipality's daycare: its institution register and its social-worker
/// roster, which say which institution is covered when.
struct Daycare {
    var institutions: [Institution] = []
    var workers: [Worker] = []
    /// In roster order: by worker, then start.
    var assignments: [Assignment] = []
    /// Institution indices by district and type, for placing children near home.
    var byDistrictType: [[[Int]]] = []
    var byType: [[Int]] = []
    /// Numbers the register does not hold, for records pointing nowhere (`9xxxxx`).
    var unusedNumbers: [Int] = []

    init(count: Int, asOf: Day, windowFrom: Day, rng: inout SeededRandom) {
        makeInstitutions(count: count, asOf: asOf, windowFrom: windowFrom, rng: &rng)
        makeRoster(asOf: asOf, windowFrom: windowFrom, rng: &rng)
        byDistrictType = Array(repeating: Array(repeating: [], count: 3), count: Names.districts.count)
        byType = Array(repeating: [], count: 3)
        for (i, inst) in institutions.enumerated() {
            byDistrictType[inst.district][inst.type.rawValue].append(i)
            byType[inst.type.rawValue].append(i)
        }
        var taken = Set<Int>()
        while unusedNumbers.count < 64 {
            let n = rng.within(900_000...999_999)
            if taken.insert(n).inserted { unusedNumbers.append(n) }
        }
    }

    private mutating func makeInstitutions(count: Int, asOf: Day, windowFrom: Day, rng: inout SeededRandom) {
        var numbers = Set<Int>()
        var names = Set<String>()
        let weights = Names.districts.map(\.weight)
        // Clusters hold about five institutions each; numbered per district.
        let clustersPerDistrict = max(1, count / (5 * Names.districts.count))
        for _ in 0..<count {
            var number: Int
            repeat { number = rng.within(100_000...899_999) } while !numbers.insert(number).inserted
            let type = InstitutionType(rawValue: rng.pick(weights: [0.25, 0.30, 0.45]))!
            let district = rng.pick(weights: weights)
            let code = Names.districts[district].code
            let cluster = rng.chance(0.1) ? "" : code + "-" + twoDigits(rng.within(1...clustersPerDistrict))
            let base = rng.element(Names.prefixes[type]!) + " " + rng.element(Names.cores)
            var name = base
            var branch = 2
            while !names.insert(name).inserted { name = base + ", afd. " + String(branch); branch += 1 }
            let places: Int
            switch type {
            case .vuggestue: places = 2 * rng.within(10...30)
            case .boernehave: places = 2 * rng.within(20...50)
            case .integreret: places = 2 * rng.within(20...75)
            }
            // Most are old; some open during the window as the city grows.
            let opened: Day
            if rng.chance(0.75) {
                opened = Day(rawValue: Int32(rng.within(Int(Day.january1(1960).rawValue)...Int(windowFrom.rawValue) - 1)))
            } else {
                let lo = Int((windowFrom - 5 * 365).rawValue), hi = Int((asOf - 365).rawValue)
                opened = Day(rawValue: Int32(rng.within(lo...max(lo, hi))))
            }
            var closed: Day?
            let earliestClose = max(opened + 3 * 365, windowFrom - 3 * 365)
            if rng.chance(0.06), earliestClose < asOf - 30 {
                closed = Day(rawValue: Int32(rng.within(Int(earliestClose.rawValue)...Int((asOf - 30).rawValue))))
            }
            institutions.append(Institution(number: number, name: name, type: type, district: district, cluster: cluster,
                                            places: places, opened: opened, closed: closed))
        }
        institutions.sort { $0.number < $1.number }
    }

    /// The scheme's rollout (`evaluation.md`): whole clusters at a time, in waves — a small
    /// pilot before the window, a first wave early in it, two later waves, and about half
    /// of the institutions never. Within a wave each cluster starts on its own day over half
    /// a year. A covered institution now and then loses its worker for good. Each covered
    /// stretch is a chain of workers with handovers, gaps and overlaps; some workers move
    /// on to another institution.
    private mutating func makeRoster(asOf: Day, windowFrom: Day, rng: inout SeededRandom) {
        struct Draft { var institution: Int; var from: Day; var to: Day? }
        var drafts: [Draft] = []
        let span = Double(asOf - windowFrom)
        for (i, start) in Self.rollout(institutions, waves: Self.waves.map { ($0.share, windowFrom + Int32($0.at * span)) },
                                       rng: &rng) {
            let inst = institutions[i]
            let start = max(start, inst.opened)
            var end: Day? = inst.closed
            if rng.chance(0.12) {
                let leave = start + Int32(rng.within(365...4 * 365))
                end = min(end ?? leave, leave)
            }
            if let e = end, e >= asOf { end = nil }
            guard start <= (end ?? asOf), start <= asOf else { continue }
            var from = start
            while true {
                let planned = from + Int32(rng.within(365...6 * 365))
                if let e = end, planned >= e {
                    drafts.append(Draft(institution: i, from: from, to: e)); break
                }
                if end == nil, planned >= asOf {
                    drafts.append(Draft(institution: i, from: from, to: nil)); break
                }
                drafts.append(Draft(institution: i, from: from, to: planned))
                let r = rng.unit()
                var next = planned + 1
                if r < 0.2 { next = planned + Int32(rng.within(14...120)) }
                else if r < 0.3 { next = planned - Int32(rng.within(7...60)) }
                next = max(next, from + 1)
                if next > (end ?? asOf) { break }
                from = next
            }
        }
        // Coverage per institution: the union of its assignments (`metrics.md`: covered on d
        // when some assignment has fra ≤ d ≤ til).
        for d in drafts { institutions[d.institution].coverage.append(d.from.rawValue...(d.to ?? asOf).rawValue) }
        for i in institutions.indices { institutions[i].coverage = Self.merge(institutions[i].coverage) }

        // Staff: a worker whose assignment ended may take the next one elsewhere.
        drafts.sort { ($0.from, institutions[$0.institution].number) < ($1.from, institutions[$1.institution].number) }
        var freeSince: [(worker: Int, day: Day, last: Int)] = []
        var staffed: [(Int, Draft)] = []
        for d in drafts {
            var worker = -1
            if rng.chance(0.2), let k = freeSince.firstIndex(where: { $0.day < d.from && $0.last != d.institution }) {
                worker = freeSince.remove(at: k).worker
            }
            if worker < 0 {
                worker = workers.count
                var name = rng.element(Names.firstNames) + " " + rng.element(Names.lastNames)
                if rng.chance(0.04) {
                    let parts = name.split(separator: " ")
                    name = parts[0] + " \"" + rng.element(Names.nicknames) + "\" " + parts[1]
                }
                workers.append(Worker(id: "SR" + String(1001 + workers.count), name: name, title: rng.element(Names.titles)))
            }
            if let to = d.to { freeSince.append((worker, to, d.institution)) }
            staffed.append((worker, d))
        }
        staffed.sort { ($0.0, $0.1.from) < ($1.0, $1.1.from) }
        assignments = staffed.map { Assignment(worker: $0.0, institution: $0.1.institution, from: $0.1.from, to: $0.1.to) }
    }

    /// The waves: the share of institutions covered once the wave is out (cumulative), and
    /// when it starts, as a share of the window up to the as-of date (negative: before it).
    /// Copenhagen covered 63, then 112 of about 426 institutions, then about 200.
    static let waves: [(share: Double, at: Double)] = [(0.03, -0.1), (0.15, 0.08), (0.26, 0.2), (0.45, 0.35)]

    /// Clusters (institutions sharing a Klynge; one without is a cluster alone) in random
    /// order, each given to the current wave until the wave's share is reached. Returns
    /// (institution, the day its cluster's worker starts).
    static func rollout(_ institutions: [Institution], waves: [(share: Double, start: Day)],
                        rng: inout SeededRandom) -> [(Int, Day)] {
        var clusters: [[Int]] = []
        var byCode: [String: Int] = [:]
        for (i, inst) in institutions.enumerated() {
            if !inst.cluster.isEmpty, let k = byCode[inst.cluster] { clusters[k].append(i); continue }
            if !inst.cluster.isEmpty { byCode[inst.cluster] = clusters.count }
            clusters.append([i])
        }
        // Fisher–Yates with the generator's own draws: the same order on every platform.
        for k in stride(from: clusters.count - 1, to: 0, by: -1) { clusters.swapAt(k, rng.below(k + 1)) }
        var out: [(Int, Day)] = []
        var wave = 0
        for cluster in clusters {
            while wave < waves.count, Double(out.count) >= waves[wave].share * Double(institutions.count) { wave += 1 }
            guard wave < waves.count else { break }
            let start = waves[wave].start + Int32(rng.below(183))
            for i in cluster { out.append((i, start)) }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    static func merge(_ ranges: [ClosedRange<Int32>]) -> [ClosedRange<Int32>] {
        var out: [ClosedRange<Int32>] = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = out.last, r.lowerBound <= last.upperBound + 1 {
                out[out.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }
}

func twoDigits(_ n: Int) -> String { n < 10 ? "0" + String(n) : String(n) }
