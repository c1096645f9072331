-- The published run: what every view reads, and the small-cell rule of metrics.md.

-- The settings are the published load's (those it was made with), never the run's: a rerun
-- with another window or small-cell minimum changes nothing here until it is published.
-- A session may read a kept run that is not published instead (SET etl.run = 'ID', as
-- `etl report --run ID` does): its newest complete load, published_at NULL. A run without
-- one is an error, not empty views that would read as "no data".
CREATE FUNCTION warehouse.chosen_run() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    chosen text := nullif(btrim(current_setting('etl.run', true)), '');
    run bigint;
BEGIN
    -- Not cast blindly: 'abc' gave "invalid input syntax for type bigint" from inside this
    -- function (a new analyst's trial). The value is not repeated: it could be anything typed.
    IF chosen !~ '^[0-9]{1,18}$' THEN
        RAISE EXCEPTION 'etl.run is not a run id (17 digits, or 14 for runs of older versions, as the steward''s `etl runs` lists them)'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'RESET etl.run reads the published run.';
    END IF;
    run := chosen::bigint;
    IF run IS NOT NULL AND NOT EXISTS (SELECT FROM etl.loads l WHERE l.run_id = run AND l.finished_at IS NOT NULL) THEN
        RAISE EXCEPTION 'etl.run = %: that run has no complete load kept in the warehouse', run
            USING ERRCODE = 'no_data_found',
                  HINT = 'RESET etl.run reads the published run; the steward''s `etl runs` lists the runs and what each loaded.';
    END IF;
    RETURN run;
END $$;

-- What is published, whatever a session asks for (SET etl.run): what the national feed reads.
CREATE VIEW warehouse.published_load AS
SELECT p.run_id, p.load_id, p.published_at, l.municipality, l.as_of, l.window_from, l.window_to,
       l.small_cell_minimum
FROM etl.published p
JOIN etl.loads l ON l.load_id = p.load_id;

-- A chosen run that is the published run reads its published load: a rerun's load that has
-- not reached its publish (or never will: killed) is not shown under the published run's
-- name. Any other kept run reads its newest complete load, the one `etl publish RUN` would,
-- with the published load's small-cell minimum if that is larger (metrics.md's 5 before the
-- first publish): a load no one published (a killed night's, a trial's) hides no less than
-- what is published (adversarial reviews read counts of 1 to 4 in one loaded with a minimum
-- of 1, before and after a first publish).
CREATE VIEW warehouse.published_run AS
SELECT p.run_id, p.load_id, p.published_at, l.municipality, l.as_of, l.window_from, l.window_to,
       greatest(l.small_cell_minimum, coalesce((SELECT m.small_cell_minimum FROM warehouse.published_load m), 5)) AS small_cell_minimum
FROM (SELECT run_id, load_id, published_at FROM etl.published WHERE coalesce(current_setting('etl.run', true), '') = ''
      UNION ALL
      -- OFFSET 0: the setting is checked once, whatever the plan.
      SELECT c.run, coalesce(q.load_id, (SELECT max(n.load_id) FROM etl.loads n
                                         WHERE n.run_id = c.run AND n.finished_at IS NOT NULL)), q.published_at
      FROM (SELECT warehouse.chosen_run() AS run OFFSET 0) c
      LEFT JOIN etl.published q ON q.run_id = c.run
      WHERE c.run IS NOT NULL) p
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

-- Runs begun since the published run was published that ended without publishing (failed,
-- killed and found dead, or run through without a publish), newest first: the committee's page then says its figures are
-- not the last night's (it kept them without a word, a review). Since the publish, not since
-- the run: a run put back by hand (`etl publish OLD --force`) is not said to be followed by
-- the failures before that choice. Always of the published run, whatever etl.run a session
-- set. The owner's: what analysts see stays exactly as it was when a run fails.
CREATE VIEW warehouse.runs_not_published AS
SELECT r.run_id, r.as_of, r.started_at, r.status
FROM etl.runs r
CROSS JOIN etl.published p
WHERE r.started_at > p.published_at AND r.run_id <> p.run_id AND r.status <> 'running'
ORDER BY r.run_id DESC;

COMMENT ON VIEW warehouse.runs_not_published IS 'Runs begun since the published run was published that ended without publishing: failed, dead (stopped and found so by the next command), or succeeded without a publish. Every metrics view still reads the published run; the steward''s `etl runs show RUN` says why.';
