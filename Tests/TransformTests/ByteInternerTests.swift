import Testing
@testable import Transform

@Suite struct ByteInternerTests {
    /// Keys in byte order whatever their first 8 bytes (shared prefixes, shorter keys, empty
    /// ones), and a table of them in any order, copied exactly.
    @Test func keysSortAndGatherByBytes() {
        let texts = ["b", "", "abcdefgh2", "abcdefgh1", "abcdefgh", "a", "ab\u{e6}", "abcdefgh10"]
        var interner = ByteInterner()
        for t in texts { _ = interner.intern(t) }
        let order = interner.idsInByteOrder()
        let sorted = order.map { interner.string(Int($0)) }
        #expect(sorted == texts.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(Array(interner.table(in: order)) == sorted)
        #expect(Array(interner.table(in: [])) == [])
        #expect(Array(interner.table(in: [1, 0])) == ["", "b"])
    }
}
