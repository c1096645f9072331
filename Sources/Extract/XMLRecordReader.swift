import Foundation
import CExpat
import Pipeline

/// A streaming XML reader on expat (chosen over FoundationXML: docs/benchmarks.md).
///
/// A record is an element whose local name is `recordElement`, at any depth under any root
/// and whatever its namespace; its fields are its attributes and the texts of its child
/// elements, by local name. DTDs are refused outright, so no entity is ever declared,
/// expanded or fetched (XXE, billion laughs). The file is fed 1 MiB at a time.
final class XMLRecordReader {
    let path: String
    let recordElement: String
    /// Attribute or child names wanted, in the contract's field order (nil: not mapped).
    let names: [String?]
    /// The fields of `names` whose second value is dropped (`SourceKind.descriptiveFields`);
    /// a second, different value of any other rejects its record.
    let descriptive: Set<Int>
    /// The encoding to impose, or nil to follow the document's own declaration.
    let encoding: TextEncoding?
    private let file: ChunkedFile
    /// The root element's `udtraeksdato`, once the root has been read.
    private(set) var exportDate: Day?
    /// Elements that look like records but are not read as such, their name differing only in
    /// case. Told to the steward, never lost quietly (one inside a record is a reject).
    private(set) var unreadOtherCase = 0
    /// Records with markup in a descriptive field, read as the text inside it, and the first
    /// such field and element (`Bydel`, `span`). Told to the steward.
    private(set) var markupRead = NotedRecords<(field: String, element: String)>()
    /// Records with a descriptive field given again with another value, the first kept, and
    /// the first such field. Told to the steward (a review found `<Kilde>` twice loaded silently).
    private(set) var secondDropped = NotedRecords<String>()

    /// The most bytes one token (a comment, a tag, a processing instruction) may span. Expat keeps an
    /// unfinished token and parses it again from its start with each new chunk, so a huge one
    /// costs time quadratic in its size (320 MB: 48 s); no export has a token near this.
    let maxTokenBytes: Int

    init(path: String, recordElement: String, names: [String?], descriptive: Set<Int> = [], encoding: TextEncoding?,
         maxTokenBytes: Int = 16 << 20, confinedTo drop: URL? = nil) throws(ExtractError) {
        self.path = path
        self.recordElement = recordElement
        self.names = names
        self.descriptive = descriptive
        self.encoding = encoding
        self.maxTokenBytes = maxTokenBytes
        file = try ChunkedFile(path: path, confinedTo: drop)
    }

    var sha256: String { file.sha256() }
    var bytesRead: Int64 { file.bytesRead }

