import Testing
import Operations

@Suite struct TableTests {
    /// CSV quotes a field by its bytes: a comma or a quote with a combining mark after it is one
    /// Character to Swift, and went out unquoted (a re-test).
    @Test func aFieldWithACommaOrQuoteIsQuotedWhateverFollows() {
        let csv = Table.csv(header: ["a", "b"], rows: [[",\u{301}x", "\"\u{301}y"], ["plain", "line\nbreak"]])
        #expect(csv == "a,b\r\n\",\u{301}x\",\"\"\"\u{301}y\"\r\nplain,\"line\nbreak\"\r\n")
    }
}
