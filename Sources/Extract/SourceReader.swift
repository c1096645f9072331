import Pipeline

/// One export of a drop read as `SourceRecord`s, whichever its format: CSV through its
/// header and the pipeline's column mapping, XML through element and attribute names.
final class SourceReader {
    let source: PipelineConfig.Source
    let path: String
    private let csv: CSVReader?
    private let xml: XMLRecordReader?

    init(source: PipelineConfig.Source, path: String) throws(ExtractError) {
        self.source = source
        self.path = path
        let names = source.kind.fields.map { source.column($0) }
        switch source.format {
        case .csv:
            csv = try CSVReader(path: path, delimiter: source.delimiter, encoding: source.encoding)
            xml = nil
        case .xml:
            // UTF-8 (the default) lets the document's own declaration rule; other encodings
            // are imposed, as the pipeline file says.
            xml = try XMLRecordReader(path: path, recordElement: source.recordElement, names: names,
                                      encoding: source.encoding == .utf8 ? nil : source.encoding)
            csv = nil
        }
    }

    /// The SHA-256 and size of the bytes read, complete once `forEachRecord` returned.
    var sha256: String { csv?.sha256 ?? xml!.sha256 }
    var bytesRead: Int64 { csv?.bytesRead ?? xml!.bytesRead }
    /// The XML root's `udtraeksdato`; nil for CSV.
    var exportDate: Day? { xml?.exportDate }

    /// Calls `body` with each data record (not the CSV header).
    func forEachRecord(_ body: (SourceRecord) throws -> Void) throws {
        if let xml { return try xml.forEachRecord(body) }
        var columns: [Int]? = nil
        var headerCount = 0
        try csv!.forEachRecord { record in
            guard let columns else {
                columns = try mapHeader(record)
                headerCount = record.fieldCount
                return
            }
            var problem: (RejectReason, String)? = nil
            if let p = record.problem {
                problem = (.malformedField, p)
            } else if record.fieldCount != headerCount {
                problem = (.wrongColumnCount, "\(record.fieldCount) fields where the header has \(headerCount)")
            }
            try body(SourceRecord(line: record.line, problem: problem, bytes: record.bytes, ends: record.ends, columns: columns))
        }
        if columns == nil { throw ExtractError.noHeader(file: path) }
    }

    /// Contract field → column index, by header name (surrounding spaces ignored).
    private func mapHeader(_ header: CSVRecord) throws(ExtractError) -> [Int] {
        var index: [String: Int] = [:]
        for i in 0..<header.fieldCount {
            let name = String(String(decoding: header.field(i), as: UTF8.self).trimmingSpaces)
            if index[name] == nil { index[name] = i }
        }
        return try source.kind.fields.map { (field: String) throws(ExtractError) -> Int in
            let column = source.column(field)
            guard let i = index[column] else { throw .missingColumn(file: path, field: field, column: column) }
            return i
        }
    }
}
