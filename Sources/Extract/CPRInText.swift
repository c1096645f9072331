/// CPR numbers typed into text fields (a case id, a source, a name, a staff id): found so
/// that none reaches a stage file, the warehouse or a message in clear.
///
/// What counts as one (docs/decisions.md): ten digits standing alone (no digit right before
/// or after), the first six a day and month that could be (`DD` 01–31, `MM` 01–12, any
/// `YY`), written `DDMMYYSSSS`, or split as `isCPRSplit` says (after the birth date, within
/// it, the serial in pairs: `DDMMYY-SSSS`, `DD.MM.YY-SSSS`, `DDMMYY SS SS`, a digit at a time
/// or 3-3-4 split alike (`isSpelledOut`), and after the
/// date one to three punctuation marks or symbols too: `+`, ` | `, `⋅`), or with the year's century (`DD.MM.YYYY-SSSS`,
/// `matchWithCentury`, or year first: `1980-01-01-1133`), anywhere in a longer text. A split is one to three separators (and any number of spaces, tabs and line breaks besides): spaces
/// of any kind (tab, line break, no-break space), dashes of any kind (hyphen, en and em
/// dash, minus), `.` (and middle dots), `/`, `_`, and their full-width forms; invisible
/// characters (soft hyphen, zero-width space, combining marks) are passed over. The decimal
/// digits of any script count as digits.
/// Modulus 11 and the century table are not asked (a mistyped number is personal data too),
/// but for a number written with its century, which tells it from a day and a time by them.
/// Digits grouped otherwise (`2012-000123`, dates, phone numbers) are not matched.
package enum CPRInText {
    struct Match: Equatable {
        /// The byte range of the number in the text, separators included.
        var range: Range<Int>
        /// The ten digits as one number.
        var number: UInt64
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }

    /// The first CPR-shaped number in `text`. `lostLeadingZero`: nine digits in a row
    /// standing alone, a day 1–9 and a month 01–12, count as a number whose leading zero a
    /// spreadsheet dropped (`101801133`); in fields, not in what the tool writes for people,
    /// where such digits are byte counts.
    static func first(in text: UnsafeBufferPointer<UInt8>, lostLeadingZero: Bool = false) -> Match? {
        matches(in: text, lostLeadingZero: lostLeadingZero, atMost: 1).first
    }

    /// Every CPR-shaped number in `text`, in order.
    static func all(in text: UnsafeBufferPointer<UInt8>, lostLeadingZero: Bool = false) -> [Match] {
        matches(in: text, lostLeadingZero: lostLeadingZero, atMost: .max)
    }

    /// The first `atMost` numbers: the text checked and folded once, then matched from each
    /// match's end, so time grows with the text, not with the text times its numbers (a field
    /// of 267 KB of `12` and no-break spaces took 143 s when each next match folded the rest
    /// again: an adversarial review).
    private static func matches(in text: UnsafeBufferPointer<UInt8>, lostLeadingZero: Bool, atMost: Int) -> [Match] {
        // Most text fields have fewer than ten (nine) digits: one tight pass rules them out.
        let least = lostLeadingZero ? 9 : 10
        guard text.count >= least else { return [] }
        func each(_ t: UnsafeBufferPointer<UInt8>) -> [Match] {
            var found: [Match] = [], from = 0
            while found.count < atMost, let m = firstASCII(in: t, from: from, lostLeadingZero: lostLeadingZero) {
                found.append(m)
                from = m.range.upperBound
            }
            return found
        }
        let (ascii, digits) = scan(text)
        if ascii { return digits >= least ? each(text) : [] }
        // A character beyond ASCII folds to one digit at most: with fewer than ten ASCII
        // digits and such characters together (a name with an ø), no folding is needed.
        guard digits + text.count(where: { $0 >= 0xC0 }) >= least else { return [] }
        // Other scripts' digits, Unicode spaces, dashes and full-width punctuation folded to
        // ASCII, invisible characters left out; the matches mapped back to the text's bytes.
        let (folded, origin) = fold(text)
        guard folded.count >= least else { return [] }
        return folded.withUnsafeBufferPointer { scan($0).digits >= least ? each($0) : [] }.map {
            Match(range: origin[$0.range.lowerBound]..<origin[$0.range.upperBound], number: $0.number)
        }
    }

    private static func firstASCII(in text: UnsafeBufferPointer<UInt8>, from: Int, lostLeadingZero: Bool) -> Match? {
        let n = text.count
        var i = from
        while i < n {
            guard isDigit(text[i]) else { i += 1; continue }
            if couldBeBirthDate(text, at: i), let m = match(text, at: i) ?? matchWithCentury(text, at: i) { return m }
            if couldBeYearFirst(text, at: i), let m = matchWithCentury(text, at: i) { return m }
            let start = i
            while i < n, isDigit(text[i]) { i += 1 }
            if lostLeadingZero, i - start == 9, text[start] != 0x30, case let month = (text[start + 1] &- 48) * 10 + (text[start + 2] &- 48),
               month >= 1, month <= 12 {
                return Match(range: start..<i, number: text[start..<i].reduce(0) { $0 * 10 + UInt64($1 - 48) })
            }
        }
        return nil
    }

    /// A quick look before `match`: a day 01–31 at `i`, then a month 01–12, their digits
    /// each after at most three separators (`match`). Rules out most runs of digits (years,
    /// serial numbers) at once.
    @inline(__always) private static func couldBeBirthDate(_ t: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        var j = i + 1
        func next() -> UInt8? {
            var marks = 0
            while j < t.count, !isDigit(t[j]) {
                if !isSpace(t[j]) { marks += 1; if marks > 3 { return nil } }
                j += 1
            }
            guard j < t.count, isDigit(t[j]) else { return nil }
            defer { j += 1 }
            return t[j] &- 48
        }
        guard let d = next() else { return false }
        let day = (t[i] &- 48) * 10 + d
        guard day >= 1, day <= 31, let m1 = next(), let m2 = next() else { return false }
        let month = m1 * 10 + m2
        return month >= 1 && month <= 12
    }

    /// A quick look before a date written year first (`matchWithCentury`): a year 1800–2099
    /// at `i`, then a month 01–12 after at most two separators. Rules out case numbers
    /// (`S-2022-000001`) at once.
    @inline(__always) private static func couldBeYearFirst(_ t: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard i + 7 < t.count, t[i] == 0x31 && (t[i + 1] == 0x38 || t[i + 1] == 0x39) || t[i] == 0x32 && t[i + 1] == 0x30,
              isDigit(t[i + 2]), isDigit(t[i + 3]) else { return false }
        var j = i + 4
        while j < i + 6, !isDigit(t[j]) { j += 1 }
        guard isDigit(t[j]), isDigit(t[j + 1]) else { return false }
        let month = (t[j] &- 48) * 10 + (t[j + 1] &- 48)
        return month >= 1 && month <= 12
    }

    static func first(in text: ArraySlice<UInt8>, lostLeadingZero: Bool = false) -> Match? {
        text.withUnsafeBufferPointer { p in
            first(in: p, lostLeadingZero: lostLeadingZero).map { Match(range: ($0.range.lowerBound + text.startIndex)..<($0.range.upperBound + text.startIndex), number: $0.number) }
        }
    }

    /// Whether `text` is ASCII, and how many ASCII digits it holds, in one pass eight bytes
    /// at a time: the last few bytes as the eight that end the text, shifted so that those
    /// already counted drop out. A digit is, per byte, the high bit of
    /// `ascii & ≥ '0' & ≤ '9'` (no carry or borrow crosses a byte).
    @inline(__always) static func scan(_ text: UnsafeBufferPointer<UInt8>) -> (ascii: Bool, digits: Int) {
        let high: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func digits(_ w: UInt64) -> Int {
            let atLeast0 = ((w | high) &- 0x3030_3030_3030_3030) & high
            let above9 = ((w & ~high) &+ 0x4646_4646_4646_4646) & high
            return (atLeast0 & ~above9 & ~w & high).nonzeroBitCount
        }
        guard let start = text.baseAddress else { return (true, 0) }
        let base = UnsafeRawPointer(start), n = text.count
        var i = 0, count = 0, bits: UInt64 = 0
        guard n >= 8 else {
            for c in text { bits |= UInt64(c); if isDigit(c) { count += 1 } }
            return (bits & 0x80 == 0, count)
        }
        while i &+ 8 <= n {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            bits |= w; count &+= digits(w)
            i &+= 8
        }
        if i < n {   // 1 to 7 left: the last eight bytes, those before `i` shifted out
            let w = base.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self) >> (8 &* UInt64(8 &- (n &- i)))
            bits |= w; count &+= digits(w)
        }
        return (bits & high == 0, count)
    }

    /// A CPR-shaped number starting at `start`, a digit with no digit before it.
    private static func match(_ t: UnsafeBufferPointer<UInt8>, at start: Int) -> Match? {
        let n = t.count
        var j = start, digits = 0, number: UInt64 = 0
        var separatedAt = 0   // bit k: a separator after the k-th digit
        var afterDay = 0..<0, afterMonth = 0..<0   // the separators after the 2nd and the 4th digit
        var afterDate = 0..<0, inSerial = 0..<0   // the separators after the 6th and the 8th digit
        var firstSplit: Range<Int>?, splitAlike = true   // every split the same text (`isSpelledOut`)
        while j < n, digits < 10 {
            let c = t[j]
            if isDigit(c) {
                number = number * 10 + UInt64(c - 48); digits += 1; j += 1
                // No day 01–31, no month 01–12: no CPR number (most digits stop here).
                if digits == 2, !(1...31).contains(number) { return nil }
                if digits == 4, !(1...12).contains(number % 100) { return nil }
                continue
            }
            // Separators after the day (then after the month too), after the birth date, and
            // within the serial; which of them make a CPR number is `isCPRSplit`'s.
            // After the birth date the separators may be any punctuation marks or symbols too
            // (`DDMMYY+SSSS`, `DDMMYY | SSSS`: reviewers' spellings; beyond ASCII folded to `~`).
            let after = separator(t, at: j, marks: digits == 6)
            guard after > j, after < n, isDigit(t[after]) else { break }
            separatedAt |= 1 << digits
            if let first = firstSplit { splitAlike = splitAlike && t[first].elementsEqual(t[j..<after]) } else { firstSplit = j..<after }
            switch digits {
            case 2: afterDay = j..<after
            case 4: afterMonth = j..<after
            case 6: afterDate = j..<after
            default: inSerial = j..<after
            }
            j = after
        }
        guard digits == 10, j == n || !isDigit(t[j]) else { return nil }
        guard isCPRSplit(separatedAt) else {
            // Written a digit at a time or 3-3-4, split alike all through, and not one run of a
            // longer number so written (what every message masks: an adversarial review found
            // `0 1 0 1 8 0 1 1 3 5` and `010-180-1211` in analysts' views).
            guard isSpelledOut(separatedAt), splitAlike, let split = firstSplit else { return nil }
            func continues(_ digit: Int) -> Bool { digit >= 0 && digit < n && isDigit(t[digit]) }
            if continues(j + split.count), t[j..<min(n, j + split.count)].elementsEqual(t[split]) { return nil }
            if continues(start - split.count - 1), t[max(0, start - split.count)..<start].elementsEqual(t[split]) { return nil }
            return Match(range: start..<j, number: number)
        }
        // The serial's pairs split otherwise than the date from them may be a time or a day
        // (`12.03.19 14.30`, `01.02.13-28.03.13`): taken only when they read as neither.
        if separatedAt & 1 << 8 != 0, !t[afterDate].elementsEqual(t[inSerial]), number % 10_000 / 100 <= 31, number % 100 <= 59 {
            return nil
        }
        // The date split alike, or as Danish writes it (`12/12-12`): `bilag 12 03.04.2019` is a
        // number and a date (a review found it replaced).
        if separatedAt & 1 << 4 != 0, !t[afterDay].elementsEqual(t[afterMonth]),
           !(t[afterDay].elementsEqual([0x2F]) && t[afterMonth].elementsEqual([0x2D])) { return nil }
        return Match(range: start..<j, number: number)
    }

    /// A CPR number written with its birth year's century, `DD.MM.YYYY-SSSS` or
    /// `DDMMYYYY-SSSS` (the date split by `.`, `-`, `/` or a space twice or not at all, or
    /// `DD/MM-YYYY` as Danish writes a date; a year 1800–2099; one to three marks or spaces;
    /// the serial), standing alone; its number is the ten digits without the century.
    /// The century written must be the one the serial's first digit gives the year (the CPR
    /// century table): a date followed by a time or a year (`12.03.2019-1430`,
    /// `01.08.2019-2020`, a review found them replaced) is no CPR number, and no real number
    /// is missed; nor is one whose serial is a year of the next thirty (`01.08.1998-1999`).
    /// Spaces before the serial too (`12.12.2012 4139`, `12/12-2012 - 4150`: an adversarial
    /// review found them in clear): `12.03.2019 1430`, a day and a time, has a serial of the
    /// wrong century. The date may be written year first, as ISO 8601 writes it
    /// (`1980-01-01-1133`, `19800101-1133`, split alike or not at all), under the same rule:
    /// `2012-03-12 1430` and `2019-03-12-0087` are no CPR numbers.
    private static func matchWithCentury(_ t: UnsafeBufferPointer<UInt8>, at start: Int, lookingAhead: Bool = true) -> Match? {
        let n = t.count
        var j = start
        func number(_ count: Int) -> UInt64? {
            guard j + count <= n else { return nil }
            var v: UInt64 = 0
            for k in j..<(j + count) {
                guard isDigit(t[k]) else { return nil }
                v = v * 10 + UInt64(t[k] - 48)
            }
            j += count
            return v
        }
        /// A mark, with a space after it (`12. 12. 2012`) or not; 0 for none.
        func dateSeparator() -> UInt8 {
            guard j < n, t[j] == 0x2E || t[j] == 0x2D || t[j] == 0x2F || t[j] == 0x20 else { return 0 }
            let mark = t[j]
            j += 1
            if mark != 0x20, j < n, t[j] == 0x20 { j += 1 }
            return mark
        }
        typealias Birth = (day: UInt64, month: UInt64, century: UInt64, year: UInt64)
        func dayFirst() -> Birth? {
            guard let day = number(2), (1...31).contains(day) else { return nil }
            let first = dateSeparator()
            guard let month = number(2), (1...12).contains(month) else { return nil }
            let second = dateSeparator()
            guard second == first || first == 0x2F && second == 0x2D, let century = number(2), (18...20).contains(century),
                  let year = number(2) else { return nil }
            return (day, month, century, year)
        }
        func yearFirst() -> Birth? {
            j = start
            guard let century = number(2), (18...20).contains(century), let year = number(2) else { return nil }
            let first = dateSeparator()
            guard let month = number(2), (1...12).contains(month) else { return nil }
            guard dateSeparator() == first, let day = number(2), (1...31).contains(day) else { return nil }
            return (day, month, century, year)
        }
        guard let (day, month, century, year) = dayFirst() ?? yearFirst() else { return nil }
        let serialStart = j
        j = separator(t, at: j, marks: true)
        guard j > serialStart else { return nil }
        // The serial in pairs too (`12.12.2012 41 55`).
        guard let high = number(2) else { return nil }
        let paired = j + 2 < n && (t[j] == 0x20 || t[j] == 0x2E || t[j] == 0x2D) && isDigit(t[j + 1])
        if paired { j += 1 }
        guard let low = number(2), case let serial = high * 100 + low, j == n || !isDigit(t[j]),
              CPR.century(seventh: Int(serial / 1000), yy: Int(year)) == Int(century) * 100 else { return nil }
        // A date or number that goes on after it: a range of days (`1960-01-01 - 2001-12-31`),
        // a telephone number in pairs (`2019-03-12 40 50 60 70`; a review found them replaced);
        // but not the next number of a list (`01.01.1980-1133/02.02.1980-1144`).
        if lookingAhead, j + 1 < n, isDigit(t[j + 1]), t[j] == 0x2E || t[j] == 0x2D || t[j] == 0x2F || paired && t[j] == 0x20,
           !startsCPRNumber(t, at: j + 1) { return nil }
        // A range of years (`01.08.1998-1999`), which the century table cannot tell.
        let born = century * 100 + year
        guard !(born + 1...born + 30).contains(serial) else { return nil }
        return Match(range: start..<j, number: ((day * 100 + month) * 100 + year) * 10_000 + serial)
    }

    /// Whether a CPR number starts at `i`, a digit after a separator, without looking past it.
    private static func startsCPRNumber(_ t: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        let birth = couldBeBirthDate(t, at: i)
        return birth && match(t, at: i) != nil
            || (birth || couldBeYearFirst(t, at: i)) && matchWithCentury(t, at: i, lookingAhead: false) != nil
    }

    /// Where a CPR number may be split (bit k: after its k-th digit): nowhere, after the birth
    /// date (`DDMMYY-SSSS`), within the date too (`DD-MM-YY-SSSS`), after the day and month
    /// only (`DD-MM-YYSSSS`), and the serial in pairs as the date was split from it
    /// (`DDMMYY SS SS`, `DD.MM.YY SS SS`, `DD DD DD SS SS`). Not after the day and month alone
    /// with the rest run together, nor `DDMM-YY-SSSS`: `2012-000123` and `2011-05-0042` are
    /// case numbers. Not in pairs split otherwise: `12.03.19 14.30` and `2012-03-12 14:30`
    /// are a day and a time (a review found them replaced).
    private static func isCPRSplit(_ splits: Int) -> Bool {
        switch splits {
        case 0, 1 << 6, 1 << 2 | 1 << 4 | 1 << 6, 1 << 2 | 1 << 4, 1 << 6 | 1 << 8, 1 << 2 | 1 << 4 | 1 << 6 | 1 << 8: true
        default: false
        }
    }

    /// Splits no other identifier takes: every digit apart (`0 1 0 1 8 0 1 1 3 5`), and 3-3-4
    /// (`010-180-1211`), with the date a day and month that could be.
    private static func isSpelledOut(_ splits: Int) -> Bool {
        splits == 0b11_1111_1110 || splits == 1 << 3 | 1 << 6
    }

    /// The end of a split at `j`: one to three separators (spaces, tabs, line breaks, `-`,
    /// `.`, `/`, `_`; with `marks`, any punctuation mark or symbol); `j` when there is none.
    private static func separator(_ t: UnsafeBufferPointer<UInt8>, at j: Int, marks: Bool = false) -> Int {
        var k = j, counted = 0
        while k < t.count {
            // Spaces, tabs and line breaks, any number of them: a number wrapped onto an
            // indented line, or spaced out in a column (an adversarial review found both in clear).
            if isSpace(t[k]) { k += 1; continue }
            guard counted < 3, isSeparator(t[k]) || marks && isPunctuation(t[k]) else { break }
            counted += 1; k += 1
        }
        return k
    }

    @inline(__always) private static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D
    }

    @inline(__always) private static func isSeparator(_ c: UInt8) -> Bool {
        isSpace(c) || c == 0x2D || c == 0x2E || c == 0x2F || c == 0x5F
    }

    /// ASCII punctuation and symbols: `!` to `/`, `:` to `@`, `[` to `` ` ``, `{` to `~`.
    @inline(__always) private static func isPunctuation(_ c: UInt8) -> Bool {
        c &- 0x21 < 15 || c &- 0x3A < 7 || c &- 0x5B < 6 || c &- 0x7B < 4
    }
}
