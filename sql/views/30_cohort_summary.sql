-- The figures of metrics.md per cohort, at three grains: unsuppressed for the owner
-- (warehouse.cohort_figures), small cells suppressed for analysts (metrics.cohort_summary*).

CREATE VIEW warehouse.cohort_figures AS
SELECT p.run_id, s.grain, s.cohort, s.year, s.district,
       s.children_exposed,
       s.exposure_days::double precision / 365.25                                   AS child_years,
       s.detected,
       1000 * s.detected / (s.exposure_days::double precision / 365.25)             AS detection_rate_per_1000,
       s.detected::double precision / s.children_exposed          AS detection_share,
       s.investigated,
       1000 * s.investigated / (s.exposure_days::double precision / 365.25)         AS investigation_rate_per_1000,
       s.investigated::double precision / s.children_exposed      AS investigation_share,
       s.investigation_age_mean                                   AS mean_age_first_investigation_months,
       s.investigation_age_median                                 AS median_age_first_investigation_months,
       s.investigation_age_var                                    AS var_age_first_investigation_months,
       s.measured,
       1000 * s.measured / (s.exposure_days::double precision / 365.25)             AS measure_rate_per_1000,
       s.measured::double precision / s.children_exposed          AS measure_share,
       s.measure_age_mean                                         AS mean_age_first_measure_months,
       s.measure_age_median                                       AS median_age_first_measure_months,
       s.measure_age_var                                          AS var_age_first_measure_months,
       s.notifications,
       1000 * s.notifications / (s.exposure_days::double precision / 365.25)        AS notifications_per_1000,
       s.cases_closed,
       s.cases_closed_resolved,
       s.cases_closed_resolved::double precision / nullif(s.cases_closed, 0) AS closed_concern_resolved_share
FROM warehouse.published_run p
JOIN warehouse.cohort_stats s ON s.load_id = p.load_id;

CREATE VIEW warehouse.cohort_figures_suppressed AS
SELECT f.run_id, f.grain, f.cohort, f.year, f.district,
       CASE WHEN sc.children THEN NULL ELSE f.children_exposed END                       AS children_exposed,
       CASE WHEN sc.children THEN NULL ELSE f.child_years END                            AS child_years,
       CASE WHEN sc.detected THEN NULL ELSE f.detected END                               AS detected,
       CASE WHEN sc.detected OR sc.children THEN NULL ELSE f.detection_rate_per_1000 END AS detection_rate_per_1000,
       CASE WHEN sc.detected OR sc.children THEN NULL ELSE f.detection_share END         AS detection_share,
       CASE WHEN sc.investigated THEN NULL ELSE f.investigated END                       AS investigated,
       CASE WHEN sc.investigated OR sc.children THEN NULL ELSE f.investigation_rate_per_1000 END AS investigation_rate_per_1000,
       CASE WHEN sc.investigated OR sc.children THEN NULL ELSE f.investigation_share END AS investigation_share,
       CASE WHEN sc.investigated THEN NULL ELSE f.mean_age_first_investigation_months END   AS mean_age_first_investigation_months,
       CASE WHEN sc.investigated THEN NULL ELSE f.median_age_first_investigation_months END AS median_age_first_investigation_months,
       CASE WHEN sc.measured THEN NULL ELSE f.measured END                               AS measured,
       CASE WHEN sc.measured OR sc.children THEN NULL ELSE f.measure_rate_per_1000 END   AS measure_rate_per_1000,
       CASE WHEN sc.measured OR sc.children THEN NULL ELSE f.measure_share END           AS measure_share,
       CASE WHEN sc.measured THEN NULL ELSE f.mean_age_first_measure_months END          AS mean_age_first_measure_months,
       CASE WHEN sc.measured THEN NULL ELSE f.median_age_first_measure_months END        AS median_age_first_measure_months,
       CASE WHEN sc.notifications THEN NULL ELSE f.notifications END                     AS notifications,
       CASE WHEN sc.notifications OR sc.children THEN NULL ELSE f.notifications_per_1000 END AS notifications_per_1000,
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

-- The three published grains, their columns listed once.
DO $views$
DECLARE
    figures CONSTANT text := 'children_exposed, child_years, detected, detection_rate_per_1000, detection_share,
        investigated, investigation_rate_per_1000, investigation_share,
        mean_age_first_investigation_months, median_age_first_investigation_months,
        measured, measure_rate_per_1000, measure_share,
        mean_age_first_measure_months, median_age_first_measure_months,
        notifications, notifications_per_1000, cases_closed, closed_concern_resolved_share';
BEGIN
    EXECUTE format('CREATE VIEW metrics.cohort_summary AS SELECT run_id, cohort, %s
                    FROM warehouse.cohort_figures_suppressed WHERE grain = %L', figures, 'total');
    EXECUTE format('CREATE VIEW metrics.cohort_summary_by_year AS SELECT run_id, year, cohort, %s
                    FROM warehouse.cohort_figures_suppressed WHERE grain = %L', figures, 'year');
    EXECUTE format('CREATE VIEW metrics.cohort_summary_by_district AS SELECT run_id, district, cohort, %s
                    FROM warehouse.cohort_figures_suppressed WHERE grain = %L', figures, 'district');
END
$views$;

COMMENT ON VIEW metrics.cohort_summary IS 'Per cohort (treatment: the child''s institution had a social worker that day; control: it had not), over the whole evaluation window.';
COMMENT ON VIEW metrics.cohort_summary_by_year IS 'Per cohort and calendar year of the day (exposure days, first events, notifications; cases by the year they opened).';
COMMENT ON VIEW metrics.cohort_summary_by_district IS 'Per cohort and district (bydel) of the institution of the day.';
