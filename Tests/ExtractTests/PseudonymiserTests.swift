import Crypto
import Testing
@testable import Extract
import Pipeline

@Suite struct PseudonymiserTests {
    /// The fast keyed hash is HMAC-SHA-256: keys shorter than, as long as and longer than a
    /// block (which HMAC hashes first), messages of any length.
    @Test(arguments: [0, 1, 32, 63, 64, 65, 200])
    func theKeyedHashIsHMAC(keyLength: Int) {
        var generator = SystemRandomNumberGenerator()
        let key = SymmetricKey(data: (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let keyed = KeyedSHA256(key: key)
        for length in [0, 1, 10, 55, 56, 64, 100] {
            let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let fast = message.withUnsafeBytes { withUnsafeBytes(of: keyed.code($0)) { Array($0) } }
            #expect(fast == Array(HMAC<SHA256>.authenticationCode(for: message, using: key)), "key \(keyLength), message \(length)")
        }
    }

    @Test func theNormalisedDigitsOnTheStackAreTheDigits() throws {
        for text in ["0101901234", "311299-9999", "010100-4000", "3112990000", "0101000001"] {
            let cpr = try CPR.parse(Array(text.utf8)[...]).get()
            #expect(cpr.withNormalised { Array($0) } == Array(text.filter { $0 != "-" }.utf8))
        }
    }

    /// The child key's hex, made all lanes at once, is `sha256sum`'s hex for every byte value
    /// in every position.
    @Test func theKeysHexIsLowercaseHexOfEveryByte() {
        for start in stride(from: 0, to: 256, by: 32) {
            var code = SIMD32<UInt8>()
            for i in 0..<32 { code[i] = UInt8((start + i * 7) % 256) }
            let bytes = (0..<32).map { code[$0] }
            #expect(Pseudonymiser.string(Pseudonymiser.hex(code)) == Hex.string(bytes))
        }
    }
}
