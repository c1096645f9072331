import Foundation

/// Where a figure of the report comes from: a column of one row of a `metrics` view. Written
/// into the page as data attributes (`data-view`, `data-key`, `data-column`), so a test can
/// hold every figure against its view by parsing the page.
package struct FigureSource: Sendable, Equatable {
    package var view: String
    /// The row's key columns and their values (NULL: nil), in the view's order.
    package var key: [KeyValue]
    /// A column, or `countColumn`: how many rows of the view the key picks out.
    package var column: String

    package static let countColumn = "count(*)"

    package struct KeyValue: Sendable, Equatable {
        package var column: String
        package var value: String?
    }

    /// `{"cohort":"treatment","year":"2015"}`: the key as JSON, for `data-key`.
    package var keyJSON: String {
        "{" + key.map { "\(json($0.column)):\($0.value.map(json) ?? "null")" }.joined(separator: ",") + "}"
    }

    private func json(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if c.value < 0x20 { out += String(format: "\\u%04x", c.value) } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }
}

/// One figure read from a view: its text as the server printed it, or why there is none.
package struct Figure: Sendable {
    package enum State: Sendable, Equatable {
        case value
        /// Hidden by the small-cell rule: it rests on a count from 1 to the minimum − 1.
        case suppressed
        /// NULL for another reason: nothing to compute it from (no events, a ratio of 0).
        case undefined
        /// The view has no such row: no child of that cohort there, say.
        case absent
    }

    package var source: FigureSource
    /// The server's text form (full precision); nil when NULL.
    package var raw: String?
    package var state: State

    package var value: Double? { raw.flatMap(Double.init) }
    package var isSuppressed: Bool { state == .suppressed }

    /// The figure of a row the view does not have.
    package static func absent(_ view: String, key: [FigureSource.KeyValue], column: String) -> Figure {
        Figure(source: FigureSource(view: view, key: key, column: column), raw: nil, state: .absent)
    }

    /// The attributes that name the figure's source, for any element that shows it: the
    /// value goes in `value` on HTML's `<data>`, in `data-value` on a chart's marks, rounded to
    /// the `decimals` it is shown with (nil: as read, for a date or a text).
    package func dataAttributes(valueAttribute: String = "data-value", decimals: Int?) -> [(String, String?)] {
        [("data-view", source.view), ("data-key", source.keyJSON), ("data-column", source.column),
         (valueAttribute, carried(decimals: decimals)), ("data-state", "\(state)")]
    }

    /// The value as the page carries it: no more digits than it shows. A rate to 17 digits gave
    /// back its count (events and exposure days are whole numbers), and a district's hidden
    /// count was the cohort's total less the others' (a review of the report).
    func carried(decimals: Int?) -> String? {
        guard let raw, let decimals, let v = Double(raw) else { return raw }
        return String(format: "%.\(decimals)f", v)
    }
}
