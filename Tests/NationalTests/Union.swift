import Evaluation
import Foundation
import National
import Pipeline
import Postgres

/// The oracle of the national figures: the three warehouses' published child-level facts in
/// one database, and metrics.md computed on their union as if it were one municipality (a
/// child is one per municipality: keys are municipality and the load's child id).
enum Union {
    static let figureColumns = [
        "children_exposed", "child_years", "exposure_days", "detected", "detection_rate_per_1000", "detection_share",
        "investigated", "investigation_rate_per_1000", "investigation_share", "mean_age_first_investigation_months",
        "var_age_first_investigation_months", "measured", "measure_rate_per_1000", "measure_share",
        "mean_age_first_measure_months", "var_age_first_measure_months", "notifications", "notifications_per_1000",
        "cases_closed", "cases_closed_resolved", "closed_concern_resolved_share",
    ]

    /// What is copied of each warehouse's published load.
    static let tables: [(name: String, columns: String, select: String)] = [
        ("exposure", "child integer, cohort text, year integer, days integer", "child, cohort, year, days"),
        ("first_events", "child integer, kind text, day date, age_days integer, cohort text", "child, kind, day, age_days, cohort"),
        ("case_events", "event_type text, day date, source text, cohort text", "event_type, day, source, cohort"),
        ("cases", "opened_day date, cohort text, closed_day date, closing_reason text", "opened_day, cohort, closed_day, closing_reason"),
    ]

    static func load(_ f: Federation, into union: Connection) throws {
        for table in tables {
            try union.execute("CREATE TABLE \(table.name) (municipality text, \(table.columns))")
        }
        for m in f.municipalities {
            let owner = try m.owner()
            for table in tables {
                let rows = try owner.query("SELECT \(table.select) FROM warehouse.\(table.name) WHERE load_id = (SELECT load_id FROM etl.published)")
                let bytes = CopyText.records(rows.map { [m.name] + $0.values })
                try union.copyIn("COPY \(table.name) FROM STDIN") { try $0.write(bytes: bytes) }
            }
        }
        // metrics.md, to the letter, over the whole window ('total') and per calendar year.
        try union.execute("""
            CREATE VIEW figures AS
            WITH grains AS (SELECT 'total' AS grain UNION ALL SELECT 'year'),
            ex AS (
                SELECT g.grain, e.cohort, CASE WHEN g.grain = 'year' THEN e.year END AS year,
                       count(DISTINCT e.municipality || ':' || e.child) AS children_exposed, sum(e.days) AS exposure_days
                FROM exposure e CROSS JOIN grains g GROUP BY 1, 2, 3
            ), fe AS (
                SELECT g.grain, f.cohort, CASE WHEN g.grain = 'year' THEN extract(year FROM f.day)::integer END AS year,
                       count(*) FILTER (WHERE kind = 'case') AS detected,
                       count(*) FILTER (WHERE kind = 'investigation') AS investigated,
                       avg(age_days / 30.4375::double precision) FILTER (WHERE kind = 'investigation') AS inv_mean,
                       var_samp(age_days / 30.4375::double precision) FILTER (WHERE kind = 'investigation') AS inv_var,
                       count(*) FILTER (WHERE kind = 'measure') AS measured,
                       avg(age_days / 30.4375::double precision) FILTER (WHERE kind = 'measure') AS mea_mean,
                       var_samp(age_days / 30.4375::double precision) FILTER (WHERE kind = 'measure') AS mea_var
                FROM first_events f CROSS JOIN grains g WHERE f.cohort IS NOT NULL GROUP BY 1, 2, 3
            ), nt AS (
                SELECT g.grain, n.cohort, CASE WHEN g.grain = 'year' THEN extract(year FROM n.day)::integer END AS year,
                       count(*) AS notifications
                FROM case_events n CROSS JOIN grains g WHERE n.cohort IS NOT NULL AND n.event_type = 'underretning' GROUP BY 1, 2, 3
            ), cl AS (
                SELECT g.grain, c.cohort, CASE WHEN g.grain = 'year' THEN extract(year FROM c.opened_day)::integer END AS year,
                       count(*) AS cases_closed,
                       count(*) FILTER (WHERE closing_reason IN ('bekymring_ophoert', 'familien_selv')) AS cases_closed_resolved
                FROM cases c CROSS JOIN grains g WHERE c.cohort IS NOT NULL AND c.closed_day IS NOT NULL GROUP BY 1, 2, 3
            )
            SELECT ex.grain, ex.cohort, ex.year, ex.children_exposed, ex.exposure_days / 365.25::double precision AS child_years,
                   ex.exposure_days,
                   coalesce(fe.detected, 0) AS detected,
                   1000 * coalesce(fe.detected, 0) / (ex.exposure_days / 365.25::double precision) AS detection_rate_per_1000,
                   coalesce(fe.detected, 0)::double precision / ex.children_exposed AS detection_share,
                   coalesce(fe.investigated, 0) AS investigated,
                   1000 * coalesce(fe.investigated, 0) / (ex.exposure_days / 365.25::double precision) AS investigation_rate_per_1000,
                   coalesce(fe.investigated, 0)::double precision / ex.children_exposed AS investigation_share,
                   fe.inv_mean AS mean_age_first_investigation_months,
                   fe.inv_var AS var_age_first_investigation_months,
                   coalesce(fe.measured, 0) AS measured,
                   1000 * coalesce(fe.measured, 0) / (ex.exposure_days / 365.25::double precision) AS measure_rate_per_1000,
                   coalesce(fe.measured, 0)::double precision / ex.children_exposed AS measure_share,
                   fe.mea_mean AS mean_age_first_measure_months,
                   fe.mea_var AS var_age_first_measure_months,
                   coalesce(nt.notifications, 0) AS notifications,
                   1000 * coalesce(nt.notifications, 0) / (ex.exposure_days / 365.25::double precision) AS notifications_per_1000,
                   coalesce(cl.cases_closed, 0) AS cases_closed, coalesce(cl.cases_closed_resolved, 0) AS cases_closed_resolved,
                   cl.cases_closed_resolved::double precision / nullif(cl.cases_closed, 0) AS closed_concern_resolved_share
            FROM ex
            LEFT JOIN fe ON (fe.grain, fe.cohort) = (ex.grain, ex.cohort) AND fe.year IS NOT DISTINCT FROM ex.year
            LEFT JOIN nt ON (nt.grain, nt.cohort) = (ex.grain, ex.cohort) AND nt.year IS NOT DISTINCT FROM ex.year
            LEFT JOIN cl ON (cl.grain, cl.cohort) = (ex.grain, ex.cohort) AND cl.year IS NOT DISTINCT FROM ex.year
            """)
    }

