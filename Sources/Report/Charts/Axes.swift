/// Axes shared by the charts: tick marks, grid lines and their numbers.
enum Axes {
    /// A horizontal axis along `y`: a tick and a faint grid line up to `top` for each value,
    /// the numbers below it, and the axis label under them, centred on the plot.
    static func bottom(ticks: [Double], position: (Double) -> Double, y: Double, top: Double,
                       label: String?, text: (Double) -> String, left: Double, right: Double) -> HTML {
        var parts: [HTML] = [SVG.line(left, y, right, y, cls: "axis")]
        for t in ticks {
            let x = position(t)
            parts.append(SVG.line(x, top, x, y, cls: "grid"))
            parts.append(SVG.line(x, y, x, y + 4, cls: "axis"))
            parts.append(SVG.text(x, y + 16, text(t), cls: "tick", anchor: .middle))
        }
        if let label { parts.append(SVG.text((left + right) / 2, y + 32, label, cls: "axis-label", anchor: .middle)) }
        return SVG.group("x-axis", parts)
    }

    /// A vertical axis at `x`: numbers to its left and grid lines across to `right`. Its label
    /// (the unit) is written horizontally above the plot, where a phone can read it.
    static func left(ticks: [Double], position: (Double) -> Double, x: Double, right: Double,
                     label: String?, labelY: Double, text: (Double) -> String) -> HTML {
        var parts: [HTML] = []
        for t in ticks {
            let y = position(t)
            parts.append(SVG.line(x, y, right, y, cls: "grid"))
            parts.append(SVG.text(x - 4, y + 4, text(t), cls: "tick", anchor: .end))
        }
        if let label { parts.append(SVG.text(0, labelY, label, cls: "axis-label")) }
        return SVG.group("y-axis", parts)
    }
}
