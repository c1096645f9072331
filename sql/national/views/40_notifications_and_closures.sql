-- Notifications per cohort and notifying source, and closed cases per cohort and closing
-- reason, summed over the municipalities of the snapshot.

CREATE VIEW snapshot.notifications_by_source AS
SELECT n.cohort, n.source, sum(n.notifications)::bigint AS notifications,
       1000 * sum(n.notifications) / f.child_years AS notifications_per_1000,
       f.children_exposed, string_agg(n.municipality, ', ' ORDER BY n.municipality) AS municipalities
FROM snapshot.published p
JOIN snapshot.notification_stats n ON n.snapshot_id = p.snapshot_id
JOIN snapshot.cohort_figures f ON f.grain = 'total' AND f.cohort = n.cohort
GROUP BY n.cohort, n.source, f.child_years, f.children_exposed;

CREATE VIEW national_metrics.notifications_by_source AS
SELECT n.cohort, n.source,
       CASE WHEN national_metrics.is_small_cell(n.notifications, p.small_cell_minimum) THEN NULL ELSE n.notifications END AS notifications,
       CASE WHEN national_metrics.is_small_cell(n.notifications, p.small_cell_minimum)
              OR national_metrics.is_small_cell(n.children_exposed, p.small_cell_minimum) THEN NULL
            ELSE n.notifications_per_1000 END AS notifications_per_1000,
       n.municipalities
FROM snapshot.notifications_by_source n CROSS JOIN snapshot.published_snapshot p
ORDER BY n.cohort DESC, n.source;

CREATE VIEW snapshot.case_closures AS
SELECT s.cohort, s.closing_reason, s.cases_closed,
       s.cases_closed::double precision / sum(s.cases_closed) OVER (PARTITION BY s.cohort) AS share_of_closed,
       (sum(s.cases_closed) OVER (PARTITION BY s.cohort))::bigint AS cohort_cases_closed, s.municipalities
FROM (SELECT c.cohort, c.closing_reason, sum(c.cases_closed)::bigint AS cases_closed,
             string_agg(c.municipality, ', ' ORDER BY c.municipality) AS municipalities
      FROM snapshot.published p
      JOIN snapshot.closure_stats c ON c.snapshot_id = p.snapshot_id
      GROUP BY c.cohort, c.closing_reason) s;

CREATE VIEW national_metrics.case_closures AS
SELECT c.cohort, c.closing_reason,
       CASE WHEN national_metrics.is_small_cell(c.cases_closed, p.small_cell_minimum) THEN NULL ELSE c.cases_closed END AS cases_closed,
       CASE WHEN national_metrics.is_small_cell(c.cases_closed, p.small_cell_minimum)
              OR national_metrics.is_small_cell(c.cohort_cases_closed, p.small_cell_minimum) THEN NULL
            ELSE c.share_of_closed END AS share_of_closed,
       c.municipalities
FROM snapshot.case_closures c CROSS JOIN snapshot.published_snapshot p
ORDER BY c.cohort DESC, c.closing_reason;

COMMENT ON VIEW national_metrics.notifications_by_source IS 'Notifications (underretning) on exposure days per cohort and notifying source (kilde), all municipalities together.';
COMMENT ON VIEW national_metrics.case_closures IS 'Cases opened on an exposure day of the cohort and since closed, per closing reason, all municipalities together.';
