-- The run ledger keeps every attempt, and what analysts see is keyed by load (issues 11, 15).
--
-- A run is started once (etl.runs: its id, drop, municipality) and attempted one or more
-- times: the night's `etl run`, then perhaps `etl transform --run`, `etl run --from …`.
-- Each attempt (etl.attempts) and each stage of it (etl.stages) is a row of its own, never
-- rewritten once finished. A load carries the settings it was made with and the rejects and
-- file counts it loaded, so a rerun changes nothing analysts see until it is published.

-- The one municipality a warehouse holds, recorded at its first run.
CREATE TABLE etl.warehouse (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    municipality text NOT NULL,
    demo         boolean NOT NULL DEFAULT false,    -- holds the synthetic runs of `etl demo` only
    first_run    bigint NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO etl.warehouse (municipality, demo, first_run)
SELECT r.municipality, r.drop_path LIKE '%/demo/inbox/%', r.run_id
FROM etl.runs r
ORDER BY r.run_id IN (SELECT run_id FROM etl.published) DESC, r.run_id
LIMIT 1;

-- 'dead': the process stopped without finishing (kill -9, a crash, the machine went down),
-- found by the next command that takes the run lock.
ALTER TABLE etl.runs DROP CONSTRAINT IF EXISTS runs_status_check;
ALTER TABLE etl.runs ADD CONSTRAINT runs_status_check CHECK (status IN ('running', 'succeeded', 'failed', 'dead'));
COMMENT ON COLUMN etl.runs.status IS 'How the run''s last attempt ended (etl.attempts has every attempt)';
COMMENT ON COLUMN etl.runs.pipeline IS 'The pipeline file the run was started with (each attempt records its own)';

CREATE TABLE etl.attempts (
    attempt_id         bigserial PRIMARY KEY,
    run_id             bigint NOT NULL REFERENCES etl.runs ON DELETE CASCADE,
    command            text NOT NULL,            -- `run`, `run --from transform`, `transform`, `load`, …
    first_stage        text NOT NULL CHECK (first_stage IN ('extract', 'transform', 'load')),
    last_stage         text NOT NULL CHECK (last_stage IN ('extract', 'transform', 'load')),
    pipeline           text NOT NULL,            -- absolute path of the pipeline file
    pipeline_sha256    text,                     -- NULL for attempts made before this migration
    municipality       text NOT NULL,
    as_of              date NOT NULL,
    window_from        date NOT NULL,
    window_to          date NOT NULL,
    small_cell_minimum integer NOT NULL,
    program_version    text NOT NULL,
    host               text,
    pid                integer,
    started_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at        timestamptz,
    status             text NOT NULL DEFAULT 'running'
                       CHECK (status IN ('running', 'succeeded', 'failed', 'dead')),
    error              text
);
CREATE INDEX ON etl.attempts (run_id);
CREATE INDEX ON etl.attempts (attempt_id) WHERE status = 'running';
INSERT INTO etl.attempts (run_id, command, first_stage, last_stage, pipeline, municipality, as_of, window_from,
                          window_to, small_cell_minimum, program_version, started_at, finished_at, status, error)
SELECT run_id, 'run (recorded before attempts were kept)', 'extract', 'load', pipeline, municipality, as_of,
       window_from, window_to, small_cell_minimum, program_version, started_at, finished_at, status, error
FROM etl.runs;

-- Every attempt of every stage: no longer one row per run and stage.
ALTER TABLE etl.stages DROP CONSTRAINT stages_pkey;
ALTER TABLE etl.stages DROP CONSTRAINT IF EXISTS stages_status_check;
ALTER TABLE etl.stages ADD CONSTRAINT stages_status_check CHECK (status IN ('running', 'succeeded', 'failed', 'dead'));
ALTER TABLE etl.stages
    ADD COLUMN stage_attempt_id bigserial PRIMARY KEY,
    ADD COLUMN attempt_id bigint REFERENCES etl.attempts ON DELETE CASCADE;
UPDATE etl.stages s SET attempt_id = a.attempt_id FROM etl.attempts a WHERE a.run_id = s.run_id;
ALTER TABLE etl.stages ALTER COLUMN attempt_id SET NOT NULL;
CREATE INDEX ON etl.stages (run_id);
CREATE INDEX ON etl.stages (attempt_id);
COMMENT ON TABLE etl.files IS 'The export files of each run''s latest extract (each load keeps its own in etl.load_files)';

-- A load's settings: those of the attempt that made it (the window its transform used).
ALTER TABLE etl.loads
    ADD COLUMN attempt_id         bigint REFERENCES etl.attempts ON DELETE SET NULL,
    ADD COLUMN municipality       text,
    ADD COLUMN as_of              date,
    ADD COLUMN window_from        date,
    ADD COLUMN window_to          date,
    ADD COLUMN small_cell_minimum integer,
    ADD COLUMN pipeline           text,
    ADD COLUMN pipeline_sha256    text,
    ADD COLUMN extract_counts     jsonb NOT NULL DEFAULT '{}';   -- extract's counts (merged rows, …)
UPDATE etl.loads l
SET municipality = r.municipality, as_of = r.as_of, window_from = r.window_from, window_to = r.window_to,
    small_cell_minimum = r.small_cell_minimum, pipeline = r.pipeline
FROM etl.runs r WHERE r.run_id = l.run_id;
ALTER TABLE etl.loads
    ALTER COLUMN municipality SET NOT NULL, ALTER COLUMN as_of SET NOT NULL,
    ALTER COLUMN window_from SET NOT NULL, ALTER COLUMN window_to SET NOT NULL,
    ALTER COLUMN small_cell_minimum SET NOT NULL, ALTER COLUMN pipeline SET NOT NULL;

-- The export files a load's extract read, with their counts.
CREATE TABLE etl.load_files (
    load_id   bigint NOT NULL REFERENCES etl.loads ON DELETE CASCADE,
    name      text NOT NULL,
    bytes     bigint NOT NULL,
    sha256    text NOT NULL,
    rows_read bigint NOT NULL,
    accepted  bigint NOT NULL,
    rejected  bigint NOT NULL,
    PRIMARY KEY (load_id, name)
);
INSERT INTO etl.load_files (load_id, name, bytes, sha256, rows_read, accepted, rejected)
SELECT l.load_id, f.name, f.bytes, f.sha256, f.rows_read, f.accepted, f.rejected
FROM etl.loads l JOIN etl.files f USING (run_id);

-- Rejects belong to the load that copied them (a run loaded twice has two sets) and go with it.
ALTER TABLE etl.rejects ADD COLUMN load_id bigint REFERENCES etl.loads ON DELETE CASCADE;
UPDATE etl.rejects j SET load_id = (SELECT max(l.load_id) FROM etl.loads l WHERE l.run_id = j.run_id);
CREATE INDEX ON etl.rejects (load_id, file, reason);

-- Every publish, in order: which load, which it replaced, by what command.
CREATE TABLE etl.publications (
    publication_id   bigserial PRIMARY KEY,
    load_id          bigint NOT NULL,            -- no foreign key: history outlives retention
    run_id           bigint NOT NULL,
    previous_load_id bigint,
    previous_run_id  bigint,
    command          text NOT NULL,
    forced           boolean NOT NULL DEFAULT false,
    published_at     timestamptz NOT NULL DEFAULT now()
);
INSERT INTO etl.publications (load_id, run_id, command, published_at)
SELECT load_id, run_id, 'publish (recorded before publications were kept)', published_at FROM etl.published;
