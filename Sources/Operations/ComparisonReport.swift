import Foundation
import Postgres

/// The comparison table of `metrics.cohort_comparison` and the cohorts' sizes, as text.
package struct ComparisonReport {
    package let connection: Connection

    package init(connection: Connection) { self.connection = connection }

    package func render() throws -> String {
        let cohorts = try connection.query("""
            SELECT cohort, children_exposed, round(child_years::numeric, 1), detected, investigated, measured
            FROM metrics.cohort_summary ORDER BY cohort DESC
            """, name: "cohort sizes")
        var out = Table.render(header: ["cohort", "children", "child-years", "first case", "first § 50", "first measure"],
                               rows: cohorts.map { row in (0..<6).map { row.string($0) ?? "–" } })
        let rows = try connection.query("""
            SELECT comparison, statistic, treatment, control, estimate, ci_low, ci_high FROM metrics.cohort_comparison
            """, name: "comparison")
        func f(_ text: String?) -> String { text.flatMap(Double.init).map { String(format: "%.2f", $0) } ?? "–" }
        out += "\ntreatment against control\n"
        out += Table.render(header: ["figure", "treatment", "control", "estimate", "95 % interval"], rows: rows.map { row in
            let kind = row.string(1) == "rate_ratio" ? "rate ratio" : "difference, months"
            return ["\(row.string(0) ?? "") (\(kind))", f(row.string(2)), f(row.string(3)), f(row.string(4)),
                    "\(f(row.string(5))) … \(f(row.string(6)))"]
        })
        return out
    }
}
