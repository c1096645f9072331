import Foundation

/// The SVG pieces every chart draws with. Coordinates are viewBox units; the page scales the
/// whole drawing to its box (CSS `width: 100%`), so nothing is placed in screen pixels.
enum SVG {
    /// The chart's root: an image with an accessible name (`aria-label`, `<title>`) and
    /// description (`<desc>`: the chart's reading, for screen readers).
    static func chart(id: String, width: Double, height: Double, title: String, description: String, _ content: [HTML]) -> HTML {
        HTML.element("svg", [
            ("class", "chart"), ("id", id), ("viewBox", "0 0 \(n(width)) \(n(height))"),
            ("role", "img"), ("aria-label", title), ("aria-describedby", id + "-desc"),
            ("data-width", n(width)), ("data-height", n(height)),
        ], content: [HTML.element("title", [], .text(title)), HTML.element("desc", [("id", id + "-desc")], .text(description))] + content)
    }

    static func group(_ cls: String?, _ content: [HTML], attributes: [(String, String?)] = []) -> HTML {
        HTML.element("g", [("class", cls)] + attributes, content: content)
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, cls: String, attributes: [(String, String?)] = []) -> HTML {
        HTML.empty("line", [("class", cls), ("x1", n(x1)), ("y1", n(y1)), ("x2", n(x2)), ("y2", n(y2))] + attributes)
    }

    static func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, cls: String, attributes: [(String, String?)] = []) -> HTML {
        HTML.empty("rect", [("class", cls), ("x", n(x)), ("y", n(y)), ("width", n(max(w, 0))), ("height", n(max(h, 0)))] + attributes)
    }

    static func circle(_ cx: Double, _ cy: Double, r: Double, cls: String, attributes: [(String, String?)] = []) -> HTML {
        HTML.empty("circle", [("class", cls), ("cx", n(cx)), ("cy", n(cy)), ("r", n(r))] + attributes)
    }

    /// A square centred on a point: the control cohort's marker, told apart from the
    /// treatment's circle in black-and-white print too.
    static func square(_ cx: Double, _ cy: Double, r: Double, cls: String, attributes: [(String, String?)] = []) -> HTML {
        rect(cx - r, cy - r, 2 * r, 2 * r, cls: cls, attributes: attributes)
    }

    static func path(_ d: String, cls: String, attributes: [(String, String?)] = []) -> HTML {
        HTML.empty("path", [("class", cls), ("d", d)] + attributes)
    }

    enum Anchor: String { case start, middle, end }

    static func text(_ x: Double, _ y: Double, _ string: String, cls: String, anchor: Anchor = .start,
                     attributes: [(String, String?)] = []) -> HTML {
        HTML.element("text", [("class", cls), ("x", n(x)), ("y", n(y)),
                              ("text-anchor", anchor == .start ? nil : anchor.rawValue)] + attributes, .text(string))
    }

    /// A label that fits `width`: a longer one is cut with "…" and carries its whole text as a
    /// tooltip (`<title>`); a long district name was cut mid-word by the chart's edge (a review).
    static func label(_ x: Double, _ y: Double, _ label: String, width: Double, cls: String) -> HTML {
        let string = HTML.shown(label)   // measured as shown: a bidi control is written as its code
        guard ChartMetrics.textWidth(string) > width else { return text(x, y, string, cls: cls) }
        let fits = max(1, Int(width / ChartMetrics.textWidth("x")) - 1)
        return HTML.element("text", [("class", cls), ("x", n(x)), ("y", n(y))],
                            HTML.element("title", [], .text(string)) + .text(String(string.prefix(fits)) + "…"))
    }

    /// A polyline through points; nil points break it into pieces.
    static func polyline(_ points: [(Double, Double)?]) -> String {
        var d = "", pen = false
        for p in points {
            guard let (x, y) = p else { pen = false; continue }
            d += (pen ? "L" : "M") + n(x) + " " + n(y)
            pen = true
        }
        return d
    }

    /// Numbers in the drawing: two decimals at most, no trailing zeros.
    static func n(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        if r == r.rounded() { return String(Int(r)) }
        var s = String(format: "%.2f", r)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}

/// Sizes of the drawings: a chart is drawn 400 units wide, so on a phone (about 360 px) its
/// 12-unit text is still about 11 px, and on A4 it sits beside its table.
enum ChartMetrics {
    static let width = 400.0
    static let font = 12.0
    static let smallFont = 11.0
    /// Text width, estimated generously (DejaVu Sans, the widest of the usual sans-serif
    /// faces, averages about 0.55 em); the browser test measures the real boxes.
    static func textWidth(_ s: String, size: Double = font) -> Double { Double(s.count) * size * 0.6 }
}
