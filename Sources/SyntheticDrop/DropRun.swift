import Foundation
import Pipeline

/// One generation: register and roster, then children and spells (gathering exposure),
/// then the case model fitted to that exposure, then cases.
struct DropRun {
    let options: DropGenerator.Options
    let directory: URL

    init(options: DropGenerator.Options, directory: URL) {
        self.options = options
        self.directory = directory
    }

    mutating func run() throws -> DropSummary {
        let o = options
        var summary = DropSummary()
        var registerRNG = SeededRandom(seed: o.seed, stream: 1)
        let daycare = Daycare(count: o.institutionCount, asOf: o.asOf, windowFrom: o.windowFrom, rng: &registerRNG)
        let exports = try Exports(directory: directory, options: o, daycare: daycare)

        for i in daycare.institutions.indices { try exports.write(institution: i) }
        for a in daycare.assignments { try exports.write(assignment: a) }
        summary.institutions = daycare.institutions.count
        summary.assignments = daycare.assignments.count

        // Children are born from seven years before the window, so every age under 7 is
        // present from its first day.
        let population = try enrol(daycare: daycare, exports: exports, summary: &summary)

        var timeline = Timeline()
        var histogram = ExposureHistogram()
        var truth = DropSummary.Truth()
        var panel = EffectPanel(daycare: daycare, windowFrom: o.windowFrom, asOf: o.asOf)
        for child in population.children {
            timeline.build(birth: child.birth, spells: spells(of: child, population), daycare: daycare,
                           windowFrom: o.windowFrom, asOf: o.asOf)
            var exposed = (false, false)
            for p in timeline.pieces {
                histogram.add(p, birth: child.birth.rawValue)
                guard p.exposed else { continue }
                let days = Int(p.end - p.start) + 1
                if p.kind == .covered { truth.exposureDays.treatment += days; exposed.0 = true }
                else { truth.exposureDays.control += days; exposed.1 = true }
                panel.addExposure(p)
            }
            if exposed.0 { truth.childrenExposed.treatment += 1 }
            if exposed.1 { truth.childrenExposed.control += 1 }
        }
        let model = CaseModel(histogram: histogram, effect: o.effect, selection: o.selection)
        var caseRNG = SeededRandom(seed: o.seed, stream: 3)
        var formRNG = SeededRandom(seed: o.seed, stream: 4)
        var simulator = CaseSimulator(model: model, effect: o.effect, asOf: o.asOf)
        for child in population.children {
            timeline.build(birth: child.birth, spells: spells(of: child, population), daycare: daycare,
                           windowFrom: o.windowFrom, asOf: o.asOf)
            let outcome = simulator.simulate(birth: child.birth, timeline: timeline, rng: &caseRNG)
            summary.cases += outcome.cases
            if let first = outcome.first, first.piece.exposed {
                let treated = first.piece.kind == .covered
                truth.detected.add(treated)
                if first.investigation != nil { truth.investigated.add(treated) }
                if first.measure != nil { truth.measured.add(treated) }
                panel.addEvents(first, effect: true)
            }
            if let first = outcome.withoutEffect, first.piece.exposed {
                let treated = first.piece.kind == .covered
                truth.withoutEffect[0].add(treated)
                if first.investigation != nil { truth.withoutEffect[1].add(treated) }
                if first.measure != nil { truth.withoutEffect[2].add(treated) }
                panel.addEvents(first, effect: false)
            }
            for e in simulator.events { try exports.write(event: e, cpr: child.cpr, rng: &formRNG) }
            summary.events += simulator.events.count
        }

        summary.selection = o.selection
        summary.effectAsked = o.effect
        summary.caseRatio = model.caseRatio
        summary.institutionsEverCovered = daycare.institutions.count { !$0.coverage.isEmpty }
        summary.panel = panel
        summary.truth = truth
        summary.files = try exports.finish(directory: directory)
        summary.injected = exports.injectors.flatMap(\.injected)
        return summary
    }

    private func spells(of c: Child, _ p: Population) -> ArraySlice<Spell> {
        p.spells[Int(c.spellStart)..<Int(c.spellStart + c.spellCount)]
    }

    /// Births, CPR numbers and enrolment spells; the spells are written as they are made.
    private func enrol(daycare: Daycare, exports: Exports, summary: inout DropSummary) throws -> Population {
        let o = options
        var rng = SeededRandom(seed: o.seed, stream: 2)
        var formRNG = SeededRandom(seed: o.seed, stream: 5)
        var issuer = CPRIssuer()
        var population = Population()
        population.children.reserveCapacity(o.children)
        population.spells.reserveCapacity(o.children * 3)
        let firstBirth = Day(year: o.windowFrom.year - 7, month: o.windowFrom.civil.month, day: 1)!
        let span = Int(o.asOf - firstBirth) + 1
        for _ in 0..<o.children {
            let birth = firstBirth + Int32(rng.below(span))
            let cpr = issuer.issue(birth: birth, male: rng.chance(0.51), rng: &rng)
            let start = population.spells.count
            Population.enrol(birth: birth, daycare: daycare, asOf: o.asOf, rng: &rng, into: &population.spells)
            let count = population.spells.count - start
            population.children.append(Child(birth: birth, cpr: cpr, spellStart: Int32(start), spellCount: Int32(count)))
            for s in population.spells[start...] { try exports.write(spell: s, cpr: cpr, rng: &formRNG) }
            summary.spells += count
        }
        summary.children = o.children
        return population
    }
}
