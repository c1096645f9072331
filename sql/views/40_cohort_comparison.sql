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

COMMENT ON VIEW metrics.cohort_comparison IS 'Treatment against control over the window: rate ratios with 95 % intervals exp(ln RR ± 1.96 √(1/a + 1/b)), and differences of mean ages with Welch 95 % intervals.';
