/// A fragment of HTML that is already safe to write: text goes in through `HTML.text`,
/// which escapes it, so nothing read from the warehouse can become markup.
///
/// The report is written as polyglot HTML (well-formed XML too: every element closed, no
/// named entities), so a test can read it with an XML parser instead of scraping it.
package struct HTML: Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    package private(set) var markup: String

    /// Markup written by this module (a literal in the source).
    package init(stringLiteral markup: String) { self.markup = markup }
    init(raw markup: String) { self.markup = markup }

    package var description: String { markup }

    /// Text, escaped, with each format character shown as its code (`shown`).
    package static func text(_ text: String) -> HTML { HTML(raw: escape(shown(text))) }

    /// `text` with each character that reorders or hides as its code: format characters (the
    /// bidirectional controls as U+202E, which reverses what follows; U+200B), what Unicode
    /// lets show as nothing (U+034F, variation selectors, fillers), line and paragraph
    /// separators, and spaces other than the ASCII one (U+00A0). Two districts then cannot read
    /// alike by them (three reviews); letters that look alike (`А` and `A`, `Å` written as A
    /// and a ring) still can. For what a reader sees: text and tooltips, not the `data-`
    /// attributes that carry a view's values.
    static func shown(_ text: String) -> String {
        func isFormat(_ c: Unicode.Scalar) -> Bool {
            switch c.properties.generalCategory {
            case .format, .lineSeparator, .paragraphSeparator: true
            case .spaceSeparator: c != " "
            default: c.properties.isDefaultIgnorableCodePoint
            }
        }
        guard text.unicodeScalars.contains(where: isFormat) else { return text }
        var shown = ""
        for c in text.unicodeScalars {
            if isFormat(c) {
                let hex = String(c.value, radix: 16, uppercase: true)
                shown += "[U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
            } else {
                shown.unicodeScalars.append(c)
            }
        }
        return shown
    }

    private static func attribute(_ key: String, _ value: String) -> String {
        " " + key + "=\"" + escape(key.hasPrefix("data-") ? value : shown(value)) + "\""
    }

    package static let empty = HTML(raw: "")

    /// An element with attributes (values escaped) and content.
    package static func element(_ name: String, _ attributes: [(String, String?)] = [], _ content: HTML...) -> HTML {
        element(name, attributes, content: content)
    }

    package static func element(_ name: String, _ attributes: [(String, String?)] = [], content: [HTML]) -> HTML {
        var out = "<" + name
        for (key, value) in attributes {
            guard let value else { continue }
            out += attribute(key, value)
        }
        out += ">"
        for c in content { out += c.markup }
        return HTML(raw: out + "</" + name + ">")
    }

    /// An element with no content, written `<name …/>` (valid in HTML for void and SVG elements).
    package static func empty(_ name: String, _ attributes: [(String, String?)]) -> HTML {
        var out = "<" + name
        for (key, value) in attributes {
            guard let value else { continue }
            out += attribute(key, value)
        }
        return HTML(raw: out + "/>")
    }

    package static func + (a: HTML, b: HTML) -> HTML { HTML(raw: a.markup + b.markup) }
    package static func += (a: inout HTML, b: HTML) { a.markup += b.markup }

    package static func join(_ parts: [HTML], separator: HTML = .empty) -> HTML {
        HTML(raw: parts.map(\.markup).joined(separator: separator.markup))
    }

    /// Escapes for text and attribute values alike: `& < > " '`.
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and line breaks are not allowed in XML.
                if c.value < 0x20, c != "\t", c != "\n", c != "\r" { out += "\u{FFFD}" } else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }
}
