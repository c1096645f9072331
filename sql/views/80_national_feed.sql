-- The national feed (docs/national.md): what a national coordinator may read of this
-- warehouse, through postgres_fdw, as the role national_feed. Aggregates of the published load
-- only (`warehouse.published_load`, which no SET etl.run changes), with what it takes to combine them across municipalities exactly: counts, exposure
-- days, and sums and sums of squares of ages in whole days (integers, so national means and
-- variances are exact). No child key, no birth date, no date of a single event, and no
-- institution whose panel has a cell of 1 to small_cell_minimum − 1 children.
--
-- The views are security barriers: the feed role can make temporary functions, and none of
-- them may see a row a view's own conditions leave out (a withheld institution's cells).
-- feed_version changes whenever a view's columns do; the coordinator refuses another.

-- The published load's evaluation panel, each institution marked when one of its cells holds
-- 1 to small_cell_minimum − 1 children (owner only; the feed leaves those institutions out).
CREATE VIEW warehouse.national_feed_panel AS
SELECT e.load_id, e.institution, e.period, e.period_start, e.period_end, e.grp,
       min(e.period_start) FILTER (WHERE e.period = e.grp) OVER w AS grp_start,
       e.exposure_days, e.children, e.detected, e.investigated, e.measured,
       bool_or(e.children BETWEEN 1 AND p.small_cell_minimum - 1) OVER w AS withheld
FROM warehouse.evaluation_panel e
JOIN warehouse.published_load p ON p.load_id = e.load_id
WHERE e.load_id = (SELECT load_id FROM etl.published)
WINDOW w AS (PARTITION BY e.institution);

-- One row (none before the first publish): whose feed this is, which load, as of when, and
-- how its evaluation panel is cut.
CREATE VIEW national_feed.published_load WITH (security_barrier) AS
SELECT p.municipality, 1 AS feed_version, p.run_id, p.load_id, p.published_at, p.as_of, p.window_from, p.window_to,
       p.small_cell_minimum, d.period_length, coalesce(x.periods, 0) AS periods, x.first_period_start,
       x.last_period_end, coalesce(x.institutions, 0)::integer AS panel_institutions,
       coalesce(x.withheld, 0)::integer AS institutions_withheld
FROM warehouse.published_load p
LEFT JOIN LATERAL (
    SELECT max(f.period) AS periods, min(f.period_start) AS first_period_start, max(f.period_end) AS last_period_end,
           count(DISTINCT f.institution) AS institutions,
           count(DISTINCT f.institution) FILTER (WHERE f.withheld) AS withheld
    FROM warehouse.national_feed_panel f) x ON true
LEFT JOIN LATERAL (
    SELECT e.period_length FROM warehouse.did_estimations e
    WHERE e.load_id = p.load_id AND e.period_length IS NOT NULL LIMIT 1) d ON true;

-- The cohort statistics of metrics.md over the whole window ('total') and per calendar year
-- ('year'), with the ages at first investigation and first measure as sums of whole days
-- and of their squares, of every cell, so that the national means and variances are those
-- of the pooled children (issue 18: "combined exactly"); the coordinator's analysts see
-- them with the small-cell rule, as this warehouse's analysts see its own (docs/decisions.md,
-- "Ages in the feed"). The median is the municipality's own (national medians cannot be
-- combined from aggregates; docs/decisions.md), over the whole window only, and only when
-- it rests on small_cell_minimum children or more.
CREATE VIEW national_feed.cohort_stats WITH (security_barrier) AS
WITH ages AS (
    SELECT CASE WHEN GROUPING(f.year) = 0 THEN 'year' ELSE 'total' END AS grain, f.cohort, f.year,
           sum(f.age_days) FILTER (WHERE f.kind = 'investigation') AS investigation_sum,
           sum(f.age_days::bigint * f.age_days) FILTER (WHERE f.kind = 'investigation') AS investigation_squares,
           sum(f.age_days) FILTER (WHERE f.kind = 'measure') AS measure_sum,
           sum(f.age_days::bigint * f.age_days) FILTER (WHERE f.kind = 'measure') AS measure_squares
    FROM (SELECT cohort, kind, extract(year FROM day)::integer AS year, age_days
          FROM warehouse.first_events
          WHERE load_id = (SELECT load_id FROM etl.published) AND cohort IS NOT NULL
            AND kind IN ('investigation', 'measure')) f
    GROUP BY GROUPING SETS ((f.cohort), (f.cohort, f.year))
)
SELECT p.municipality, s.load_id, s.grain, s.cohort, s.year, s.children_exposed, s.exposure_days, s.detected,
       s.investigated,
       coalesce(a.investigation_sum, 0)::bigint AS investigation_age_days_sum,
       coalesce(a.investigation_squares, 0)::bigint AS investigation_age_days_sum_squares,
       CASE WHEN s.grain = 'total' AND s.investigated >= p.small_cell_minimum THEN s.investigation_age_median END
           AS investigation_age_median_months,
       s.measured,
       coalesce(a.measure_sum, 0)::bigint AS measure_age_days_sum,
       coalesce(a.measure_squares, 0)::bigint AS measure_age_days_sum_squares,
       CASE WHEN s.grain = 'total' AND s.measured >= p.small_cell_minimum THEN s.measure_age_median END
           AS measure_age_median_months,
       s.notifications, s.cases_closed, s.cases_closed_resolved
