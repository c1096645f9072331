-- The published national snapshot: what every national view reads.

CREATE VIEW snapshot.published_snapshot AS
SELECT s.snapshot_id, p.published_at, s.made_at, m.municipalities, m.municipality_count, s.small_cell_minimum,
       s.period_length, s.periods, s.first_period_start, s.last_period_end, s.partial, s.missing
FROM snapshot.published p
JOIN snapshot.snapshots s ON s.snapshot_id = p.snapshot_id
CROSS JOIN LATERAL (
    SELECT string_agg(x.municipality, ', ' ORDER BY x.municipality) AS municipalities,
           count(*)::integer AS municipality_count
    FROM snapshot.municipalities x WHERE x.snapshot_id = s.snapshot_id) m;

-- Whether a count must be hidden (metrics.md, Small cells).
CREATE FUNCTION national_metrics.is_small_cell(n bigint, minimum integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT n >= 1 AND n < minimum $$;

CREATE VIEW national_metrics.snapshot AS
SELECT snapshot_id, published_at, municipalities, municipality_count, small_cell_minimum, period_length, periods,
       first_period_start, last_period_end, partial, missing
FROM snapshot.published_snapshot;

-- Each municipality of the snapshot: the load its figures come from, and its as-of date.
CREATE VIEW national_metrics.municipalities AS
SELECT m.municipality, m.code, m.as_of, m.window_from, m.window_to, m.run_id, m.published_at, m.small_cell_minimum,
       m.period_length, m.periods, m.in_evaluation, m.evaluation_note, m.panel_institutions, m.institutions_withheld
FROM snapshot.published p
JOIN snapshot.municipalities m ON m.snapshot_id = p.snapshot_id
ORDER BY m.municipality;

COMMENT ON SCHEMA national_metrics IS 'National figures over every municipality''s feed (docs/national.md), for the published national snapshot. Counts from 1 to small_cell_minimum - 1, and every figure computed from them, are NULL.';
COMMENT ON VIEW national_metrics.snapshot IS 'The published national snapshot: one row, or none before the first publish. municipalities names those whose figures it holds.';
COMMENT ON VIEW national_metrics.municipalities IS 'Each municipality in the published snapshot: the run and as-of date its figures come from, and whether its panel is in the national difference-in-differences.';
COMMENT ON COLUMN national_metrics.snapshot.small_cell_minimum IS 'The largest of the national file''s and every municipality''s small_cell_minimum.';
COMMENT ON COLUMN national_metrics.snapshot.periods IS 'T of the national evaluation panel: the calendar periods every municipality in the evaluation has whole.';
COMMENT ON COLUMN national_metrics.snapshot.partial IS 'Published with --partial: some municipality of the national file is missing (see missing).';
COMMENT ON COLUMN national_metrics.snapshot.missing IS 'The municipalities of the national file left out of this snapshot (--partial); why is in the national publish''s log, not here: a feed''s error text is its own.';
COMMENT ON COLUMN national_metrics.municipalities.institutions_withheld IS 'Institutions its feed leaves out of the national panel: one of their cells holds 1 to small_cell_minimum - 1 children.';
