import Pipeline

/// Decides, record by record, whether a bad record goes in first, and keeps the tally.
/// Each file has its own random stream, so a dirty drop holds exactly the good records
/// of the clean drop with the same seed, plus the bad ones.
struct Injector {
    let file: String
    let rate: Double
    let kinds: [DirtyKind]
    var rng: SeededRandom
    var injected: [DropSummary.Injected] = []

    init(file: String, rate: Double, kinds: [DirtyKind], seed: UInt64, stream: UInt64) {
        self.file = file
        self.rate = rate
        self.kinds = kinds
        rng = SeededRandom(seed: seed, stream: stream)
    }

    /// Whether a bad record goes before the next good one, and of which kind: the kinds
    /// take turns, so every kind shows up once a file has a handful of bad records.
    mutating func draw() -> DirtyKind? {
        guard rate > 0, rng.chance(rate) else { return nil }
        defer { drawn += 1 }
        return kinds[drawn % kinds.count]
    }
    private var drawn = 0

    mutating func record(_ kind: DirtyKind, record: Int, line: Int?) {
        injected.append(.init(file: file, kind: kind, record: record, line: line))
    }

    /// Writes a bad record of `kind` into `csv` (a field taken out or added first, for a
    /// wrong column count), and notes where.
    mutating func write(_ kind: DirtyKind, _ fields: [Field], to csv: CSVFile) throws {
        var fields = fields
        if kind == .wrongColumnCount { wrongCount(&fields) }
        record(kind, record: csv.file.records + 1, line: csv.line)
        for field in fields { csv.field(field) }
        try csv.endRecord()
    }

    /// A day of the right shape that does not exist, in the file's date layout.
    mutating func nonexistentDay(_ format: DateFormat) -> String {
        let (d, m, y) = rng.element(Names.nonexistentDays)
        let dd = twoDigits(d), mm = twoDigits(m), yyyy = String(y)
        return format == .iso ? yyyy + "-" + mm + "-" + dd : dd + "-" + mm + "-" + yyyy
    }

    /// A date with a `"` inside it: `01-0"3-2015`, `2015-0"3-01`.
    mutating func strayQuoted(_ text: String) -> String {
        var chars = Array(text)
        let at = chars.count == 10 && chars[4] == "-" ? 6 : 4
        chars.insert("\"", at: min(at, chars.count))
        return String(chars)
    }

    /// Not a CPR number: nine digits, or a date that does not exist.
    mutating func invalidCPR(from cpr: Int64, dashed: Bool) -> String {
        var b = [UInt8]()
        b.cpr(cpr, dashed: dashed)
        var s = String(decoding: b, as: UTF8.self)
        if rng.chance(0.5) {
            s.removeLast()
        } else {
            let (d, m) = rng.element([(31, 2), (30, 2), (31, 4), (31, 6), (31, 9), (31, 11)])
            s = twoDigits(d) + twoDigits(m) + String(s.dropFirst(4))
        }
        return s
    }

    /// One field too few (from the middle) or one too many (at the end).
    mutating func wrongCount(_ fields: inout [Field]) {
        if rng.chance(0.5) { fields.remove(at: fields.count / 2) } else { fields.append(.text("x")) }
    }
}
