-- What analysts read: the figures of the published run with small cells suppressed
-- (metrics.md, Small cells). A count from 1 to small_cell_minimum - 1, and every figure
-- computed from it, shows NULL. Unsuppressed figures: the warehouse.* views of 004.

-- Whether a count must be hidden.
CREATE FUNCTION metrics.is_small_cell(n bigint, minimum integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT n >= 1 AND n < minimum $$;

CREATE VIEW metrics.published_run AS
SELECT run_id, published_at, municipality, as_of, window_from, window_to, small_cell_minimum
FROM warehouse.published_run;

CREATE VIEW warehouse.cohort_figures_suppressed AS
SELECT f.run_id, f.grain, f.cohort, f.year, f.district,
       CASE WHEN sc.children THEN NULL ELSE f.children_exposed END                       AS children_exposed,
       CASE WHEN sc.children THEN NULL ELSE f.child_years END                            AS child_years,
       CASE WHEN sc.detected THEN NULL ELSE f.detected END                               AS detected,
       CASE WHEN sc.detected THEN NULL ELSE f.detection_rate_per_1000 END                AS detection_rate_per_1000,
       CASE WHEN sc.detected OR sc.children THEN NULL ELSE f.detection_share END         AS detection_share,
       CASE WHEN sc.investigated THEN NULL ELSE f.investigated END                       AS investigated,
       CASE WHEN sc.investigated THEN NULL ELSE f.investigation_rate_per_1000 END        AS investigation_rate_per_1000,
       CASE WHEN sc.investigated OR sc.children THEN NULL ELSE f.investigation_share END AS investigation_share,
       CASE WHEN sc.investigated THEN NULL ELSE f.mean_age_first_investigation_months END   AS mean_age_first_investigation_months,
       CASE WHEN sc.investigated THEN NULL ELSE f.median_age_first_investigation_months END AS median_age_first_investigation_months,
       CASE WHEN sc.measured THEN NULL ELSE f.measured END                               AS measured,
       CASE WHEN sc.measured THEN NULL ELSE f.measure_rate_per_1000 END                  AS measure_rate_per_1000,
       CASE WHEN sc.measured OR sc.children THEN NULL ELSE f.measure_share END           AS measure_share,
       CASE WHEN sc.measured THEN NULL ELSE f.mean_age_first_measure_months END          AS mean_age_first_measure_months,
       CASE WHEN sc.measured THEN NULL ELSE f.median_age_first_measure_months END        AS median_age_first_measure_months,
       CASE WHEN sc.notifications THEN NULL ELSE f.notifications END                     AS notifications,
       CASE WHEN sc.notifications THEN NULL ELSE f.notifications_per_1000 END            AS notifications_per_1000,
       CASE WHEN sc.closed THEN NULL ELSE f.cases_closed END                             AS cases_closed,
       CASE WHEN sc.closed OR sc.resolved THEN NULL ELSE f.closed_concern_resolved_share END AS closed_concern_resolved_share
FROM warehouse.cohort_figures f
CROSS JOIN warehouse.published_run p
CROSS JOIN LATERAL (SELECT
    metrics.is_small_cell(f.children_exposed, p.small_cell_minimum) AS children,
    metrics.is_small_cell(f.detected, p.small_cell_minimum) AS detected,
    metrics.is_small_cell(f.investigated, p.small_cell_minimum) AS investigated,
    metrics.is_small_cell(f.measured, p.small_cell_minimum) AS measured,
    metrics.is_small_cell(f.notifications, p.small_cell_minimum) AS notifications,
    metrics.is_small_cell(f.cases_closed, p.small_cell_minimum) AS closed,
    metrics.is_small_cell(f.cases_closed_resolved, p.small_cell_minimum) AS resolved) sc;

CREATE VIEW metrics.cohort_summary AS
SELECT run_id, cohort, children_exposed, child_years, detected, detection_rate_per_1000, detection_share,
       investigated, investigation_rate_per_1000, investigation_share,
       mean_age_first_investigation_months, median_age_first_investigation_months,
       measured, measure_rate_per_1000, measure_share,
       mean_age_first_measure_months, median_age_first_measure_months,
       notifications, notifications_per_1000, cases_closed, closed_concern_resolved_share
FROM warehouse.cohort_figures_suppressed WHERE grain = 'total';

CREATE VIEW metrics.cohort_summary_by_year AS
SELECT run_id, year, cohort, children_exposed, child_years, detected, detection_rate_per_1000, detection_share,
       investigated, investigation_rate_per_1000, investigation_share,
       mean_age_first_investigation_months, median_age_first_investigation_months,
       measured, measure_rate_per_1000, measure_share,
       mean_age_first_measure_months, median_age_first_measure_months,
       notifications, notifications_per_1000, cases_closed, closed_concern_resolved_share
FROM warehouse.cohort_figures_suppressed WHERE grain = 'year';

CREATE VIEW metrics.cohort_summary_by_district AS
SELECT run_id, district, cohort, children_exposed, child_years, detected, detection_rate_per_1000, detection_share,
       investigated, investigation_rate_per_1000, investigation_share,
       mean_age_first_investigation_months, median_age_first_investigation_months,
       measured, measure_rate_per_1000, measure_share,
       mean_age_first_measure_months, median_age_first_measure_months,
       notifications, notifications_per_1000, cases_closed, closed_concern_resolved_share
FROM warehouse.cohort_figures_suppressed WHERE grain = 'district';

CREATE VIEW metrics.cohort_comparison AS
SELECT c.comparison, c.statistic,
       CASE WHEN sc.hidden THEN NULL ELSE c.treatment END       AS treatment,
       CASE WHEN sc.hidden THEN NULL ELSE c.control END         AS control,
       CASE WHEN sc.hidden THEN NULL ELSE c.estimate END        AS estimate,
       CASE WHEN sc.hidden THEN NULL ELSE c.ci_low END          AS ci_low,
       CASE WHEN sc.hidden THEN NULL ELSE c.ci_high END         AS ci_high,
       CASE WHEN metrics.is_small_cell(c.treatment_count, p.small_cell_minimum) THEN NULL ELSE c.treatment_count END AS treatment_count,
       CASE WHEN metrics.is_small_cell(c.control_count, p.small_cell_minimum) THEN NULL ELSE c.control_count END AS control_count,
       p.run_id
FROM warehouse.cohort_comparison c
CROSS JOIN warehouse.published_run p
CROSS JOIN LATERAL (SELECT metrics.is_small_cell(c.treatment_count, p.small_cell_minimum)
                        OR metrics.is_small_cell(c.control_count, p.small_cell_minimum) AS hidden) sc
ORDER BY c.ord;

CREATE VIEW metrics.notifications_by_source AS
SELECT n.run_id, n.cohort, n.source,
       CASE WHEN metrics.is_small_cell(n.notifications, p.small_cell_minimum) THEN NULL ELSE n.notifications END AS notifications,
       CASE WHEN metrics.is_small_cell(n.notifications, p.small_cell_minimum)
              OR metrics.is_small_cell(n.children_exposed, p.small_cell_minimum) THEN NULL
            ELSE n.notifications_per_1000 END AS notifications_per_1000
FROM warehouse.notifications_by_source n CROSS JOIN warehouse.published_run p;

CREATE VIEW metrics.case_closures AS
SELECT c.run_id, c.cohort, c.closing_reason,
       CASE WHEN metrics.is_small_cell(c.cases_closed, p.small_cell_minimum) THEN NULL ELSE c.cases_closed END AS cases_closed,
       CASE WHEN metrics.is_small_cell(c.cases_closed, p.small_cell_minimum)
              OR metrics.is_small_cell(c.cohort_cases_closed, p.small_cell_minimum) THEN NULL
            ELSE c.share_of_closed END AS share_of_closed
FROM warehouse.case_closures c CROSS JOIN warehouse.published_run p;

CREATE VIEW metrics.data_quality AS
SELECT d.run_id, d.category, d.subject, d.reason,
       CASE WHEN metrics.is_small_cell(d.records, p.small_cell_minimum) THEN NULL ELSE d.records END AS records
FROM warehouse.data_quality d CROSS JOIN warehouse.published_run p;
