import Foundation
import Pipeline

/// `metrics.md` computed the plain way, day by day, from what the files say: the oracle
/// the effect tests hold the generator to.
struct MetricsOracle {
    enum Cohort: Int { case treatment, control }

    struct FirstEvent { var ageMonths: [[Double]] = [[], []]; var unattributed = 0 }

    var exposureDays = [0, 0]
    var childrenExposed = [0, 0]
    var detected = [0, 0]
    var investigation = FirstEvent()
    var measure = FirstEvent()
    var closedCases = [0, 0]
    var resolvedCases = [0, 0]
    /// `daginstitutionsraadgiver` notifications on a day the child's institution was not covered.
    var misplacedRaadgiverNotifications = 0
    var raadgiverNotifications = 0

    init(_ drop: ReadDrop, windowFrom: Day, asOf: Day) {
        // Institutions by index; coverage as one bit per day over [base, asOf].
        let index = Dictionary(uniqueKeysWithValues: drop.institutions.enumerated().map { ($1.number, $0) })
        let base = min(drop.assignments.map(\.from).min() ?? windowFrom, Day.january1(1990))
        let span = Int(asOf - base) + 1
        var covered = [[Bool]](repeating: [], count: drop.institutions.count)
        for a in drop.assignments {
            let i = index[a.institution]!
            if covered[i].isEmpty { covered[i] = [Bool](repeating: false, count: span) }
            let hi = min(a.to ?? asOf, asOf)
            if a.from <= hi { for d in Int(a.from - base)...Int(hi - base) { covered[i][d] = true } }
        }
        func isCovered(_ i: Int, _ d: Day) -> Bool {
            d >= base && d <= asOf && !covered[i].isEmpty && covered[i][Int(d - base)]
        }
        struct Spell { var inst: Int; var number: String; var from: Day; var to: Day }
        var spellsByChild: [String: [Spell]] = [:]
        for s in drop.spells {
            spellsByChild[s.cpr, default: []].append(Spell(inst: index[s.institution]!, number: s.institution, from: s.from, to: s.to ?? asOf))
        }
        /// The institution a child is enrolled at on d: latest indmeldt wins, then the smallest number.
        func institution(_ ss: [Spell], _ d: Day) -> Int? {
            var best: Spell?
            for s in ss where s.from <= d && d <= s.to {
                if let b = best, !(s.from > b.from || (s.from == b.from && s.number < b.number)) { continue }
                best = s
            }
            return best?.inst
        }
        func cohort(_ ss: [Spell], _ birth: Day, _ d: Day) -> Cohort? {
            guard d >= windowFrom, d <= asOf, d - birth >= 0, d - birth < 2557, let i = institution(ss, d) else { return nil }
            return isCovered(i, d) ? .treatment : .control
        }

        // Each child's days in window and age, painted with the institution of the day
        // (spells in order, the winning one last), then counted by cohort. Flat buffers keep
        // this fast enough in a debug build.
        var flat = [Bool](repeating: false, count: covered.count * span)
        for (i, bits) in covered.enumerated() where !bits.isEmpty { flat.replaceSubrange(i * span..<(i + 1) * span, with: bits) }
        var day = [Int](repeating: -1, count: 2557)
        flat.withUnsafeBufferPointer { flat in
            day.withUnsafeMutableBufferPointer { day in
                for (cpr, ss) in spellsByChild {
                    let birth = CPR.birth(cpr)!
                    let lo = max(windowFrom, birth), hi = min(asOf, birth + 2556)
                    guard lo <= hi else { continue }
                    let n = Int(hi - lo) + 1
                    for k in 0..<n { day[k] = -1 }
                    for s in ss.sorted(by: { ($0.from, $1.number) < ($1.from, $0.number) }) {
                        let a = max(s.from, lo), b = min(s.to, hi)
                        if a <= b { for d in Int(a - lo)...Int(b - lo) { day[d] = s.inst } }
                    }
                    var days = (0, 0)
                    let offset = Int(lo - base)
                    for k in 0..<n where day[k] >= 0 {
                        if flat[day[k] * span + offset + k] { days.0 += 1 } else { days.1 += 1 }
                    }
                    exposureDays[0] += days.0; exposureDays[1] += days.1
                    if days.0 > 0 { childrenExposed[0] += 1 }
                    if days.1 > 0 { childrenExposed[1] += 1 }
                }
            }
        }

        for (cpr, es) in Dictionary(grouping: drop.events, by: \.cpr) {
            let birth = CPR.birth(cpr)!
            let ss = spellsByChild[cpr] ?? []
            func first(_ type: String) -> Day? { es.filter { $0.type == type }.map(\.day).min() }
            if let d = first("sag_oprettet"), let c = cohort(ss, birth, d) { detected[c.rawValue] += 1 }
            for (type, keyPath) in [("undersoegelse_startet", \MetricsOracle.investigation), ("foranstaltning_startet", \.measure)] {
                guard let d = first(type) else { continue }
                if let c = cohort(ss, birth, d) {
                    self[keyPath: keyPath].ageMonths[c.rawValue].append(Double(d - birth) / 30.4375)
                } else {
                    self[keyPath: keyPath].unattributed += 1
                }
            }
            for e in es where e.type == "underretning" && e.kilde == "daginstitutionsraadgiver" {
                raadgiverNotifications += 1
                if institution(ss, e.day).map({ !isCovered($0, e.day) }) ?? true { misplacedRaadgiverNotifications += 1 }
            }
            for (_, caseEvents) in Dictionary(grouping: es, by: \.caseNumber) {
                guard let opened = caseEvents.first(where: { $0.type == "sag_oprettet" }),
                      let c = cohort(ss, birth, opened.day),
                      let closed = caseEvents.first(where: { $0.type == "sag_afsluttet" }) else { continue }
                closedCases[c.rawValue] += 1
                if closed.aarsag == "bekymring_ophoert" || closed.aarsag == "familien_selv" { resolvedCases[c.rawValue] += 1 }
            }
        }
    }

    var childYears: [Double] { exposureDays.map { Double($0) / 365.25 } }

    /// Rate ratio of first events per child-year, with its 95 % interval.
    func rateRatio(_ counts: [Int]) -> (rr: Double, lo: Double, hi: Double) {
        let rr = (Double(counts[0]) / childYears[0]) / (Double(counts[1]) / childYears[1])
        let se = (1 / Double(counts[0]) + 1 / Double(counts[1])).squareRoot()
        return (rr, exp(log(rr) - 1.96 * se), exp(log(rr) + 1.96 * se))
    }

    /// Difference of mean ages, treatment minus control, with Welch's 95 % interval.
    static func welch(_ ages: [[Double]]) -> (diff: Double, lo: Double, hi: Double) {
        func meanVar(_ x: [Double]) -> (Double, Double) {
            let m = x.reduce(0, +) / Double(x.count)
            return (m, x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1))
        }
        let (mt, vt) = meanVar(ages[0]), (mc, vc) = meanVar(ages[1])
        let se = (vt / Double(ages[0].count) + vc / Double(ages[1].count)).squareRoot()
        return (mt - mc, mt - mc - 1.96 * se, mt - mc + 1.96 * se)
    }
}
