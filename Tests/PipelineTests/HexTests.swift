import Foundation
import Testing
@testable import Pipeline

@Suite struct HexTests {
    @Test func writesLowercaseAndReadsEitherCase() {
        let bytes: [UInt8] = [0x00, 0x0f, 0x10, 0xab, 0xff]
        #expect(Hex.string(bytes) == "000f10abff")
        #expect(Hex.bytes("000F10ABff") == bytes)
        #expect(Hex.bytes("") == [])
    }

    @Test func refusesWhatIsNotHex() {
        #expect(Hex.bytes("abc") == nil, "odd length")
        #expect(Hex.bytes("0g") == nil)
        #expect(Hex.bytes("0 ") == nil)
    }

    /// A checksum reads as `sha256sum` prints it.
    @Test func aChecksumIsTheDigestInHex() {
        var sum = SHA256Sum()
        sum.update(Data("abc".utf8))
        #expect(sum.hex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
