import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Pipeline
import Testing
@testable import Report

/// A rendered report, parsed as the XML it also is (the page is polyglot HTML): its elements
/// with their attributes and text, so tests read figures from data attributes, not by scraping.
struct ReportPage {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text: String
        /// Names of the elements it sits in, outermost first.
        var path: [String]
    }

    let html: String
    private(set) var elements: [Element] = []

    init(_ html: String) throws {
        self.html = html
        let delegate = Collector()
        let parser = XMLParser(data: Data(html.utf8))
        parser.delegate = delegate
        guard parser.parse() else {
            throw ParseError(message: "\(parser.parserError.map { "\($0)" } ?? "unknown") at line \(parser.lineNumber), column \(parser.columnNumber)")
        }
        elements = delegate.done
    }

    struct ParseError: Error, CustomStringConvertible { var message: String; var description: String { "not well-formed: \(message)" } }

    /// Every element that shows a figure of a view.
    var figures: [Element] { elements.filter { $0.attributes["data-view"] != nil } }

    func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }

    /// All text outside tags.
    var text: String { elements.filter { $0.path.isEmpty }.map(\.text).joined() }

    private final class Collector: NSObject, XMLParserDelegate {
        var stack: [Element] = []
        var done: [Element] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            stack.append(Element(name: name, attributes: attributes, text: "", path: stack.map(\.name)))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            for i in stack.indices { stack[i].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            done.append(stack.removeLast())
        }
    }
}

/// Where a figure of the page says it came from.
struct FigureAddress: Hashable, CustomStringConvertible {
    var view: String
    var key: [String: String?]
    var keyOrder: [String]
    var column: String

    init(_ element: ReportPage.Element) throws {
        view = element.attributes["data-view"]!
        column = try #require(element.attributes["data-column"])
        let json = try #require(element.attributes["data-key"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        key = object.mapValues { $0 as? String }
        // Key order does not matter for the lookup; keep a stable one.
        keyOrder = object.keys.sorted()
    }

    var description: String { "\(view)\(key.sorted { $0.key < $1.key }.map { "[\($0.key)=\($0.value ?? "NULL")]" }.joined()).\(column)" }
}

/// Holds every figure of a page against its source: `lookup` returns the view's value
/// (nil: NULL) or throws when there is no such row.
enum FigureCheck {
    enum Found { case row(String?), noRow }

    static func check(_ page: ReportPage, language: ReportLanguage, minimum: Int, lookup: (FigureAddress) throws -> Found) throws -> Int {
        let format = NumberFormat(language)
        let suppressedText = Catalog(language).text(.hiddenFewerThan, ["n": format.integer(minimum)])
        var checked = 0
        for element in page.figures {
            let address = try FigureAddress(element)
            let value = element.attributes["value"] ?? element.attributes["data-value"]
            let state = element.attributes["data-state"]
            let found = try lookup(address)
            switch state {
            case "value":
                guard case .row(let raw) = found else { Issue.record("\(address): the view has no such row"); continue }
                if let raw, let number = Double(raw), let value, let carried = Double(value) {
                    // The page carries the value rounded as it shows it, never to more than two decimals.
                    let decimals = value.split(separator: ".").dropFirst().first?.count ?? 0
                    // A percentage carries its share with two digits more than it shows, exactly.
                    let percent = element.attributes["data-display"] == "percent"
                    if percent {
                        let shown = element.text.split(whereSeparator: { String($0) == (language == .da ? "," : ".") }).dropFirst().first?.prefix { $0.isNumber }.count ?? 0
                        #expect(decimals == shown + 2, "\(address): carries \(value), shows \(element.text)")
                    }
                    #expect(decimals <= (percent ? 4 : 2) && abs(carried - number) <= 0.5 * pow(10, -Double(decimals)) + 1e-9 * max(1, abs(number)),
                            "\(address): page \(value), view \(raw)")
                    if element.name == "data", element.attributes["data-display"] == nil {
                        let shown = element.text.trimmingCharacters(in: .whitespaces)
                        let shownDecimals = shown.split(whereSeparator: { String($0) == (language == .da ? "," : ".") }).dropFirst().first?.count ?? 0
                        #expect(decimals == shownDecimals, "\(address): carries \(value), shows \(shown)")
                    }
                } else {
                    #expect(value != nil && value == raw, "\(address): page \(value ?? "nil"), view \(raw ?? "NULL")")
                }
                // What the reader sees is that value, rounded (or a date or a label).
                let display = element.attributes["data-display"]
                if element.name == "data", display == "date" {
                    #expect(element.text == format.date(iso: raw ?? ""), "\(address): shows \(element.text) for \(raw ?? "NULL")")
                } else if element.name == "data", display == "text" {
                    #expect(element.text == raw, "\(address): shows \(element.text) for \(raw ?? "NULL")")
                } else if element.name == "data", let raw, let number = Double(raw), !element.text.isEmpty {
                    var shown = element.text.trimmingCharacters(in: .whitespaces)
                    let percent = display == "percent" && shown.hasSuffix(" %")
                    if percent { shown.removeLast(2) }
                    if let read = format.parse(shown) {
                        let decimals = shown.split(whereSeparator: { String($0) == (language == .da ? "," : ".") }).dropFirst().first?.count ?? 0
                        let tolerance = 0.5 * pow(10, -Double(decimals)) + 1e-9 * max(1, abs(number))
                        let magnitude = display == "magnitude"
                        let scaled = percent ? 100 * number : magnitude ? abs(number) : number
                        #expect(abs(scaled - read) <= tolerance, "\(address): shows \(shown) for \(raw)")
                    } else {
                        Issue.record("\(address): shows '\(shown)', not a number, for \(raw)")
                    }
                }
            case "suppressed":
                guard case .row(let raw) = found else { Issue.record("\(address): suppressed, but the view has no such row"); continue }
                #expect(raw == nil, "\(address): shown as suppressed, but the view has \(raw ?? "")")
                if element.name == "data" { #expect(element.text == suppressedText, "\(address): a suppressed cell reads '\(element.text)'") }
                #expect(element.text != "0")
            case "undefined":
                guard case .row(let raw) = found else { Issue.record("\(address): the view has no such row"); continue }
                #expect(raw == nil, "\(address): shown as not computable, but the view has \(raw ?? "")")
            case "absent":
                guard case .noRow = found else { Issue.record("\(address): shown as absent, but the view has the row"); continue }
            default:
                Issue.record("\(address): unknown data-state \(state ?? "nil")")
            }
            checked += 1
        }
        return checked
    }
}