    /// The union of the three warehouses' published panels as evaluation.md and the national
    /// decisions make it, built here from the warehouses' own tables: an institution with a
    /// cell of 1 to small_cell_minimum − 1 children is left out, the periods are the years all
    /// three have, groups are placed by the first day of their period. Also the institutions
    /// left out for small cells, per municipality.
    static func panel(_ f: Federation) throws -> (NationalPanel, withheld: [String: Int]) {
        struct Cells { var starts: [Day] = []; var group = 0; var groupStart: Day?; var days: [Int] = []; var children: [Int] = []; var events: [[Int]] = [[], [], []] }
        var all: [(municipality: Federation.Municipality, institutions: [String: Cells])] = []
        var withheld: [String: Int] = [:]
        var spans: [ClosedRange<Day>] = []
        for m in f.municipalities {
            let owner = try m.owner()
            let minimum = try owner.query("SELECT small_cell_minimum FROM warehouse.published_run").first!.int(0)!
            var cells: [String: Cells] = [:]
            var first: Day?, last: Day?
            for row in try owner.query("""
                SELECT institution, period_start, period_end, grp, period, exposure_days, children, detected, investigated, measured
                FROM warehouse.evaluation_panel WHERE load_id = (SELECT load_id FROM etl.published) ORDER BY institution, period
                """) {
                let start = Day(iso: row.string(1)!)!, end = Day(iso: row.string(2)!)!
                first = min(first ?? start, start)
                last = max(last ?? end, end)
                var c = cells[row.string(0)!] ?? Cells()
                c.group = try row.int(3)!
                if try row.int(4) == c.group { c.groupStart = start }
                c.starts.append(start)
                c.days.append(try row.int(5)!)
                c.children.append(try row.int(6)!)
                for k in 0..<3 { c.events[k].append(try row.int(7 + k)!) }
                cells[row.string(0)!] = c
            }
            let small = cells.filter { $0.value.children.contains { (1..<minimum).contains($0) } }.map(\.key)
            withheld[m.name] = small.count
            for key in small { cells[key] = nil }
            all.append((m, cells))
            spans.append(first!...last!)
        }
        let periods = EvaluationPeriods(window: spans.map(\.lowerBound).max()!...spans.map(\.upperBound).min()!, length: .year)
        let starts = periods.periods.map(\.lowerBound)
        var institutions: [NationalPanel.Institution] = []
        for (m, cells) in all {
            for (number, c) in cells {
                let keep = c.starts.indices.filter { starts.contains(c.starts[$0]) }
                let group: Int = switch c.groupStart {
                case nil: 0
                case let s? where s < starts.first!: 1
                case let s? where s > starts.last!: 0
                case let s?: starts.firstIndex(of: s)! + 1
                }
                institutions.append(.init(municipality: m.name, code: m.code, number: number, group: group,
                                          exposureDays: keep.map { c.days[$0] }, children: keep.map { c.children[$0] },
                                          events: (0..<3).map { k in keep.map { c.events[k][$0] } }))
            }
        }
        institutions.sort { $0.id < $1.id }
        return (NationalPanel(periods: periods, institutions: institutions), withheld)
    }
}
