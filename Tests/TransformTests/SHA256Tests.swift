import Testing
@testable import Transform

@Suite struct SHA256Tests {
    func hex(_ bytes: [UInt8], chunk: Int = 1 << 20) -> String {
        var h = SHA256Hasher()
        var i = 0
        while i < bytes.count {
            h.update(Array(bytes[i..<min(bytes.count, i + chunk)]))
            i += chunk
        }
        return h.finalize()
    }

    @Test func fipsVectors() {
        #expect(hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let two = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(hex(two) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // Fed in odd chunks, the same digest.
        #expect(hex(two, chunk: 7) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex(Array(repeating: 0x61, count: 1_000_000), chunk: 4099)
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
