import Pipeline

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
