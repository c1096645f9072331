import Pipeline

/// One field's value, formatted by the file it is written to.
enum Field {
    /// Quoted only when it holds the delimiter, a quote or a line break (RFC 4180).
    case text(String)
    /// Always quoted, as some exporters do for text they consider free-form.
    case quoted(String)
    /// Written exactly as given and never quoted: how malformed fields are made on purpose.
    case raw(String)
    case day(Day?)
    case number(Int)
    case cpr(Int64, dashed: Bool)

    /// The field's text as a reader sees it after unquoting (for malformed records).
    func rendered(dates: DateFormat) -> String {
        switch self {
        case .text(let s), .quoted(let s), .raw(let s): return s
        default:
            var b = [UInt8]()
            switch self {
            case .day(let d): if let d { b.day(d, dates) }
            case .number(let n): b.number(n)
            case .cpr(let v, let dashed): b.cpr(v, dashed: dashed)
            default: break
            }
            return String(decoding: b, as: UTF8.self)
        }
    }
}

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

/// An XML export: a root element with namespace and `udtraeksdato`, record elements
/// written as they come.
final class XMLFile {
    let file: OutputFile
    private let root: StaticString

    init(_ file: OutputFile, root: StaticString, namespace: StaticString, asOf: Day) {
        self.file = file
        self.root = root
        let b = { (s: StaticString) in file.buffer.ascii(s) }
        b("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<"); b(root); b(" xmlns=\""); b(namespace)
        b("\" udtraeksdato=\""); file.buffer.day(asOf, .iso); b("\">\n")
    }

    /// `<name>value</name>` on its own indented line, or `<name/>` when empty.
    func element(_ name: StaticString, _ value: Field) {
        let empty: Bool
        switch value {
        case .text(let s), .quoted(let s), .raw(let s): empty = s.isEmpty
        case .day(let d): empty = d == nil
        default: empty = false
        }
        file.buffer.ascii("    <"); file.buffer.ascii(name)
        if empty { file.buffer.ascii("/>\n"); return }
        file.buffer.append(62)
        switch value {
        case .text(let s), .quoted(let s), .raw(let s): escape(s, into: &file.buffer)
        case .day(let d): if let d { file.buffer.day(d, .iso) }
        case .number(let n): file.buffer.number(n)
        case .cpr(let v, let dashed): file.buffer.cpr(v, dashed: dashed)
        }
        file.buffer.ascii("</"); file.buffer.ascii(name); file.buffer.ascii(">\n")
    }

    /// `  <name a="v" b="w">` for a record element.
    func open(_ name: StaticString, attributes: [(StaticString, String)]) {
        file.buffer.ascii("  <"); file.buffer.ascii(name)
        for (key, value) in attributes {
            file.buffer.append(32); file.buffer.ascii(key); file.buffer.ascii("=\"")
            escape(value, into: &file.buffer)
            file.buffer.append(34)
        }
        file.buffer.ascii(">\n")
    }

    func close(_ name: StaticString) throws {
        file.buffer.ascii("  </"); file.buffer.ascii(name); file.buffer.ascii(">\n")
        file.records += 1
        try file.flushIfFull()
    }

    func finishDocument() {
        file.buffer.ascii("</"); file.buffer.ascii(root); file.buffer.ascii(">\n")
    }

    /// The five predefined entities, so text and attribute values are both safe.
    private func escape(_ s: String, into out: inout [UInt8]) {
        for c in s.utf8 {
            switch c {
            case 38: out.ascii("&amp;")
            case 60: out.ascii("&lt;")
            case 62: out.ascii("&gt;")
            case 34: out.ascii("&quot;")
            case 39: out.ascii("&apos;")
            default: out.append(c)
            }
        }
    }
}
