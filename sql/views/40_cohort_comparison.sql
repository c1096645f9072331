-- Treatment against control over the whole window (metrics.md, Comparisons).
CREATE VIEW warehouse.cohort_comparison AS
-- A cohort with no exposure day (no institution covered, or every one) has no figures: its
-- side is NULL, with counts of 0, and the comparison keeps its five rows.
WITH t AS (SELECT * FROM warehouse.cohort_figures WHERE grain = 'total' AND cohort = 'treatment'),
     c AS (SELECT * FROM warehouse.cohort_figures WHERE grain = 'total' AND cohort = 'control'),
     tc AS (SELECT t.detection_rate_per_1000 AS det_t, c.detection_rate_per_1000 AS det_c,
                   coalesce(t.detected, 0) AS det_a, coalesce(c.detected, 0) AS det_b,
                   t.investigation_rate_per_1000 AS inv_t, c.investigation_rate_per_1000 AS inv_c,
                   coalesce(t.investigated, 0) AS inv_a, coalesce(c.investigated, 0) AS inv_b,
                   t.measure_rate_per_1000 AS mea_t, c.measure_rate_per_1000 AS mea_c,
                   coalesce(t.measured, 0) AS mea_a, coalesce(c.measured, 0) AS mea_b,
                   t.mean_age_first_investigation_months AS ia_t, c.mean_age_first_investigation_months AS ia_c,
                   t.var_age_first_investigation_months AS iv_t, c.var_age_first_investigation_months AS iv_c,
                   t.mean_age_first_measure_months AS ma_t, c.mean_age_first_measure_months AS ma_c,
                   t.var_age_first_measure_months AS mv_t, c.var_age_first_measure_months AS mv_c,
                   CASE WHEN t.cohort IS NULL THEN 0 ELSE t.children_exposed END AS ch_t,
                   CASE WHEN c.cohort IS NULL THEN 0 ELSE c.children_exposed END AS ch_c
            FROM t FULL JOIN c ON true),
     rates (ord, comparison, rate_t, rate_c, a, b, ch_t, ch_c) AS (
         SELECT 1, 'detection_rate_per_1000', det_t, det_c, det_a, det_b, ch_t, ch_c FROM tc
         UNION ALL
         SELECT 2, 'investigation_rate_per_1000', inv_t, inv_c, inv_a, inv_b, ch_t, ch_c FROM tc
         UNION ALL
         SELECT 3, 'measure_rate_per_1000', mea_t, mea_c, mea_a, mea_b, ch_t, ch_c FROM tc
     ),
     means (ord, comparison, mean_t, mean_c, var_t, var_c, n_t, n_c) AS (
         SELECT 4, 'mean_age_first_investigation_months', ia_t, ia_c, iv_t, iv_c, inv_a, inv_b FROM tc
         UNION ALL
         SELECT 5, 'mean_age_first_measure_months', ma_t, ma_c, mv_t, mv_c, mea_a, mea_b FROM tc
     )
-- RR = 0 when the treatment count is 0; only its interval (ln 0) is undefined. A rate's row
-- gives its cohorts' children (it hides with them too); a mean's does not.
SELECT ord, comparison, 'rate_ratio'::text AS statistic, rate_t AS treatment, rate_c AS control,
       CASE WHEN b > 0 THEN rate_t / rate_c END AS estimate,
       CASE WHEN a > 0 AND b > 0 THEN exp(ln(rate_t / rate_c) - 1.96 * sqrt(1.0 / a + 1.0 / b)) END AS ci_low,
       CASE WHEN a > 0 AND b > 0 THEN exp(ln(rate_t / rate_c) + 1.96 * sqrt(1.0 / a + 1.0 / b)) END AS ci_high,
       a AS treatment_count, b AS control_count, ch_t AS treatment_children, ch_c AS control_children
FROM rates
UNION ALL
SELECT ord, comparison, 'difference', mean_t, mean_c,
       mean_t - mean_c,
       CASE WHEN n_t >= 2 AND n_c >= 2 THEN mean_t - mean_c - 1.96 * sqrt(var_t / n_t + var_c / n_c) END,
       CASE WHEN n_t >= 2 AND n_c >= 2 THEN mean_t - mean_c + 1.96 * sqrt(var_t / n_t + var_c / n_c) END,
       n_t, n_c, NULL::bigint, NULL::bigint
FROM means;

-- Each side hides with its own count, and a rate also with its cohort's children (as in
-- metrics.cohort_summary: the rate gives its child-years back); the estimate and its
-- interval, computed from both, with either.
CREATE VIEW metrics.cohort_comparison AS
SELECT c.comparison, c.statistic,
       CASE WHEN sc.treatment THEN NULL ELSE c.treatment END              AS treatment,
       CASE WHEN sc.control THEN NULL ELSE c.control END                  AS control,
       CASE WHEN sc.treatment OR sc.control THEN NULL ELSE c.estimate END AS estimate,
       CASE WHEN sc.treatment OR sc.control THEN NULL ELSE c.ci_low END   AS ci_low,
       CASE WHEN sc.treatment OR sc.control THEN NULL ELSE c.ci_high END  AS ci_high,
       CASE WHEN sc.treatment_count THEN NULL ELSE c.treatment_count END  AS treatment_count,
       CASE WHEN sc.control_count THEN NULL ELSE c.control_count END      AS control_count,
       p.run_id
FROM warehouse.cohort_comparison c
CROSS JOIN warehouse.published_run p
CROSS JOIN LATERAL (SELECT
    metrics.is_small_cell(c.treatment_count, p.small_cell_minimum) AS treatment_count,
    metrics.is_small_cell(c.control_count, p.small_cell_minimum) AS control_count,
    metrics.is_small_cell(c.treatment_count, p.small_cell_minimum)
        OR coalesce(metrics.is_small_cell(c.treatment_children, p.small_cell_minimum), false) AS treatment,
    metrics.is_small_cell(c.control_count, p.small_cell_minimum)
        OR coalesce(metrics.is_small_cell(c.control_children, p.small_cell_minimum), false) AS control) sc
ORDER BY c.ord;

COMMENT ON VIEW metrics.cohort_comparison IS 'Treatment against control over the window: rate ratios with 95 % intervals exp(ln RR ± 1.96 √(1/a + 1/b)), and differences of mean ages with Welch 95 % intervals.';
