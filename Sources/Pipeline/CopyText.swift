import Foundation

/// PostgreSQL's COPY text format, the format of every stage file: one record a line,
/// fields separated by tabs, `\N` for NULL, and backslash escapes for `\`, tab, CR and LF.
/// Stage files can so be read by the next stage and streamed to COPY unchanged.
/// `StageFileWriter` writes it, `StageFileReader` reads it.
package enum CopyText {
    /// Copies `text` to `out`, escaped, and returns how many bytes it wrote (at most twice
    /// the count). Eight bytes at a time while none of them needs escaping (most fields),
    /// the last part of a field as the eight bytes that end it (overlapping those done), and a
    /// field of four to seven bytes as two overlapping halves; byte by byte only from the eight
    /// bytes that hold the first one to escape, or in fields under four bytes.
    @inline(__always)
    package static func escape(_ text: UnsafeRawBufferPointer, to out: UnsafeMutablePointer<UInt8>) -> Int {
        guard let base = text.baseAddress else { return 0 }
        let n = text.count, to = UnsafeMutableRawPointer(out)
        var i = 0, o = 0
        if n < 8 {
            if n >= 4 {
                let head = base.loadUnaligned(as: UInt32.self), tail = base.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
                if !needsEscape(UInt64(head) | UInt64(tail) << 32) {
                    to.storeBytes(of: head, as: UInt32.self)
                    to.storeBytes(of: tail, toByteOffset: n &- 4, as: UInt32.self)
                    return n
                }
            }
        } else {
            while i &+ 8 <= n {
                let word = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                guard !needsEscape(word) else { break }
                to.storeBytes(of: word, toByteOffset: o, as: UInt64.self)
                i &+= 8; o &+= 8
            }
            // Fewer than eight left and none escaped so far (o == i): the last eight at once.
            if i &+ 8 > n {
                let last = base.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
                if i == n || !needsEscape(last) {
                    to.storeBytes(of: last, toByteOffset: n &- 8, as: UInt64.self)
                    return n
                }
            }
        }
        while i < text.count {
            let c = text[i]
            i &+= 1
            // Only 0x09, 0x0A, 0x0D and 0x5C need escaping: one compare rules out most bytes.
            if c > 0x0D && c != 0x5C || c < 0x09 || c == 0x0B || c == 0x0C {
                out[o] = c; o &+= 1
            } else {
                out[o] = 0x5C
                out[o &+ 1] = c == 0x09 ? 0x74 : c == 0x0A ? 0x6E : c == 0x0D ? 0x72 : 0x5C
                o &+= 2
            }
        }
        return o
    }

    /// Whether any byte of `word` is a tab, LF, CR or backslash (a byte equal to `b` is a
    /// zero byte of `word ^ b…b`; zero bytes are found without a false negative).
    @inline(__always)
    private static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZero(_ v: UInt64) -> Bool { (v &- ones) & ~v & highs != 0 }
        return hasZero(word ^ (ones &* 0x09)) || hasZero(word ^ (ones &* 0x0A))
            || hasZero(word ^ (ones &* 0x0D)) || hasZero(word ^ (ones &* 0x5C))
    }

    /// The text as one escaped field.
    package static func escaped(_ text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { u in
            [UInt8](unsafeUninitializedCapacity: 2 * u.count) { out, n in
                n = escape(UnsafeRawBufferPointer(u), to: out.baseAddress!)
            }
        }
    }

    /// Records of text fields (nil is NULL) as COPY text: for the small COPYs built in memory
    /// (the estimates of a load and of the national snapshot); stage files go through `StageFileWriter`.
    package static func records(_ records: [[String?]]) -> [UInt8] {
        var out: [UInt8] = []
        for record in records {
            for (k, field) in record.enumerated() {
                if k > 0 { out.append(0x09) }
                if let field { out.append(contentsOf: escaped(field)) } else { out.append(0x5C); out.append(0x4E) }
            }
            out.append(0x0A)
        }
        return out
    }

    /// Undoes the escapes of one field (not NULL: the caller checked).
    package static func unescape(_ field: some Sequence<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(field.underestimatedCount)
        var escaped = false
        for c in field {
            if escaped {
                switch c {
                case 0x74: out.append(0x09)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                default: out.append(c)
                }
                escaped = false
            } else if c == 0x5C {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return out
    }
}
