-- The difference-in-differences' estimates for the published run (evaluation.md, Estimates).
-- Intervals are estimate ± 1.96 se. Estimates that rest on fewer treated institutions than
-- small_cell_minimum are the owner's only: a group's, an event time's, and the overall ones
-- of did_summary with their mean before (pre_treatment_mean). Of one institution the mean
-- before is a cell metrics.evaluation_panel hides, and the overall effect, with the control
-- cells shown, gave a hidden count back exactly (two reviews).

CREATE VIEW warehouse.did_group_time AS
SELECT g.metric, g.control_group, g.grp, g.period, g.att, g.se
FROM warehouse.published_run p
JOIN warehouse.did_group_time_effects g ON g.load_id = p.load_id
ORDER BY array_position(ARRAY['detection', 'investigation', 'measure'], g.metric), g.control_group, g.grp, g.period;

CREATE VIEW metrics.did_summary AS
SELECT e.metric, e.control_group, k.aggregation,
       CASE WHEN sc.hidden THEN NULL ELSE a.att END AS att,
       CASE WHEN sc.hidden THEN NULL ELSE a.se END AS se,
       CASE WHEN sc.hidden THEN NULL ELSE a.att - 1.96 * a.se END AS ci_low,
       CASE WHEN sc.hidden THEN NULL ELSE a.att + 1.96 * a.se END AS ci_high,
       e.institutions_treated, e.institutions_control, e.institutions_left_out,
       CASE WHEN sc.hidden THEN NULL ELSE e.pre_treatment_mean END AS pre_treatment_mean,
       e.periods, e.period_length
FROM warehouse.published_run p
JOIN warehouse.did_estimations e ON e.load_id = p.load_id
CROSS JOIN LATERAL (SELECT metrics.is_small_cell(e.institutions_treated, p.small_cell_minimum) AS hidden) sc
CROSS JOIN (VALUES (1, 'simple'), (2, 'dynamic'), (3, 'group')) k (ord, aggregation)
LEFT JOIN warehouse.did_aggregations a
       ON a.load_id = e.load_id AND a.metric = e.metric AND a.control_group = e.control_group
      AND a.aggregation = k.aggregation AND a.event_time IS NULL AND a.grp IS NULL
ORDER BY array_position(ARRAY['detection', 'investigation', 'measure'], e.metric), e.control_group, k.ord;

CREATE VIEW metrics.did_event_study AS
SELECT a.metric, a.control_group, a.event_time,
       CASE WHEN sc.hidden THEN NULL ELSE a.att END AS att,
       CASE WHEN sc.hidden THEN NULL ELSE a.se END AS se,
       CASE WHEN sc.hidden THEN NULL ELSE a.att - 1.96 * a.se END AS ci_low,
       CASE WHEN sc.hidden THEN NULL ELSE a.att + 1.96 * a.se END AS ci_high,
       a.groups
FROM warehouse.published_run p
JOIN warehouse.did_aggregations a ON a.load_id = p.load_id
CROSS JOIN LATERAL (SELECT metrics.is_small_cell(a.institutions, p.small_cell_minimum) AS hidden) sc
WHERE a.aggregation = 'dynamic' AND a.event_time IS NOT NULL
ORDER BY array_position(ARRAY['detection', 'investigation', 'measure'], a.metric), a.control_group, a.event_time;

CREATE VIEW metrics.did_by_group AS
SELECT a.metric, a.control_group, a.grp, a.grp_start,
       CASE WHEN sc.hidden THEN NULL ELSE a.att END AS att,
       CASE WHEN sc.hidden THEN NULL ELSE a.se END AS se,
       CASE WHEN sc.hidden THEN NULL ELSE a.att - 1.96 * a.se END AS ci_low,
       CASE WHEN sc.hidden THEN NULL ELSE a.att + 1.96 * a.se END AS ci_high,
       a.institutions
FROM warehouse.published_run p
JOIN warehouse.did_aggregations a ON a.load_id = p.load_id
CROSS JOIN LATERAL (SELECT metrics.is_small_cell(a.institutions, p.small_cell_minimum) AS hidden) sc
WHERE a.aggregation = 'group' AND a.grp IS NOT NULL
ORDER BY array_position(ARRAY['detection', 'investigation', 'measure'], a.metric), a.control_group, a.grp;

-- Whether each estimation could be made, and if not why (the rows of did_summary are then NULL).
CREATE VIEW metrics.did_status AS
SELECT e.metric, e.control_group, e.estimated, e.reason, e.last_estimated_period, e.comparison_only_group, e.reason_code
FROM warehouse.published_run p
JOIN warehouse.did_estimations e ON e.load_id = p.load_id
ORDER BY array_position(ARRAY['detection', 'investigation', 'measure'], e.metric), e.control_group;

COMMENT ON VIEW warehouse.did_group_time IS 'Every group-time effect ATT(g,t) with its standard error (owner only: a group may hold a handful of institutions).';
COMMENT ON COLUMN warehouse.did_group_time.metric IS 'detection (first case), investigation (first child investigation: SEL § 50, Barnets Lov § 20 from 2024) or measure (first measure).';
COMMENT ON COLUMN warehouse.did_group_time.control_group IS 'never_treated (institutions never covered) or not_yet_treated (also those not yet covered in either period of the cell).';
COMMENT ON COLUMN warehouse.did_group_time.grp IS 'The group: the first period in which its institutions were covered.';
COMMENT ON COLUMN warehouse.did_group_time.period IS 'The period t of the effect; the base period is grp − 1 when t ≥ grp, else t − 1.';
COMMENT ON COLUMN warehouse.did_group_time.att IS 'ATT(g,t), first events per 1,000 child-years.';
COMMENT ON COLUMN warehouse.did_group_time.se IS 'Analytic standard error, clustered by institution; NULL where R did reports NA.';
COMMENT ON VIEW metrics.did_summary IS 'Did the social workers cause it? Callaway & Sant''Anna''s staggered difference-in-differences (evaluation.md) per metric, control group and aggregation, in first events per 1,000 child-years; 95 % intervals att ± 1.96 se. NULL estimates: not made (metrics.did_status says why), or hidden when institutions_treated is below small_cell_minimum.';
COMMENT ON VIEW metrics.did_event_study IS 'The event study: the effect by periods since the social worker came (event_time = t − g); negative event times are the pre-treatment checks of parallel trends and should be near 0.';
COMMENT ON VIEW metrics.did_by_group IS 'The effect per group of institutions covered from the same period, averaged over its periods since.';
COMMENT ON VIEW metrics.did_status IS 'Per metric and control group: whether the difference-in-differences could be estimated from the published run, and if not, why.';
