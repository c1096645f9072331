-- The run ledger (schema etl): what each run read, rejected, loaded and published.
-- Only the warehouse owner reads etl; analysts see metrics only.

CREATE SCHEMA IF NOT EXISTS warehouse;
CREATE SCHEMA IF NOT EXISTS metrics;

CREATE TABLE etl.runs (
    run_id             bigint PRIMARY KEY,            -- start time, UTC, yyyymmddhhmmss
    pipeline           text NOT NULL,                 -- the pipeline file
    municipality       text NOT NULL,
    drop_path          text NOT NULL,
    drop_checksum      text NOT NULL,                 -- sha256 over the drop's files' checksums
    as_of              date NOT NULL,
    window_from        date NOT NULL,
    window_to          date NOT NULL,
    small_cell_minimum integer NOT NULL,
    program_version    text NOT NULL,
    started_at         timestamptz NOT NULL DEFAULT now(),
    finished_at        timestamptz,
    status             text NOT NULL DEFAULT 'running'
                       CHECK (status IN ('running', 'succeeded', 'failed')),
    error              text,
    rows_read          bigint,
    rows_rejected      bigint,
    rows_loaded        bigint
);

CREATE TABLE etl.stages (
    run_id      bigint NOT NULL REFERENCES etl.runs ON DELETE CASCADE,
    stage       text NOT NULL CHECK (stage IN ('extract', 'transform', 'load')),
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    seconds     double precision,
    status      text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    error       text,
    counts      jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (run_id, stage)
);

-- The export files a run read, with their checksums and counts.
CREATE TABLE etl.files (
    run_id     bigint NOT NULL REFERENCES etl.runs ON DELETE CASCADE,
    name       text NOT NULL,
    bytes      bigint NOT NULL,
    sha256     text NOT NULL,
    rows_read  bigint NOT NULL,
    accepted   bigint NOT NULL,
    rejected   bigint NOT NULL,
    PRIMARY KEY (run_id, name)
);

-- Rejected records, masked: never a CPR number in clear.
CREATE TABLE etl.rejects (
    run_id  bigint NOT NULL REFERENCES etl.runs ON DELETE CASCADE,
    file    text NOT NULL,
    line    integer NOT NULL,
    field   text,
    reason  text NOT NULL,
    message text NOT NULL
);
CREATE INDEX ON etl.rejects (run_id, file, reason);

-- Each load of a run writes a new set of fact partitions, named by its load id, so a
-- rerun never touches what readers are reading.
CREATE TABLE etl.loads (
    load_id     bigserial PRIMARY KEY,
    run_id      bigint NOT NULL REFERENCES etl.runs ON DELETE CASCADE,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    rows_loaded bigint,
    counts      jsonb NOT NULL DEFAULT '{}'           -- transform's counts (unattributed, ...)
);

-- The one published load: what every metrics view reads.
CREATE TABLE etl.published (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    load_id      bigint NOT NULL REFERENCES etl.loads,
    run_id       bigint NOT NULL REFERENCES etl.runs,
    published_at timestamptz NOT NULL DEFAULT now()
);
