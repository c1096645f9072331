import CExpat
import Foundation
import Pipeline

/// The state the expat callbacks share, reached through the parser's user data. Names are
/// compared as bytes and values gathered in one reused buffer: no String, no dictionary,
/// no allocation per element.
final class XMLParseContext {
    let parser: XML_Parser
    let file: String
    let recordElement: [UInt8]
    /// The wanted names' UTF-8, in the contract's field order; empty for a field not mapped.
    let wanted: [[UInt8]]
    let descriptive: Set<Int>
    let body: (SourceRecord) throws -> Void
    var error: Error?
    var exportDate: Day?

    var depth = 0
    /// The depth of the record element being read; 0 outside records.
    var recordDepth = 0
    /// Record elements so far, and the index of the one being read.
    var index = 0, recordIndex = 0
    /// For a record of no fields (`SourceRecord.empty`).
    let noColumns: [Int]
    /// The contract field the current child element gives; -1 for none.
    var child = -1
    var childStart = 0
    // The record being gathered: values one byte apart, as `SourceRecord` reads them.
    var bytes: [UInt8] = []
    var ends: [Int] = []
    var columns: [Int]
    /// The offset of the record's first control character; -1: none. Expat refuses most of
    /// them (XML 1.0 forbids them), so this is a second line of defence.
    var control = -1
    var unreadOtherCase = 0
    /// The first field of the record whose value is longer than `maxValue`; nil: none.
    var overlong: Int?
    /// The first field of the record given twice with different values (two `<Cpr>`, or an
    /// attribute and an element): which one is meant, nothing says; nil: none.
    var twice: Int?
    /// The first field of the record holding an element (`<Cpr>0101<b>90</b>1234</Cpr>`), and
    /// that element's name: which of its texts is meant, nothing says; nil: none. A field that
    /// only describes the record (`descriptive`) is read as all the text inside it, as XPath's
    /// string value (`<Bydel><span>Valby</span></Bydel>` is Valby), and counted in `markupRead`:
    /// rejecting an institution for its name's markup would reject its enrolments too.
    var markup: (field: Int, element: String)?
    var markupRead = NotedRecords<(field: String, element: String)>()
    var secondDropped = NotedRecords<String>()
    static let maxValue = 1 << 20
    /// Exports nest a few levels; expat keeps every open element, so depth is memory.
    static let maxDepth = 256

    init(parser: XML_Parser, file: String, recordElement: String, names: [String?], descriptive: Set<Int>,
         body: @escaping (SourceRecord) throws -> Void) {
        self.parser = parser; self.file = file; self.body = body; self.descriptive = descriptive
        self.recordElement = Array(recordElement.utf8)
        wanted = names.map { $0.map { Array($0.utf8) } ?? [] }
        columns = Array(repeating: -1, count: names.count)
        noColumns = columns
        bytes.reserveCapacity(1024)
    }

    static func from(_ p: UnsafeMutableRawPointer?) -> XMLParseContext {
        Unmanaged<XMLParseContext>.fromOpaque(p!).takeUnretainedValue()
    }

    /// The local part of an expat name ("uri\u{1}local" or "local").
    static func localName(_ name: UnsafePointer<XML_Char>) -> UnsafeRawBufferPointer {
        var p = name, start = name
        while p.pointee != 0 {
            if p.pointee == 0x01 { start = p + 1 }
            p += 1
        }
        return UnsafeRawBufferPointer(start: start, count: p - start)
    }

