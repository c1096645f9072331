import Testing
@testable import Extract

@Suite struct UTF8EvidenceTests {
    /// Fed in chunks of any size, a character cut by a chunk's end included.
    @Test(arguments: [1, 2, 3, 5, 1 << 20])
    func findsUTF8InChunksOfAnySize(chunk: Int) {
        func evidence(_ bytes: [UInt8]) -> String? {
            var utf8 = UTF8Evidence()
            bytes.withUnsafeBufferPointer { all in
                for start in stride(from: 0, to: all.count, by: chunk) {
                    utf8.note(all.baseAddress! + start, count: min(chunk, all.count - start))
                }
            }
            return utf8.evidence
        }
        #expect(evidence(Array("Mælkebøtten € 𝄞".utf8))?.contains("written as UTF-8") == true)
        #expect(evidence(Array("ascii only".utf8)) == nil)
        #expect(evidence(Array("M".utf8) + [0xE6] + Array("lk".utf8)) == nil, "windows-1252's æ")
        #expect(evidence(Array("cut ".utf8) + [0xC3]) == nil, "a sequence the file ends in")
        #expect(evidence(Array("ø".utf8) + [0xFF]) == nil)
        #expect(evidence([0xEF, 0xBB, 0xBF] + Array("x".utf8))?.contains("byte-order mark") == true)
    }
}
