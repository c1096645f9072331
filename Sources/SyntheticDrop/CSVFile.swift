import Pipeline

/// A CSV export: header line first, records field by field without building rows.
final class CSVFile {
    let file: OutputFile
    let delimiter: UInt8
    let lineEnd: StaticString
    let dates: DateFormat
    /// Physical line on which the next record starts (the header is line 1).
    private(set) var line = 1
    private var first = true

    init(_ file: OutputFile, delimiter: UInt8, lineEnd: StaticString, dates: DateFormat, bom: Bool, header: [String]) {
        self.file = file
        self.delimiter = delimiter
        self.lineEnd = lineEnd
        self.dates = dates
        if bom { file.buffer.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
        for h in header { field(.text(h)) }
        finishLine()
    }

    func field(_ f: Field) {
        if !first { file.buffer.append(delimiter) }
        first = false
        switch f {
        case .text(let s):
            if needsQuotes(s) { quote(s) } else { file.buffer.text(s) }
        case .quoted(let s): quote(s)
        case .raw(let s):
            file.buffer.text(s)
            line += s.utf8.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        case .day(let d): if let d { file.buffer.day(d, dates) }
        case .number(let n): file.buffer.number(n)
        case .cpr(let v, let dashed): file.buffer.cpr(v, dashed: dashed)
        }
    }

    func endRecord() throws {
        finishLine()
        file.records += 1
        try file.flushIfFull()
    }

    private func finishLine() {
        file.buffer.ascii(lineEnd)
        line += 1
        first = true
    }

    private func needsQuotes(_ s: String) -> Bool {
        for c in s.utf8 where c == delimiter || c == 34 || c == 10 || c == 13 { return true }
        return false
    }

    private func quote(_ s: String) {
        file.buffer.append(34)
        for c in s.utf8 {
            if c == 34 { file.buffer.append(34) }
            if c == 10 { line += 1 }
            file.buffer.append(c)
        }
        file.buffer.append(34)
    }
}