FROM warehouse.published_load p
JOIN warehouse.cohort_stats s ON s.load_id = p.load_id AND s.grain IN ('total', 'year')
LEFT JOIN ages a ON a.grain = s.grain AND a.cohort = s.cohort AND a.year IS NOT DISTINCT FROM s.year;

-- A source or closing reason outside the contract's values (exports.md; Pipeline's
-- ContractVocabulary, which a test holds these lists to) is the export's free text: a code no
-- value map names, a name, a CPR number's pseudonym. It never leaves as a label of its own,
-- even for one event: it is counted with the contract's "other" (andre, andet).
CREATE VIEW national_feed.notification_stats WITH (security_barrier) AS
SELECT p.municipality, n.load_id, n.cohort, s.source, sum(n.notifications)::bigint AS notifications
FROM warehouse.published_load p
JOIN warehouse.notification_stats n ON n.load_id = p.load_id
CROSS JOIN LATERAL (SELECT CASE WHEN n.source IS NULL OR n.source = ANY (ARRAY['daginstitution', 'daginstitutionsraadgiver',
                        'skole', 'sundhedspleje', 'politi', 'foraeldre', 'andre']) THEN n.source ELSE 'andre' END AS source) s
GROUP BY p.municipality, n.load_id, n.cohort, s.source;

CREATE VIEW national_feed.closure_stats WITH (security_barrier) AS
SELECT p.municipality, c.load_id, c.cohort, r.closing_reason, sum(c.cases_closed)::bigint AS cases_closed
FROM warehouse.published_load p
JOIN warehouse.closure_stats c ON c.load_id = p.load_id
CROSS JOIN LATERAL (SELECT CASE WHEN c.closing_reason IS NULL OR c.closing_reason = ANY (ARRAY['bekymring_ophoert', 'familien_selv',
                        'flyttet', 'anden_sag', 'andet']) THEN c.closing_reason ELSE 'andet' END AS closing_reason) r
GROUP BY p.municipality, c.load_id, c.cohort, r.closing_reason;

-- The difference-in-differences' panel (evaluation.md): institution × period, both cohorts,
-- without the institutions that have a cell of 1 to small_cell_minimum − 1 children. grp_start
-- is the first day of the institution's group period, so the coordinator can place the group
-- on the national calendar whatever this window's period numbers are.
CREATE VIEW national_feed.evaluation_panel WITH (security_barrier) AS
SELECT p.municipality, f.load_id, f.institution, f.period, f.period_start, f.period_end, f.grp, f.grp_start,
       f.exposure_days, f.children, f.detected, f.investigated, f.measured
FROM warehouse.published_load p
JOIN warehouse.national_feed_panel f ON f.load_id = p.load_id
WHERE NOT f.withheld;

COMMENT ON VIEW warehouse.national_feed_panel IS 'The published evaluation panel with each institution marked withheld when a cell holds 1 to small_cell_minimum - 1 children (the national feed leaves those out).';
COMMENT ON VIEW national_feed.published_load IS 'The published load: municipality, as-of date, window, small-cell minimum, the evaluation panel''s periods, and how many institutions the feed withholds. feed_version names the layout of these views.';
COMMENT ON VIEW national_feed.cohort_stats IS 'Per cohort, over the window (grain total) and per calendar year (grain year): children, exposure days, first events, and ages at first investigation and measure as sums of days and of their squares.';
COMMENT ON VIEW national_feed.notification_stats IS 'Notifications on exposure days per cohort and notifying source; a source outside the contract''s values is counted with andre.';
COMMENT ON VIEW national_feed.closure_stats IS 'Cases opened on exposure days and closed, per cohort and closing reason; a reason outside the contract''s values is counted with andet.';
COMMENT ON VIEW national_feed.evaluation_panel IS 'The difference-in-differences panel, institution × period, less institutions with a cell of 1 to small_cell_minimum - 1 children.';
