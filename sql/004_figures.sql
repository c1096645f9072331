-- The figures of metrics.md for the published run, unsuppressed: warehouse.* views that only
-- the warehouse owner reads. metrics.* (005) applies the small-cell rule on top of them.

CREATE VIEW warehouse.published_run AS
SELECT p.run_id, p.load_id, p.published_at, r.municipality, r.as_of, r.window_from, r.window_to,
       r.small_cell_minimum
FROM etl.published p JOIN etl.runs r USING (run_id);

-- The date dimension: every day of the published run's evaluation window.
CREATE VIEW warehouse.dates AS
SELECT d::date AS day, extract(year FROM d)::integer AS year, extract(month FROM d)::integer AS month,
       extract(isodow FROM d)::integer AS iso_weekday
FROM warehouse.published_run p, generate_series(p.window_from, p.window_to, interval '1 day') d;

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

-- Treatment against control over the whole window (metrics.md, Comparisons).
CREATE VIEW warehouse.cohort_comparison AS
WITH t AS (SELECT * FROM warehouse.cohort_figures WHERE grain = 'total' AND cohort = 'treatment'),
     c AS (SELECT * FROM warehouse.cohort_figures WHERE grain = 'total' AND cohort = 'control'),
     rates (ord, comparison, rate_t, rate_c, a, b) AS (
         SELECT 1, 'detection_rate_per_1000', t.detection_rate_per_1000, c.detection_rate_per_1000, t.detected, c.detected FROM t, c
         UNION ALL
         SELECT 2, 'investigation_rate_per_1000', t.investigation_rate_per_1000, c.investigation_rate_per_1000, t.investigated, c.investigated FROM t, c
         UNION ALL
         SELECT 3, 'measure_rate_per_1000', t.measure_rate_per_1000, c.measure_rate_per_1000, t.measured, c.measured FROM t, c
     ),
     means (ord, comparison, mean_t, mean_c, var_t, var_c, n_t, n_c) AS (
         SELECT 4, 'mean_age_first_investigation_months', t.mean_age_first_investigation_months, c.mean_age_first_investigation_months,
                t.var_age_first_investigation_months, c.var_age_first_investigation_months, t.investigated, c.investigated FROM t, c
         UNION ALL
         SELECT 5, 'mean_age_first_measure_months', t.mean_age_first_measure_months, c.mean_age_first_measure_months,
                t.var_age_first_measure_months, c.var_age_first_measure_months, t.measured, c.measured FROM t, c
     )
SELECT ord, comparison, 'rate_ratio'::text AS statistic, rate_t AS treatment, rate_c AS control,
       CASE WHEN a > 0 AND b > 0 THEN rate_t / rate_c END AS estimate,
       CASE WHEN a > 0 AND b > 0 THEN exp(ln(rate_t / rate_c) - 1.96 * sqrt(1.0 / a + 1.0 / b)) END AS ci_low,
       CASE WHEN a > 0 AND b > 0 THEN exp(ln(rate_t / rate_c) + 1.96 * sqrt(1.0 / a + 1.0 / b)) END AS ci_high,
       a AS treatment_count, b AS control_count
FROM rates
UNION ALL
SELECT ord, comparison, 'difference', mean_t, mean_c,
       mean_t - mean_c,
       CASE WHEN n_t >= 2 AND n_c >= 2 THEN mean_t - mean_c - 1.96 * sqrt(var_t / n_t + var_c / n_c) END,
       CASE WHEN n_t >= 2 AND n_c >= 2 THEN mean_t - mean_c + 1.96 * sqrt(var_t / n_t + var_c / n_c) END,
       n_t, n_c
FROM means;

CREATE VIEW warehouse.notifications_by_source AS
SELECT f.run_id, n.cohort, n.source, n.notifications,
       1000 * n.notifications / f.child_years AS notifications_per_1000,
       f.children_exposed
FROM warehouse.published_run p
JOIN warehouse.notification_stats n ON n.load_id = p.load_id
JOIN warehouse.cohort_figures f ON f.grain = 'total' AND f.cohort = n.cohort;

CREATE VIEW warehouse.case_closures AS
SELECT p.run_id, s.cohort, s.closing_reason, s.cases_closed,
       s.cases_closed::double precision / sum(s.cases_closed) OVER (PARTITION BY s.cohort) AS share_of_closed,
       (sum(s.cases_closed) OVER (PARTITION BY s.cohort))::bigint AS cohort_cases_closed
FROM warehouse.published_run p
JOIN warehouse.closure_stats s ON s.load_id = p.load_id;

CREATE VIEW warehouse.data_quality AS
SELECT p.run_id, 'rejected'::text AS category, r.file AS subject, r.reason, count(*) AS records
FROM warehouse.published_run p JOIN etl.rejects r ON r.run_id = p.run_id
GROUP BY p.run_id, r.file, r.reason
UNION ALL
-- From transform's counts (etl.loads.counts), not a scan of the first events.
SELECT p.run_id, 'unattributed_first_event', split_part(c.key, '.', 2), split_part(c.key, '.', 3), c.value::bigint
FROM warehouse.published_run p JOIN etl.loads l ON l.load_id = p.load_id, jsonb_each_text(l.counts) c
WHERE c.key LIKE 'unattributed.%' AND c.value::bigint > 0
UNION ALL
SELECT p.run_id, 'transform', split_part(c.key, '.', 1), substr(c.key, length(split_part(c.key, '.', 1)) + 2), c.value::bigint
FROM warehouse.published_run p JOIN etl.loads l ON l.load_id = p.load_id, jsonb_each_text(l.counts) c
WHERE c.key IN ('children.without_spell', 'case_events.child_without_spell', 'cases.without_sag_oprettet',
                'children.birth_conflict', 'institutions.duplicate_number',
                'skipped.enrolment.unknown_institution', 'skipped.assignment.unknown_institution');
