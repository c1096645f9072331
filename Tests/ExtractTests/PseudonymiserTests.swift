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
        for text in ["0101901234", "311299-9999", "010100-4000"] {
            let cpr = try CPR.parse(Array(text.utf8)[...]).get()
            #expect(cpr.withNormalised { Array($0) } == Array(text.filter { $0 != "-" }.utf8))
        }
    }
}
