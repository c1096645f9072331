import Foundation
import Postgres

/// The difference-in-differences of `metrics.did_summary` next to the naive rate ratios of
/// `metrics.cohort_comparison`, in sentences a committee member can read.
package struct CausalReport {
    package let connection: Connection

    package init(connection: Connection) { self.connection = connection }

    /// `controlGroup`: the pipeline's `evaluation.control_group`, the comparison led with.
    package func render(controlGroup: String) throws -> String {
        let rows = try connection.query("""
            SELECT s.metric, s.att, s.ci_low, s.ci_high, s.pre_treatment_mean, s.institutions_treated,
                   s.institutions_control, s.institutions_left_out, s.periods, s.period_length, st.reason, c.estimate,
                   c.ci_low, c.ci_high
            FROM metrics.did_summary s
            JOIN metrics.did_status st USING (metric, control_group)
            LEFT JOIN metrics.cohort_comparison c ON c.comparison = CASE s.metric WHEN 'detection' THEN 'detection_rate_per_1000'
                 WHEN 'investigation' THEN 'investigation_rate_per_1000' ELSE 'measure_rate_per_1000' END
            WHERE s.control_group = $1 AND s.aggregation = 'simple'
            """, [controlGroup], name: "causal summary")
        guard let first = rows.first else { return "" }
        let against = controlGroup == "never_treated" ? "institutions without one" : "institutions without one yet"
        var out = "Did the social workers cause it? Each institution before and after its social worker came, against "
            + "\(against) (staggered difference-in-differences, \(first.string(8) ?? "?") periods of a "
            + "\((first.string(9) ?? "?").replacingOccurrences(of: "_", with: " "))):\n"
        func f(_ x: Double) -> String { String(format: "%.1f", x) }
        for row in rows {
            let what = ["detection": "First cases", "investigation": "First § 50 investigations",
                        "measure": "First measures"][row.string(0) ?? ""] ?? (row.string(0) ?? "")
            var line = "- \(what) "
            if let att = try row.double(1), let low = try row.double(2), let high = try row.double(3) {
                line += (att >= 0 ? "rose by " : "fell by ") + f(abs(att)) + " per 1,000 child-years after the social worker came"
                    + " (95 % interval \(f(low)) to \(f(high))" + (low <= 0 && 0 <= high ? ", which includes no change" : "") + ")"
                if let before = try row.double(4), before > 0 {
                    line += String(format: ", %+.0f %% against the %.1f these institutions had before", 100 * att / before, before)
                }
            } else if let att = try row.double(1) {
                // R `did`'s NA standard error: an estimate all the same (a review read "could not be estimated").
                line += "changed by \(f(att)) per 1,000 child-years after the social worker came, with no interval: "
                    + "the outcomes did not vary between institutions"
            } else if let reason = row.string(10) {
                line += "could not be estimated: \(reason)"
            } else {
                line += "is hidden: it rests on fewer covered institutions than the small-cell minimum"
            }
            if let naive = try row.double(11) {
                line += String(format: "; the naive comparison says %.2f×", naive)
                    + ((try row.double(12)).map { String(format: " (%.2f to %.2f)", $0, (try? row.double(13)).flatMap { $0 } ?? .nan) } ?? "")
                    + ", and it mixes the effect with the choice of institutions"
            }
            out += line + ".\n"
        }
        if let treated = try first.int(5), let control = try first.int(6) {
            out += "Compared: \(treated) institution\(treated == 1 ? "" : "s") that got a social worker against \(control)"
                + (controlGroup == "never_treated" ? " that never did" : " not yet covered")
                + "; \(try first.int(7) ?? 0) left out (a period without children, or covered from the first period).\n"
        }
        return out
    }
}
