import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Record elements (children of the root) with their attributes and child texts.
struct XMLRecord {
    var name: String
    var attributes: [String: String]
    var children: [String: String]
}

struct XMLDocument {
    var rootName = ""
    var rootAttributes: [String: String] = [:]
    var namespace: String? { rootAttributes["xmlns"] }
    var records: [XMLRecord] = []
}

func readXML(_ data: Data) throws -> XMLDocument {
    final class Collector: NSObject, XMLParserDelegate {
        var doc = XMLDocument()
        var depth = 0
        var current: XMLRecord?
        var text = ""
        func parser(_ p: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            depth += 1
            text = ""
            if depth == 1 { doc.rootName = name; doc.rootAttributes = attributes }
            if depth == 2 { current = XMLRecord(name: name, attributes: attributes, children: [:]) }
        }
        func parser(_ p: XMLParser, foundCharacters s: String) { text += s }
        func parser(_ p: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if depth == 3 { current?.children[name] = text }
            if depth == 2, let c = current { doc.records.append(c); current = nil }
            depth -= 1
            text = ""
        }
    }
    let parser = XMLParser(data: data)
    let collector = Collector()
    parser.delegate = collector
    guard parser.parse() else { throw parser.parserError ?? CocoaError(.fileReadCorruptFile) }
    return collector.doc
}
