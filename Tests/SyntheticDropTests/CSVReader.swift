import Foundation

/// A strict RFC 4180 reader for the tests: records with the line they start on, and a
/// flag when a record holds a quote where none may be (inside an unquoted field, or
/// text after a closing quote).
struct CSVRecord {
    var fields: [String]
    var line: Int
    var malformed: Bool
}

func readCSV(_ bytes: [UInt8], delimiter: UInt8, windows1252: Bool) -> (header: [String], records: [CSVRecord]) {
    var i = 0
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
    var line = 1
    var out: [CSVRecord] = []
    func decode(_ b: ArraySlice<UInt8>) -> String {
        if windows1252 {
            var s = String.UnicodeScalarView()
            for c in b { s.append(c == 0x80 ? "€" : Unicode.Scalar(c)) }
            return String(s)
        }
        return String(decoding: b, as: UTF8.self)
    }
    while i < bytes.count {
        var fields: [String] = []
        var malformed = false
        let start = line
        var endOfRecord = false
        while !endOfRecord {
            var field: [UInt8] = []
            if i < bytes.count, bytes[i] == 34 {
                i += 1
                while i < bytes.count {
                    if bytes[i] == 34 {
                        if i + 1 < bytes.count, bytes[i + 1] == 34 { field.append(34); i += 2; continue }
                        i += 1; break
                    }
                    if bytes[i] == 10 { line += 1 }
                    field.append(bytes[i]); i += 1
                }
                // After the closing quote only a delimiter or a line end may follow.
                while i < bytes.count, bytes[i] != delimiter, bytes[i] != 10, bytes[i] != 13 {
                    malformed = true; field.append(bytes[i]); i += 1
                }
            } else {
                while i < bytes.count, bytes[i] != delimiter, bytes[i] != 10, bytes[i] != 13 {
                    if bytes[i] == 34 { malformed = true }
                    field.append(bytes[i]); i += 1
                }
            }
            fields.append(decode(field[...]))
            if i >= bytes.count { endOfRecord = true }
            else if bytes[i] == delimiter { i += 1 }
            else {
                if bytes[i] == 13 { i += 1 }
                if i < bytes.count, bytes[i] == 10 { i += 1 }
                line += 1
                endOfRecord = true
            }
        }
        out.append(CSVRecord(fields: fields, line: start, malformed: malformed))
    }
    guard !out.isEmpty else { return ([], []) }
    return (out[0].fields, Array(out.dropFirst()))
}
