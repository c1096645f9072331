/// Text beyond ASCII folded to the ASCII it reads as, so that one search finds a number
/// written in any script, spacing or punctuation.
extension CPRInText {
    /// `text` folded to ASCII (`fold(_:at:)`), and the byte each folded byte came from, with
    /// the text's end after the last.
    static func fold(_ text: UnsafeBufferPointer<UInt8>) -> (folded: [UInt8], origin: [Int]) {
        var folded: [UInt8] = [], origin: [Int] = []
        folded.reserveCapacity(text.count)
        origin.reserveCapacity(text.count + 1)
        var i = 0
        while i < text.count {
            let (byte, length) = fold(text, at: i)
            if let byte {
                folded.append(byte)
                origin.append(i)
            }
            i += length
        }
        origin.append(text.count)
        return (folded, origin)
    }

    /// The ASCII byte the character at `i` counts as, and its length in bytes, by its Unicode
    /// properties: a decimal digit of any script its digit, a space of any kind a space, a
    /// dash of any kind `-`, a middle dot `.`, a full-width form its ASCII character, any other
    /// punctuation mark or symbol `~`; nil for an invisible one (`isInvisible`: on screen the
    /// digits around it touch); 0x80 for any other character beyond ASCII (a letter). Only
    /// text with bytes beyond ASCII comes here.
    static func fold(_ t: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt8?, Int) {
        let c = t[i]
        guard c >= 0x80 else { return (c, 1) }
        let length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1
        guard length > 1, i + length <= t.count else { return (0x80, 1) }
        var code = UInt32(c) & (0xFF >> (length + 1))
        for k in 1..<length { code = code << 6 | UInt32(t[i + k] & 0x3F) }
        guard let scalar = Unicode.Scalar(code) else { return (0x80, length) }
        if (0xFF01...0xFF5E).contains(code) { return (UInt8(code - 0xFEE0), length) }   // full-width ASCII
        if let digit = digitValue(scalar) { return (48 + digit, length) }
        if isInvisible(scalar) { return (nil, length) }
        switch scalar.properties.generalCategory {
        case .spaceSeparator, .lineSeparator, .paragraphSeparator: return (0x20, length)
        case .dashPunctuation: return (0x2D, length)
        case .connectorPunctuation: return (0x5F, length)
        default: break
        }
        switch code {
        case 0x0085: return (0x0A, length)                          // next line
        case 0x2800: return (0x20, length)                          // braille blank, drawn as a space
        case 0x2212, 0x2043: return (0x2D, length)                  // minus, hyphen bullet
        case 0x00B7, 0x0387, 0x2022, 0x2024, 0x2027, 0x2219, 0x22C5, 0x2E31, 0x30FB, 0xFE52, 0xFF65, 0x3002:
            return (0x2E, length)                                   // middle dots (and their look-alikes), bullets, leaders, small and ideographic full stops
        case 0x2044, 0x2215: return (0x2F, length)                  // fraction and division slashes
        default: break
        }
        switch scalar.properties.generalCategory {
        case .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation, .otherPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return (0x7E, length)                                   // any other mark or symbol: a split after the date
        default: return (0x80, length)
        }
    }

    /// The digit a character is in any script (Arabic-Indic, full-width, mathematical), or nil.
    /// Decimal digits only: superscript and circled ones (`¹`, `①`) are footnote marks, and
    /// as digits `0101901234¹` would be eleven digits, no CPR number (a review found it so).
    static func digitValue(_ s: Unicode.Scalar) -> UInt8? {
        guard s.value >= 0x80 else { return s.value &- 48 < 10 ? UInt8(s.value - 48) : nil }
        let p = s.properties
        guard p.numericType == .decimal, let v = p.numericValue, v >= 0, v <= 9 else { return nil }
        return UInt8(v)
    }

    /// A character drawn as nothing between its neighbours: format characters (soft hyphen,
    /// zero-width space, bidi marks), Unicode's default-ignorables (variation selectors, the
    /// Hangul fillers) and combining marks (an accent or a keycap on a digit; a spacing one
    /// too, `ः`: on screen the digits still read as one number, a review found).
    static func isInvisible(_ s: Unicode.Scalar) -> Bool {
        guard s.value >= 0x80 else { return false }
        let p = s.properties
        switch p.generalCategory {
        case .format, .nonspacingMark, .enclosingMark, .spacingMark: return true
        default: return p.isDefaultIgnorableCodePoint
        }
    }
}
