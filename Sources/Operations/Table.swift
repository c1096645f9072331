import Foundation

/// A plain text table, columns padded.
package enum Table {
    package static func render(header: [String], rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows { widen(&widths, row) }
        return ([line(header, widths)] + rows.map { line($0, widths) }).joined(separator: "\n") + "\n"
    }

    /// The widths a table's columns need for `row` too (for a table printed as it is read).
    package static func widen(_ widths: inout [Int], _ row: [String]) {
        for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
    }

    /// One line of a table whose columns are `widths` wide (no line end).
    package static func line(_ cells: [String], _ widths: [Int]) -> String {
        cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }

    /// The same as CSV (RFC 4180: a field with a comma, a quote or a line break quoted, its
    /// quotes doubled), for a spreadsheet or a script: aligned columns shift with an empty cell.
    package static func csv(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map(csvLine).joined()
    }

    /// One record as CSV, with its line end.
    package static func csvLine(_ cells: [String]) -> String {
        func field(_ text: String) -> String {
            // By bytes: a comma or quote with a combining mark after it is one Character (a re-test).
            guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return text }
            var quoted = String.UnicodeScalarView()
            for scalar in text.unicodeScalars { if scalar == "\"" { quoted.append(scalar) }; quoted.append(scalar) }
            return "\"" + String(quoted) + "\""
        }
        return cells.map(field).joined(separator: ",") + "\r\n"
    }
}