    /// Calls `body` with each record, `line` being its 1-based element index (the n-th record
    /// element of the file, one inside another counted too).
    func forEachRecord(_ body: (SourceRecord) throws -> Void) throws {
        // Namespaced names arrive as "uri\u{1}local"; the separator cannot occur in XML text.
        guard let parser = XML_ParserCreateNS(encoding.map(Self.expatName), 0x01) else {
            throw ExtractError.cannotRead(path: path, message: "expat could not create a parser (out of memory?)")
        }
        defer { XML_ParserFree(parser) }
        try withoutActuallyEscaping(body) { body in
            let context = XMLParseContext(parser: parser, file: path, recordElement: recordElement, names: names,
                                          descriptive: descriptive, body: body)
            defer {   // also when stopped early
                exportDate = context.exportDate; unreadOtherCase = context.unreadOtherCase; markupRead = context.markupRead
                secondDropped = context.secondDropped
            }
            let unmanaged = Unmanaged.passRetained(context)
            defer { unmanaged.release() }
            XML_SetUserData(parser, unmanaged.toOpaque())
            XMLParseContext.install(on: parser)

            let chunk = ChunkedFile.chunkSize
            // A single-byte encoding imposed on a file that is UTF-8 is refused, as for a CSV; so
            // is one the document declares (an export job changed to UTF-8 that kept its old
            // declaration loaded "BÃ¸rnehaven", an adversarial review found).
            var utf8 = UTF8Evidence()
            var declared: String?
            while true {
                guard let buffer = XML_GetBuffer(parser, Int32(chunk)) else {
                    throw ExtractError.cannotRead(path: path, message: "expat could not allocate its buffer (out of memory?)")
                }
                let n = try file.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: chunk))
                let last = n < chunk
                // Expat reads UTF-16, not UTF-32 (whose little-endian mark starts with UTF-16's).
                if file.bytesRead == Int64(n), UTF8Check.wideUnicodeForm(buffer.assumingMemoryBound(to: UInt8.self), count: n) == "UTF-32" {
                    throw ExtractError.wideUnicode(file: path, form: "UTF-32")
                }
                if file.bytesRead == Int64(n), encoding == nil {
                    declared = Self.declaredSingleByteEncoding(UnsafeRawBufferPointer(start: buffer, count: n))
                }
                if encoding != nil && encoding != .utf8 || declared != nil {
                    utf8.note(buffer.assumingMemoryBound(to: UInt8.self), count: n)
                    if utf8.byteOrderMark || last, let evidence = utf8.evidence {
                        if let encoding, encoding != .utf8 { throw ExtractError.utf8NotDeclared(file: path, encoding: encoding, evidence: evidence) }
                        throw ExtractError.utf8UnderDeclaration(file: path, declared: declared ?? "", evidence: evidence)
                    }
                }
                if XML_ParseBuffer(parser, Int32(n), last ? 1 : 0) != XML_STATUS_OK {
                    if let error = context.error { throw error }
                    let code = XML_GetErrorCode(parser)
                    throw ExtractError.xmlNotWellFormed(
                        file: path, line: Int(XML_GetCurrentLineNumber(parser)),
                        column: Int(XML_GetCurrentColumnNumber(parser)) + 1,
                        message: String(cString: XML_ErrorString(code)))
                }
                if let error = context.error { throw error }
                if last { break }
                // After a parse, expat's current index is where its unfinished token starts.
                let unfinished = file.bytesRead - Int64(XML_GetCurrentByteIndex(parser))
                if unfinished > maxTokenBytes {
                    throw ExtractError.xmlTokenTooLong(file: path, line: Int(XML_GetCurrentLineNumber(parser)), limit: maxTokenBytes)
                }
            }
        }
    }

    /// The encoding the XML declaration at the start of `head` names, when it is not UTF-8 or
    /// UTF-16 (which expat tells from the bytes); nil when there is none.
    /// Read by hand: a Swift `Regex` takes 1.3 ms at its first use in a process (measured), 1 % of
    /// a Copenhagen extract.
    static func declaredSingleByteEncoding(_ head: UnsafeRawBufferPointer) -> String? {
        var bytes = head[...]   // the first chunk: white space may pad a declaration (a re-test)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        guard bytes.starts(with: Array("<?xml".utf8)), let end = bytes.firstRange(of: Array("?>".utf8)),
              let key = bytes[..<end.lowerBound].firstRange(of: Array("encoding".utf8)) else { return nil }
        var rest = bytes[key.upperBound..<end.lowerBound].drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        guard rest.first == UInt8(ascii: "=") else { return nil }
        rest = rest.dropFirst().drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        guard let quote = rest.first, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'"),
              let close = rest.dropFirst().firstIndex(of: quote) else { return nil }
        let name = String(decoding: rest[rest.index(after: rest.startIndex)..<close], as: UTF8.self)
        return ["utf-8", "utf8", "utf-16", "utf-16le", "utf-16be"].contains(name.lowercased()) ? nil : name
    }

    private static func expatName(_ e: TextEncoding) -> String {
        switch e {
        case .utf8: "UTF-8"
        case .latin1: "ISO-8859-1"
        case .windows1252: "windows-1252"   // through the unknown-encoding handler
        }
    }
}
