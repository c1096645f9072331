import Pipeline

/// Field text quoted in reject messages: shortened, control characters (C0, DEL, C1; tabs and
/// line breaks too, and Unicode's line and paragraph separators: a message is one line) and
/// format characters (bidi marks reorder what a terminal shows) as `?`, and anything shaped like a CPR number (`CPRInText`, or any run of
/// ten or more digits of any script, invisible and control characters within it passed over) masked as
/// `DDMMYY-****`, in case a column holds one by mistake.
package enum Echo {
    /// What may split the digits of a number as written: white space of any kind (tabs and
    /// line breaks too), and any punctuation mark or symbol but those that list numbers (`,`
    /// `;`), so that a number written a digit at a time with a minus sign, a bullet or a line
    /// break between is masked too (a review found such ones in `etl rejects`).
    private static func isSeparator(_ s: Unicode.Scalar) -> Bool {
        if s == "," || s == ";" || s == "\u{FF0C}" || s == "\u{FF1B}" { return false }
        switch s.properties.generalCategory {
        case .spaceSeparator, .lineSeparator, .paragraphSeparator, .dashPunctuation, .connectorPunctuation, .otherPunctuation,
             .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol: return true
        default: return s == "\t" || s == "\n" || s == "\r"
        }
    }

    /// What a terminal acts on or a reader does not see: control and format characters, and
    /// line and paragraph separators.
    package static func isUnshowable(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }

    /// The text with each unshowable character as `?` (a name, a message: nothing masked).
    package static func showable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnshowable) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { isUnshowable($0) ? "?" : $0 }))
    }

    /// A name from outside (a folder, a path) as a message shows it: unshowable characters
    /// as `?`, a CPR number masked (in a run of hex digits too: `CPRInText.isIn(name:)`), and
    /// nothing else changed, so that it can still be found.
    package static func name(_ text: String) -> String { showable(CPRInText.masking(text, keepingChecksums: false)) }

    /// Whether a name from outside (a drop's folder, a file a MANIFEST names) has what no
    /// message may show as it is: an unshowable character, or a byte that was not UTF-8
    /// (decoded as U+FFFD, the name no longer names the file).
    package static func holdsUnshowable(_ name: String) -> Bool {
        name.unicodeScalars.contains { $0 == "\u{FFFD}" || isUnshowable($0) }
    }

    /// Whether a name given to be kept and shown (a role's, a municipality's) cannot be: it
    /// holds a CPR number or what `holdsUnshowable` refuses.
    package static func unfitAsName(_ name: String) -> Bool {
        CPRInText.isIn(name: name) || holdsUnshowable(name)
    }

    /// Whether the digits of `run` (any script) are ten that make a CPR number whose date exists.
    private static func isCPRNumber(_ run: String.UnicodeScalarView) -> Bool {
        let ascii = run.compactMap { CPRInText.digitValue($0).map { UInt8(48 + $0) } }
        guard ascii.count == 10, case .success = CPR.parse(ascii[...]) else { return false }
        return true
    }

    package static func text(_ v: some Collection<UInt8>, limit: Int = 40) -> String {
        // Only the first `limit` characters are shown: a bounded prefix is masked, with room
        // after them for a number that starts among them (a value of 640 KB took 106 s here:
        // an adversarial review). Beyond 4 KB of spaces, a number's end is not looked for.
        let whole = v.count, v = Array(v.prefix(limit * 8 + 4096))[...]
        let b = CPRInText.replacingAll(in: v, lostLeadingZero: true, with: CPRInText.masked)?.text ?? Array(v)
        var out = String.UnicodeScalarView()
        // Digits in a row, with up to three separators between them besides spaces (`2911-66-4747`, a split
        // `CPRInText` leaves alone), and the separators after the last digit so far. Ten
        // digits or more are masked, but a case number's `2012-000123` (split after four).
        var run = String.UnicodeScalarView(), gap = String.UnicodeScalarView()
        var digits = 0, splits: [Int] = [], gapMarks = 0   // the gap's separators but spaces, tabs and line breaks
        func endRun() {
            // A tab or line break kept as a separator is still shown as `?`: a message is one line.
            func shown(_ s: String.UnicodeScalarView) -> [Unicode.Scalar] { s.map { isUnshowable($0) ? "?" : $0 } }
            // A case number's `2012-000123` is shown, unless its ten digits are a CPR number's
            // (`2908 084747`, or `2908\r084747` by a lone CR, was shown whole: an adversarial review).
            if digits >= 10, splits != [4] || digits == 10 && Self.isCPRNumber(run) {
                out.append(contentsOf: run.filter { CPRInText.digitValue($0) != nil }.prefix(6))
                out.append(contentsOf: "-****".unicodeScalars)
            } else {
                out.append(contentsOf: shown(run))
            }
            out.append(contentsOf: shown(gap))
            run = String.UnicodeScalarView(); gap = String.UnicodeScalarView(); digits = 0; splits = []; gapMarks = 0
        }
        for s in String(decoding: b, as: UTF8.self).unicodeScalars {
            if CPRInText.digitValue(s) != nil {
                if !gap.isEmpty { splits.append(digits); run.append(contentsOf: gap); gap = .init(); gapMarks = 0 }
                run.append(s); digits += 1
                continue
            }
            // NULs and other controls (VT, NEL; not tabs or line breaks, which are separators) too: UTF-16 read as bytes put a
            // NUL between digits, and a header quoted a CPR number as `2?9?0?8?…` (an adversarial review).
            if !run.isEmpty, CPRInText.isInvisible(s) || s.properties.generalCategory == .control && !["\t", "\n", "\r"].contains(s) { continue }
            if !run.isEmpty, isSeparator(s), s.properties.isWhitespace || gapMarks < 3 {   // any spaces: a wrap, a column
                gap.append(s)
                if !s.properties.isWhitespace { gapMarks += 1 }
                continue
            }
            endRun()
            out.append(isUnshowable(s) ? "?" : s)
        }
        endRun()
        let s = String(out)
        return s.count > limit || whole > v.count ? String(s.prefix(limit)) + "…" : s
    }
}
