import Pipeline
@testable import Transform

/// `metrics.md` applied literally, one day and one record at a time: slow and obvious,
/// sharing no code with the interval algorithm it checks. Renders rows the way the
/// `Facts` helpers in TestSupport do, so the two compare as plain strings.
struct ReferenceModel {
    let register: [String: InstitutionRecord]
    let assignments: [AssignmentRecord]
    let spells: [EnrolmentRecord]
    let events: [CaseEventRecord]
    let window: ClosedRange<Day>
    let asOf: Day

    init(institutions: [InstitutionRecord], assignments: [AssignmentRecord], enrolments: [EnrolmentRecord],
         events: [CaseEventRecord], window: ClosedRange<Day>, asOf: Day) {
        var register: [String: InstitutionRecord] = [:]
        for i in institutions where register[i.number] == nil { register[i.number] = i }
        self.register = register
        self.assignments = assignments
        spells = enrolments.filter { register[$0.institution] != nil }
        self.events = events
        self.window = window
        self.asOf = asOf
    }

    func birth(_ child: String) -> Day {
        spells.first { $0.childKey == child }?.birth ?? events.first { $0.childKey == child }!.birth
    }

    /// The institution of the child's winning spell on d: latest indmeldt, then smallest number as text.
    func enrolledAt(_ child: String, _ d: Day) -> String? {
        let covering = spells.filter { $0.childKey == child && $0.from <= d && d <= ($0.to ?? asOf) }
        return covering.min { a, b in
            a.from != b.from ? a.from > b.from : a.institution.utf8.lexicographicallyPrecedes(b.institution.utf8)
        }?.institution
    }

    func covered(_ inst: String, _ d: Day) -> Bool {
        assignments.contains { $0.institution == inst && $0.from <= d && d <= ($0.to ?? asOf) }
    }

    func status(_ child: String, _ d: Day) -> String {
        guard window.contains(d) else { return "outside_window" }
        guard let inst = enrolledAt(child, d) else { return "not_enrolled" }
        let age = d - birth(child)
        guard age >= 0, age < 2557 else { return "out_of_age" }
        return "\(covered(inst, d) ? "treatment" : "control")/\(inst)/\(register[inst]!.district)"
    }

    var children: [String] { Array(Set(spells.map(\.childKey) + events.map(\.childKey))) }

    /// "child cohort year institution" → days.
    var exposure: [String: Int] {
        var out: [String: Int] = [:]
        for child in children {
            var d = window.lowerBound
            while d <= window.upperBound {
                let s = status(child, d)
                if s.hasPrefix("treatment") || s.hasPrefix("control") {
                    let parts = s.split(separator: "/")
                    out["\(child) \(parts[0]) \(d.year) \(parts[1])", default: 0] += 1
                }
                d = d + 1
            }
        }
        return out
    }

    /// "child kind day age status" for every first event.
    var firstEvents: Set<String> {
        var out: Set<String> = []
        for child in children {
            for (kind, type) in [("case", EventType.caseOpened), ("investigation", .investigationStarted),
                                 ("measure", .measureStarted)] {
                guard let d = events.filter({ $0.childKey == child && $0.event == type }).map(\.day).min() else { continue }
                out.insert("\(child) \(kind) \(d) \(d - birth(child)) \(status(child, d))")
            }
        }
        return out
    }

    /// line → "age status" for every case event.
    var caseEventStatus: [Int: String] {
        Dictionary(uniqueKeysWithValues: events.map { ($0.line, "\($0.day - birth($0.childKey)) \(status($0.childKey, $0.day))") })
    }

    /// One line per case id with a sag_oprettet, as `Facts.caseLines` renders them.
    var cases: Set<String> {
        var out: Set<String> = []
        for id in Set(events.map(\.caseID)) {
            let mine = events.filter { $0.caseID == id }
            guard let o = mine.filter({ $0.event == .caseOpened }).min(by: { ($0.day, $0.line) < ($1.day, $1.line) }) else { continue }
            let c = mine.filter { $0.event == .caseClosed }.max { ($0.day, $0.line) < ($1.day, $1.line) }
            out.insert("\(id) \(o.childKey) \(o.day) \(o.day - birth(o.childKey)) \(status(o.childKey, o.day))"
                       + " \(c?.day.iso ?? "-") \(c?.reason ?? "-")")
        }
        return out
    }
}

extension ReferenceModel {
    /// The evaluation panel day by day: "institution period" → "days children case investigation
    /// measure" for every institution of the register and every period, and each institution's group.
    func panel(_ periods: EvaluationPeriods) -> (cells: [String: String], groups: [String: Int]) {
        var cells: [String: String] = [:], groups: [String: Int] = [:]
        let firsts = firstEvents.map { $0.split(separator: " ").map(String.init) }  // child kind day age status
        for number in register.keys {
            groups[number] = periods.periods.indices.first { k in
                var d = periods.periods[k].lowerBound
                while d <= periods.periods[k].upperBound {
                    if covered(number, d) { return true }
                    d = d + 1
                }
                return false
            }.map { $0 + 1 } ?? 0
            for (k, period) in periods.periods.enumerated() {
                var days = 0, children = 0
                for child in self.children {
                    var mine = 0
                    var d = period.lowerBound
                    while d <= period.upperBound {
                        if status(child, d).split(separator: "/").dropFirst().first.map(String.init) == number { mine += 1 }
                        d = d + 1
                    }
                    days += mine
                    if mine > 0 { children += 1 }
                }
                let events = ["case", "investigation", "measure"].map { kind in
                    firsts.filter { f in
                        f[1] == kind && period.contains(Day(iso: f[2])!)
                            && f[4].split(separator: "/").dropFirst().first.map(String.init) == number
                    }.count
                }
                cells["\(number) \(k + 1)"] = "\(days) \(children) " + events.map(String.init).joined(separator: " ")
            }
        }
        return (cells, groups)
    }
}