    static func equal(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Bool {
        a.count == b.count && b.withUnsafeBytes { memcmp(a.baseAddress!, $0.baseAddress!, a.count) == 0 }
    }

    static func equalIgnoringCase(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Bool {
        a.count == b.count && String(decoding: a, as: UTF8.self).lowercased() == String(decoding: b, as: UTF8.self).lowercased()
    }

    /// The contract field a local name gives, or -1.
    func field(_ name: UnsafeRawBufferPointer) -> Int {
        for (i, w) in wanted.enumerated() where !w.isEmpty && Self.equal(name, w) { return i }
        return -1
    }

    func fail(_ error: ExtractError) {
        if self.error == nil { self.error = error }
        XML_StopParser(parser, 0)
    }

    func position() -> (line: Int, column: Int) {
        (Int(XML_GetCurrentLineNumber(parser)), Int(XML_GetCurrentColumnNumber(parser)) + 1)
    }

    /// Ends the value of field `i` begun at `start`. A byte follows each value: the layout
    /// `SourceRecord` reads (a field starts one past the end of the one before). A field's
    /// value given again is dropped; given again otherwise, it rejects the record (`twice`),
    /// unless the field only describes it (`descriptive`: the first is kept).
    func close(_ i: Int, from start: Int) {
        if columns[i] >= 0 {
            let k = columns[i], first = k == 0 ? 0 : ends[k - 1] + 1
            if !bytes.withUnsafeBytes({ b in
                b[SourceRecord.trimmed(first..<ends[k], in: b)].elementsEqual(b[SourceRecord.trimmed(start..<b.count, in: b)])
            }) {
                if !descriptive.contains(i) {
                    twice = twice ?? i
                } else {
                    secondDropped.note(wantedName(i))
                }
            }
            bytes.removeSubrange(start...)
            return
        }
        if control < 0, let o = bytes.withUnsafeBytes({ CSVParseState.firstControl($0, from: start, end: $0.count) }) { control = o }
        columns[i] = ends.count
        ends.append(bytes.count)
        bytes.append(0x20)
    }

    func start(_ name: UnsafePointer<XML_Char>, _ atts: UnsafeMutablePointer<UnsafePointer<XML_Char>?>) {
        depth += 1
        guard depth <= Self.maxDepth else {
            let (line, column) = position()
            return fail(.xmlTooDeep(file: file, line: line, column: column, limit: Self.maxDepth))
        }
        if depth == 1 { readExportDate(atts) }
        if recordDepth == 0 {
            guard Self.equal(Self.localName(name), recordElement) else {
                if Self.equalIgnoringCase(Self.localName(name), recordElement) { unreadOtherCase += 1 }
                return
            }
            recordDepth = depth
            index += 1
            recordIndex = index
            bytes.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            control = -1
            overlong = nil
            twice = nil
            markup = nil
            markupRead.nextRecord()
            secondDropped.nextRecord()
            for i in columns.indices { columns[i] = -1 }
            var k = 0
            while let n = atts[k], let value = atts[k + 1] {
                let i = field(Self.localName(n))
                if i >= 0, columns[i] < 0 {
                    let start = bytes.count
                    let text = UnsafeRawBufferPointer(start: value, count: strlen(value))
                    if text.count > Self.maxValue { overlong = overlong ?? i }
                    bytes.append(contentsOf: text.prefix(Self.maxValue))
                    close(i, from: start)
                }
                k += 2
            }
        } else {
            if Self.equal(Self.localName(name), recordElement) { rejectNested() }
            if depth == recordDepth + 1 {
                child = field(Self.localName(name))
                childStart = bytes.count
            } else if child >= 0 {
                let element = String(decoding: Self.localName(name), as: UTF8.self)
                if !descriptive.contains(child) {
                    markup = markup ?? (child, element)
                } else {
                    markupRead.note((wantedName(child), element))
                }
            }
        }
    }

    /// A record element inside a record: which is the record, nothing says, so it is not read,
    /// but kept as a reject under its own index, with its file and why (a warning that counted
    /// them was all an adversarial review found of them); the record around it is read as it is.
    private func rejectNested() {
        index += 1
        let name = String(decoding: recordElement, as: UTF8.self)
        let problem = (RejectReason.malformedField, "this <\(name)> lies inside record \(recordIndex), another <\(name)>: "
                       + "records are not nested, so it was not read (record \(recordIndex) was); ask the export's owner for the layout the pipeline file names")
        do {
            try noColumns.withUnsafeBufferPointer { try body(.empty(line: index, problem: problem, columns: $0)) }
        } catch {
            self.error = error
            XML_StopParser(parser, 0)
        }
    }

    private func readExportDate(_ atts: UnsafeMutablePointer<UnsafePointer<XML_Char>?>) {
        var k = 0
        while let n = atts[k], let value = atts[k + 1] {
            if Self.equal(Self.localName(n), Array("udtraeksdato".utf8)) {
                let text = String(cString: value)
                let shown = Echo.text(text.utf8)
                if let day = Day(iso: text.trimmingSpaces) {
                    exportDate = day   // one after today is refused where it would be the as-of date (`AsOf`)
                } else if case let t = text.trimmingSpaces, t.count > 11, ["T", " "].contains(t.dropFirst(10).first), Day(iso: t.prefix(10)) != nil {
                    // A date-time's clock read as a masked number (`230000-****`): named, not quoted (an adversarial review).
                    fail(.badExportDate(file: file, line: position().line, text: "\(t.prefix(11))…",
                                        problem: "has a time after its date; the contract's is the date alone, yyyy-mm-dd"))
                } else if !text.trimmingSpaces.isEmpty {
                    fail(.badExportDate(file: file, line: position().line, text: shown, problem: "is not a yyyy-mm-dd date from the year 1000 on"))
                }
            }
            k += 2
        }
    }

    func end() {
        defer { depth -= 1 }
        guard recordDepth > 0 else { return }
        if depth == recordDepth + 1 {
            if child >= 0 { close(child, from: childStart) }
            child = -1
        } else if depth == recordDepth {
            recordDepth = 0
            do {
                try bytes.withUnsafeBytes { b in
                    try ends.withUnsafeBufferPointer { e in
                        try columns.withUnsafeBufferPointer { c in
                            let problem = overlong.map { (RejectReason.malformedField, "\(wantedName($0)) is longer than \(Self.maxValue >> 20) MiB") }
                                ?? twice.map { (RejectReason.malformedField, "\(wantedName($0)) is given twice, with different values: which is meant?") }
                                ?? markup.map { (RejectReason.malformedField, "\(wantedName($0.field)) holds an element <\(Echo.text($0.element.utf8))>: "
                                                 + "which of its texts is meant, nothing says; a field is plain text") }
                            try body(SourceRecord(line: recordIndex, problem: problem, bytes: b, ends: e, columns: c, control: control))
                        }
                    }
                }
            } catch {
                self.error = error
                XML_StopParser(parser, 0)
            }
        }
    }

    func characters(_ s: UnsafePointer<XML_Char>, _ len: Int) {
        guard child >= 0, depth == recordDepth + 1 || descriptive.contains(child) else { return }
        // A value past the limit is not kept, and its record is rejected (not cut short).
        guard bytes.count - childStart + len <= Self.maxValue else { overlong = overlong ?? child; return }
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: s, count: len))
    }

