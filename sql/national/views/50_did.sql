-- The national difference-in-differences (evaluation.md) on the union of the municipalities'
-- panels, institutions keyed by municipality, for the published snapshot. As in a warehouse
-- (sql/views/72_did.sql): estimates resting on fewer treated institutions than
-- small_cell_minimum are the owner's only, the overall ones and their mean before too.

CREATE VIEW snapshot.did_group_time AS
SELECT g.metric, g.control_group, g.grp, g.period, g.base_period, g.att, g.se, g.treated, g.controls
FROM snapshot.published p
JOIN snapshot.did_group_time_effects g ON g.snapshot_id = p.snapshot_id
ORDER BY array_position(ARRAY['detection', 'investigation', 'measure'], g.metric), g.control_group, g.grp, g.period;

-- The municipalities whose panels the estimates rest on.
CREATE VIEW snapshot.evaluation_municipalities AS
SELECT string_agg(m.municipality, ', ' ORDER BY m.municipality) AS municipalities
FROM snapshot.published p
JOIN snapshot.municipalities m ON m.snapshot_id = p.snapshot_id AND m.in_evaluation;

CREATE VIEW national_metrics.did_summary AS
SELECT e.metric, e.control_group, k.aggregation,
       CASE WHEN sc.hidden THEN NULL ELSE a.att END AS att,
       CASE WHEN sc.hidden THEN NULL ELSE a.se END AS se,
       CASE WHEN sc.hidden THEN NULL ELSE a.att - 1.96 * a.se END AS ci_low,
       CASE WHEN sc.hidden THEN NULL ELSE a.att + 1.96 * a.se END AS ci_high,
       e.institutions_treated, e.institutions_control, e.institutions_left_out,
       CASE WHEN sc.hidden THEN NULL ELSE e.pre_treatment_mean END AS pre_treatment_mean,
       e.periods, s.period_length, s.first_period_start, s.last_period_end, m.municipalities
FROM snapshot.published_snapshot s
JOIN snapshot.did_estimations e ON e.snapshot_id = s.snapshot_id
CROSS JOIN LATERAL (SELECT national_metrics.is_small_cell(e.institutions_treated, s.small_cell_minimum) AS hidden) sc
CROSS JOIN snapshot.evaluation_municipalities m
CROSS JOIN (VALUES (1, 'simple'), (2, 'dynamic'), (3, 'group')) k (ord, aggregation)
LEFT JOIN snapshot.did_aggregations a
       ON a.snapshot_id = e.snapshot_id AND a.metric = e.metric AND a.control_group = e.control_group
      AND a.aggregation = k.aggregation AND a.event_time IS NULL AND a.grp IS NULL
ORDER BY array_position(ARRAY['detection', 'investigation', 'measure'], e.metric), e.control_group, k.ord;

CREATE VIEW national_metrics.did_event_study AS
SELECT a.metric, a.control_group, a.event_time,
       CASE WHEN sc.hidden THEN NULL ELSE a.att END AS att,
       CASE WHEN sc.hidden THEN NULL ELSE a.se END AS se,
       CASE WHEN sc.hidden THEN NULL ELSE a.att - 1.96 * a.se END AS ci_low,
       CASE WHEN sc.hidden THEN NULL ELSE a.att + 1.96 * a.se END AS ci_high,
       a.groups, m.municipalities
FROM snapshot.published_snapshot s
JOIN snapshot.did_aggregations a ON a.snapshot_id = s.snapshot_id
CROSS JOIN snapshot.evaluation_municipalities m
CROSS JOIN LATERAL (SELECT national_metrics.is_small_cell(a.institutions, s.small_cell_minimum) AS hidden) sc
WHERE a.aggregation = 'dynamic' AND a.event_time IS NOT NULL
ORDER BY array_position(ARRAY['detection', 'investigation', 'measure'], a.metric), a.control_group, a.event_time;

CREATE VIEW national_metrics.did_by_group AS
SELECT a.metric, a.control_group, a.grp, a.grp_start,
       CASE WHEN sc.hidden THEN NULL ELSE a.att END AS att,
       CASE WHEN sc.hidden THEN NULL ELSE a.se END AS se,
       CASE WHEN sc.hidden THEN NULL ELSE a.att - 1.96 * a.se END AS ci_low,
       CASE WHEN sc.hidden THEN NULL ELSE a.att + 1.96 * a.se END AS ci_high,
       a.institutions, m.municipalities
FROM snapshot.published_snapshot s
JOIN snapshot.did_aggregations a ON a.snapshot_id = s.snapshot_id
CROSS JOIN snapshot.evaluation_municipalities m
CROSS JOIN LATERAL (SELECT national_metrics.is_small_cell(a.institutions, s.small_cell_minimum) AS hidden) sc
WHERE a.aggregation = 'group' AND a.grp IS NOT NULL
ORDER BY array_position(ARRAY['detection', 'investigation', 'measure'], a.metric), a.control_group, a.grp;

CREATE VIEW national_metrics.did_status AS
SELECT e.metric, e.control_group, e.estimated, e.reason, e.last_estimated_period, e.comparison_only_group,
       m.municipalities
FROM snapshot.published p
JOIN snapshot.did_estimations e ON e.snapshot_id = p.snapshot_id
CROSS JOIN snapshot.evaluation_municipalities m
ORDER BY array_position(ARRAY['detection', 'investigation', 'measure'], e.metric), e.control_group;

-- Institutions not estimated, counted per municipality and reason (with those each feed withheld).
CREATE VIEW national_metrics.evaluation_left_out AS
SELECT m.municipality, r.reason, count(l.institution)::integer AS institutions
FROM snapshot.published p
JOIN snapshot.municipalities m ON m.snapshot_id = p.snapshot_id AND m.in_evaluation
CROSS JOIN (VALUES ('unbalanced'), ('treated_from_first_period')) r (reason)
LEFT JOIN snapshot.evaluation_left_out l
       ON l.snapshot_id = p.snapshot_id AND l.municipality = m.municipality AND l.reason = r.reason
GROUP BY m.municipality, r.reason
UNION ALL
SELECT m.municipality, 'withheld_small_cells', m.institutions_withheld
FROM snapshot.published p
JOIN snapshot.municipalities m ON m.snapshot_id = p.snapshot_id AND m.in_evaluation
ORDER BY 1, 2;

COMMENT ON VIEW national_metrics.did_summary IS 'The staggered difference-in-differences (evaluation.md) on all municipalities'' panels together, institutions keyed by municipality, per metric, control group and aggregation, in first events per 1,000 child-years; 95 % intervals att ± 1.96 se.';
COMMENT ON VIEW national_metrics.did_event_study IS 'The national event study: the effect by periods since the social worker came; negative event times are the pre-treatment checks.';
COMMENT ON VIEW national_metrics.did_by_group IS 'The national effect per group of institutions covered from the same calendar period.';
COMMENT ON VIEW national_metrics.did_status IS 'Per metric and control group: whether the national difference-in-differences could be estimated, and if not, why.';
COMMENT ON VIEW national_metrics.evaluation_left_out IS 'Institutions of the national panel not estimated, per municipality and reason; withheld_small_cells: left out of the feed by the municipality (a cell of 1 to small_cell_minimum - 1 children).';
