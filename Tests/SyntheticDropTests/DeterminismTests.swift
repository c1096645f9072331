import Foundation
import Testing
@testable import SyntheticDrop

@Suite struct DeterminismTests {
    @Test(arguments: DropGenerator.Variant.allCases)
    func sameSeedGivesTheSameBytes(variant: DropGenerator.Variant) throws {
        let o = Fixtures.options(children: 1500, institutions: 40, seed: 42, dirtyRate: 0.02, variant: variant)
        let a = try Fixtures.generate(o), b = try Fixtures.generate(o)
        defer { a.remove(); b.remove() }
        #expect(a.summary == b.summary)
        for name in variant.layout.files.map(\.name) + ["MANIFEST"] {
            let same = try a.bytes(name) == b.bytes(name)
            #expect(same, "\(name) differs between two runs")
        }
    }

    @Test func anotherSeedGivesAnotherDrop() throws {
        let a = try Fixtures.generate(Fixtures.options(children: 500, seed: 1))
        let b = try Fixtures.generate(Fixtures.options(children: 500, seed: 2))
        defer { a.remove(); b.remove() }
        for name in ["indmeldelser.csv", "sagshaendelser.csv"] {
            let same = try a.bytes(name) == b.bytes(name)
            #expect(!same)
        }
    }

    /// Bad records are extra records: the good ones are those of the clean drop.
    @Test(arguments: [(Fixtures.clean, Fixtures.dirty), (Fixtures.cleanOther, Fixtures.dirtyOther)])
    func dirtyDropHoldsTheCleanRecords(clean: Generated, dirty: Generated) throws {
        let c = try clean.read(), d = try dirty.read()
        #expect(c.rejects.isEmpty)
        #expect(!d.rejects.isEmpty)
        #expect(c.institutions == d.institutions)
        #expect(c.assignments == d.assignments)
        #expect(c.spells == d.spells)
        #expect(c.events == d.events)
        #expect(clean.summary.truth == dirty.summary.truth)
    }
}