    /// The name a contract field is read by, for messages.
    private func wantedName(_ i: Int) -> String { String(decoding: wanted[i], as: UTF8.self) }

    static func install(on p: XML_Parser) {
        XML_SetElementHandler(p, { ud, name, atts in
            guard let name, let atts else { return }
            XMLParseContext.from(ud).start(name, atts)
        }, { ud, _ in
            XMLParseContext.from(ud).end()
        })
        XML_SetCharacterDataHandler(p, { ud, s, len in
            guard let s else { return }
            XMLParseContext.from(ud).characters(s, Int(len))
        })
        // Refuse any DTD the moment it starts: nothing in it is ever declared or expanded.
        XML_SetStartDoctypeDeclHandler(p, { ud, _, _, _, _ in
            let c = XMLParseContext.from(ud)
            let (line, column) = c.position()
            c.fail(.xmlRefused(file: c.file, line: line, column: column, what: "a DOCTYPE declaration"))
        })
        XML_SetEntityDeclHandler(p, { ud, _, _, _, _, _, _, _, _ in
            let c = XMLParseContext.from(ud)
            let (line, column) = c.position()
            c.fail(.xmlRefused(file: c.file, line: line, column: column, what: "an ENTITY declaration"))
        })
        XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER)
        XML_SetUnknownEncodingHandler(p, { _, name, info in
            guard let name, let info, Windows1252.names.contains(String(cString: name).lowercased()) else { return 0 }
            withUnsafeMutableBytes(of: &info.pointee.map) { raw in
                let map = raw.bindMemory(to: Int32.self)
                for b in 0..<256 { map[b] = Int32(Windows1252.scalar(UInt8(b))) }
            }
            info.pointee.data = nil
            info.pointee.convert = nil
            info.pointee.release = nil
            return 1
        }, nil)
    }
}

/// Records in which something was found that the steward is told of: each counted once,
/// and the first thing found.
struct NotedRecords<Thing> {
    private(set) var records = 0
    private(set) var first: Thing?
    private var inRecord = false

    mutating func note(_ thing: @autoclosure () -> Thing) {
        guard !inRecord else { return }
        inRecord = true
        records += 1
        if first == nil { first = thing() }
    }

    mutating func nextRecord() { inRecord = false }
}
