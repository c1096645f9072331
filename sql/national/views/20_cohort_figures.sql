-- The figures of metrics.md, national: counts, exposure days and sums of ages in days summed
-- over the municipalities, then rates, shares, means and sample variances computed from the
-- sums exactly (numeric), as metrics.md defines them; a mean or variance is NULL when a
-- municipality's feed withheld its sums (feeds before 2026-12-03 did for a small cell). Children are counted per municipality:
-- a child in two municipalities' windows counts in each (their pseudonyms differ by design).

CREATE VIEW snapshot.cohort_sums AS
SELECT s.snapshot_id, s.grain, NULL::text AS municipality, s.cohort, s.year,
       string_agg(s.municipality, ', ' ORDER BY s.municipality) AS municipalities, count(*)::integer AS municipality_count,
       sum(s.children_exposed)::bigint AS children_exposed, sum(s.exposure_days)::bigint AS exposure_days,
       sum(s.detected)::bigint AS detected,
       -- A municipality whose feed withheld its sums leaves the national sum unknown.
       sum(s.investigated)::bigint AS investigated,
       CASE WHEN every(s.investigation_age_days_sum IS NOT NULL) THEN sum(s.investigation_age_days_sum) END AS investigation_days,
       CASE WHEN every(s.investigation_age_days_sum_squares IS NOT NULL) THEN sum(s.investigation_age_days_sum_squares) END
           AS investigation_squares, NULL::double precision AS investigation_median,
       sum(s.measured)::bigint AS measured,
       CASE WHEN every(s.measure_age_days_sum IS NOT NULL) THEN sum(s.measure_age_days_sum) END AS measure_days,
       CASE WHEN every(s.measure_age_days_sum_squares IS NOT NULL) THEN sum(s.measure_age_days_sum_squares) END
           AS measure_squares, NULL::double precision AS measure_median,
       sum(s.notifications)::bigint AS notifications, sum(s.cases_closed)::bigint AS cases_closed,
       sum(s.cases_closed_resolved)::bigint AS cases_closed_resolved
FROM snapshot.published p
JOIN snapshot.cohort_stats s ON s.snapshot_id = p.snapshot_id
GROUP BY s.snapshot_id, s.grain, s.cohort, s.year
UNION ALL
SELECT s.snapshot_id, 'municipality', s.municipality, s.cohort, NULL, s.municipality, 1,
       s.children_exposed, s.exposure_days, s.detected,
       s.investigated, s.investigation_age_days_sum, s.investigation_age_days_sum_squares, s.investigation_age_median_months,
       s.measured, s.measure_age_days_sum, s.measure_age_days_sum_squares, s.measure_age_median_months,
       s.notifications, s.cases_closed, s.cases_closed_resolved
FROM snapshot.published p
JOIN snapshot.cohort_stats s ON s.snapshot_id = p.snapshot_id AND s.grain = 'total';

