import Testing
@testable import Extract

@Suite struct InstitutionValidatorTests {
    /// Every Latin-1 character, alone, between spaces and beside CR LF, and random names of
    /// them: folded byte by byte as character by character. A name with a character beyond
    /// Latin-1 is left to the characters.
    @Test func latin1NamesFoldByteByByteAsByCharacter() {
        let latin1 = (0...0xFF).map { Character(Unicode.Scalar(UInt8($0))) }
        var names = latin1.flatMap { c in [String(c), " \(c) ", "A\(c)\r\nb", "\u{A0}\(c)\(c)\u{85}Ø"] }
        var state: UInt64 = 17
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        for _ in 0..<20_000 {
            names.append(String((0..<next(12)).map { _ in next(4) == 0 ? " " : latin1[next(latin1.count)] }))
        }
        for name in names {
            guard let bytewise = InstitutionValidator.foldLatin1(name) else { Issue.record("not folded: \(Array(name.utf8))"); return }
            guard bytewise == InstitutionValidator.foldCharacters(name) else {
                Issue.record("\(Array(name.utf8)): \(Array(bytewise.utf8)) against \(Array(InstitutionValidator.foldCharacters(name).utf8))")
                return
            }
        }
        #expect(InstitutionValidator.fold("  Børnehuset\t\u{A0}MÆLKEBØTTEN ") == "børnehuset mælkebøtten")
        for beyond in ["Børnehuset \u{200C}Mælkebøtten", "Š", "İ", "Emil\u{2003}Hus", "e\u{301}"] {
            #expect(InstitutionValidator.foldLatin1(beyond) == nil)
            #expect(InstitutionValidator.fold(beyond) == InstitutionValidator.foldCharacters(beyond))
        }
    }
}
