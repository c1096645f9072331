-- The published run: what every view reads, and the small-cell rule of metrics.md.

-- The settings are the published load's (those it was made with), never the run's: a rerun
-- with another window or small-cell minimum changes nothing here until it is published.
-- A session may read a kept run that is not published instead (SET etl.run = 'ID', as
-- `etl report --run ID` does): its newest complete load, published_at NULL.
CREATE VIEW warehouse.published_run AS
SELECT p.run_id, p.load_id, p.published_at, l.municipality, l.as_of, l.window_from, l.window_to,
       l.small_cell_minimum
FROM (SELECT run_id, load_id, published_at FROM etl.published WHERE coalesce(current_setting('etl.run', true), '') = ''
      UNION ALL
      SELECT l.run_id, max(l.load_id), q.published_at FROM etl.loads l LEFT JOIN etl.published q USING (run_id)
      WHERE l.run_id = nullif(current_setting('etl.run', true), '')::bigint AND l.finished_at IS NOT NULL
      GROUP BY l.run_id, q.published_at) p
JOIN etl.loads l ON l.load_id = p.load_id;

-- The date dimension: every day of the published run's evaluation window.
CREATE VIEW warehouse.dates AS
SELECT d::date AS day, extract(year FROM d)::integer AS year, extract(month FROM d)::integer AS month,
       extract(isodow FROM d)::integer AS iso_weekday
FROM warehouse.published_run p, generate_series(p.window_from, p.window_to, interval '1 day') d;

-- Whether a count must be hidden.
CREATE FUNCTION metrics.is_small_cell(n bigint, minimum integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT n >= 1 AND n < minimum $$;

CREATE VIEW metrics.published_run AS
SELECT run_id, published_at, municipality, as_of, window_from, window_to, small_cell_minimum
FROM warehouse.published_run;

COMMENT ON SCHEMA metrics IS 'The evaluation''s figures for the published run (metrics.md). Counts from 1 to small_cell_minimum - 1, and every figure computed from them, are NULL.';
COMMENT ON FUNCTION metrics.is_small_cell(bigint, integer) IS 'True for a count from 1 to minimum - 1: a cell that could single out a child.';
COMMENT ON VIEW metrics.published_run IS 'The run every metrics view reads: one row, or none before the first publish.';