-- Unsuppressed, for the coordinator's owner. grain: total (national), year (national, per
-- calendar year), municipality (each municipality's own, over its window).
CREATE VIEW snapshot.cohort_figures AS
SELECT c.snapshot_id, c.grain, c.municipality, c.cohort, c.year, c.municipalities, c.municipality_count,
       c.children_exposed,
       c.exposure_days::double precision / 365.25                               AS child_years,
       c.exposure_days,
       c.detected,
       1000 * c.detected / (c.exposure_days::double precision / 365.25)         AS detection_rate_per_1000,
       c.detected::double precision / c.children_exposed                        AS detection_share,
       c.investigated,
       1000 * c.investigated / (c.exposure_days::double precision / 365.25)     AS investigation_rate_per_1000,
       c.investigated::double precision / c.children_exposed                    AS investigation_share,
       CASE WHEN c.investigated > 0
            THEN (c.investigation_days / c.investigated / 30.4375)::double precision END
                                                                                AS mean_age_first_investigation_months,
       c.investigation_median                                                   AS median_age_first_investigation_months,
       CASE WHEN c.investigated > 1
            THEN ((c.investigated * c.investigation_squares - c.investigation_days * c.investigation_days)
                  / (c.investigated * (c.investigated - 1)::numeric) / (30.4375 * 30.4375))::double precision END
                                                                                AS var_age_first_investigation_months,
       c.measured,
       1000 * c.measured / (c.exposure_days::double precision / 365.25)         AS measure_rate_per_1000,
       c.measured::double precision / c.children_exposed                        AS measure_share,
       CASE WHEN c.measured > 0 THEN (c.measure_days / c.measured / 30.4375)::double precision END
                                                                                AS mean_age_first_measure_months,
       c.measure_median                                                         AS median_age_first_measure_months,
       CASE WHEN c.measured > 1
            THEN ((c.measured * c.measure_squares - c.measure_days * c.measure_days)
                  / (c.measured * (c.measured - 1)::numeric) / (30.4375 * 30.4375))::double precision END
                                                                                AS var_age_first_measure_months,
       c.notifications,
       1000 * c.notifications / (c.exposure_days::double precision / 365.25)    AS notifications_per_1000,
       c.cases_closed,
       c.cases_closed_resolved,
       c.cases_closed_resolved::double precision / nullif(c.cases_closed, 0)    AS closed_concern_resolved_share
FROM snapshot.cohort_sums c;

CREATE VIEW snapshot.cohort_figures_suppressed AS
SELECT f.grain, f.municipality, f.cohort, f.year, f.municipalities,
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
FROM snapshot.cohort_figures f
CROSS JOIN snapshot.published_snapshot p
CROSS JOIN LATERAL (SELECT
    national_metrics.is_small_cell(f.children_exposed, p.small_cell_minimum) AS children,
    national_metrics.is_small_cell(f.detected, p.small_cell_minimum) AS detected,
    national_metrics.is_small_cell(f.investigated, p.small_cell_minimum) AS investigated,
    national_metrics.is_small_cell(f.measured, p.small_cell_minimum) AS measured,
    national_metrics.is_small_cell(f.notifications, p.small_cell_minimum) AS notifications,
    national_metrics.is_small_cell(f.cases_closed, p.small_cell_minimum) AS closed,
    national_metrics.is_small_cell(f.cases_closed_resolved, p.small_cell_minimum) AS resolved) sc;

-- National medians cannot be combined from aggregates (docs/decisions.md): the national views
-- have none; each municipality's own is in cohort_summary_by_municipality.
CREATE VIEW national_metrics.cohort_summary AS
SELECT cohort, children_exposed, child_years, detected, detection_rate_per_1000, detection_share,
       investigated, investigation_rate_per_1000, investigation_share, mean_age_first_investigation_months,
       measured, measure_rate_per_1000, measure_share, mean_age_first_measure_months,
       notifications, notifications_per_1000, cases_closed, closed_concern_resolved_share, municipalities
FROM snapshot.cohort_figures_suppressed WHERE grain = 'total'
ORDER BY cohort DESC;

CREATE VIEW national_metrics.cohort_summary_by_year AS
SELECT year, cohort, children_exposed, child_years, detected, detection_rate_per_1000, detection_share,
       investigated, investigation_rate_per_1000, investigation_share, mean_age_first_investigation_months,
       measured, measure_rate_per_1000, measure_share, mean_age_first_measure_months,
       notifications, notifications_per_1000, cases_closed, closed_concern_resolved_share, municipalities
FROM snapshot.cohort_figures_suppressed WHERE grain = 'year'
ORDER BY year, cohort DESC;

CREATE VIEW national_metrics.cohort_summary_by_municipality AS
SELECT municipality, cohort, children_exposed, child_years, detected, detection_rate_per_1000, detection_share,
       investigated, investigation_rate_per_1000, investigation_share,
       mean_age_first_investigation_months, median_age_first_investigation_months,
       measured, measure_rate_per_1000, measure_share, mean_age_first_measure_months, median_age_first_measure_months,
       notifications, notifications_per_1000, cases_closed, closed_concern_resolved_share, municipalities
FROM snapshot.cohort_figures_suppressed WHERE grain = 'municipality'
ORDER BY municipality, cohort DESC;

COMMENT ON VIEW national_metrics.cohort_summary IS 'Per cohort, all municipalities of the snapshot together, each over its own evaluation window. No medians: they cannot be combined from municipalities'' aggregates (see cohort_summary_by_municipality).';
COMMENT ON VIEW national_metrics.cohort_summary_by_year IS 'Per cohort and calendar year, all municipalities of the snapshot together (a year at the edge of a municipality''s window holds only its days in the window).';
COMMENT ON VIEW national_metrics.cohort_summary_by_municipality IS 'Per municipality and cohort, over its own window, with its own medians (shown when they rest on small_cell_minimum children or more).';
