-- The national coordinator (docs/national.md): a database of its own that reads every
-- municipality's national feed through postgres_fdw and publishes national snapshots.
--
--   national          the feeds, as partitioned tables: one foreign-table partition per
--                     municipality (made by `etl national sync`, in national_remote), keyed by
--                     the municipality's name as its feed states it
--   snapshot          national snapshots: what each publish read, and what it estimated;
--                     snapshot.published names the one analysts see
--   national_metrics  analysts' views of the published snapshot, small cells suppressed
--
-- No municipality's rows are stored here but the aggregates its feed gives.

CREATE EXTENSION IF NOT EXISTS postgres_fdw;

CREATE SCHEMA national;
CREATE SCHEMA national_remote;
CREATE SCHEMA snapshot;
CREATE SCHEMA national_metrics;
REVOKE ALL ON SCHEMA national, national_remote, snapshot FROM PUBLIC;

-- The municipalities as the last `etl national sync` left them (the national file's list).
CREATE TABLE national.municipalities (
    code            text PRIMARY KEY,
    name            text NOT NULL UNIQUE,      -- as the municipality's pipeline file names it
    server          text NOT NULL UNIQUE,      -- the postgres_fdw server
    feed            text NOT NULL,             -- its libpq connection, without a password
    password_source text NOT NULL,             -- where the password came from, never the password
    synced_at       timestamptz NOT NULL DEFAULT now()
);

-- The feeds (sql/views/80_national_feed.sql in each warehouse), column for column. No default
-- partition: nothing is ever stored in them here.
CREATE TABLE national.published_loads (
    municipality          text NOT NULL,
    feed_version          integer,
    run_id                bigint,
    load_id               bigint,
    published_at          timestamptz,
    as_of                 date,
    window_from           date,
    window_to             date,
    small_cell_minimum    integer,
    period_length         text,
    periods               integer,
    first_period_start    date,
    last_period_end       date,
    panel_institutions    integer,
    institutions_withheld integer
) PARTITION BY LIST (municipality);

CREATE TABLE national.cohort_stats (
    municipality                       text NOT NULL,
    load_id                            bigint,
    grain                              text,
    cohort                             text,
    year                               integer,
    children_exposed                   bigint,
    exposure_days                      bigint,
    detected                           bigint,
    investigated                       bigint,
    investigation_age_days_sum         bigint,
    investigation_age_days_sum_squares bigint,
    investigation_age_median_months    double precision,
    measured                           bigint,
    measure_age_days_sum               bigint,
    measure_age_days_sum_squares       bigint,
    measure_age_median_months          double precision,
    notifications                      bigint,
    cases_closed                       bigint,
    cases_closed_resolved              bigint
) PARTITION BY LIST (municipality);

CREATE TABLE national.notification_stats (
    municipality  text NOT NULL,
    load_id       bigint,
    cohort        text,
    source        text,
    notifications bigint
) PARTITION BY LIST (municipality);

CREATE TABLE national.closure_stats (
    municipality   text NOT NULL,
    load_id        bigint,
    cohort         text,
    closing_reason text,
    cases_closed   bigint
) PARTITION BY LIST (municipality);

CREATE TABLE national.evaluation_panel (
    municipality  text NOT NULL,
    load_id       bigint,
    institution   text,
    period        integer,
    period_start  date,
    period_end    date,
    grp           integer,
    grp_start     date,
    exposure_days integer,
    children      integer,
    detected      integer,
    investigated  integer,
    measured      integer
) PARTITION BY LIST (municipality);

-- One row per `etl national publish` that committed.
CREATE TABLE snapshot.snapshots (
    snapshot_id        bigserial PRIMARY KEY,
    made_at            timestamptz NOT NULL DEFAULT now(),
    national_file      text NOT NULL,
    small_cell_minimum integer NOT NULL,      -- the largest of the file's and every municipality's
    period_length      text NOT NULL,         -- of the national evaluation panel
    periods            integer NOT NULL,      -- T: the calendar periods every municipality in it has
    first_period_start date,
    last_period_end    date,
    partial            boolean NOT NULL,      -- published with --partial, some municipality missing
    missing            text[] NOT NULL DEFAULT '{}',  -- the municipalities of the file left out, and why
    program_version    text NOT NULL
);

-- The snapshot analysts see: switched in the transaction that writes the snapshot.
CREATE TABLE snapshot.published (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    snapshot_id  bigint NOT NULL REFERENCES snapshot.snapshots,
    published_at timestamptz NOT NULL DEFAULT now()
);

-- The municipalities in a snapshot, with the published load their figures come from.
CREATE TABLE snapshot.municipalities (
    snapshot_id           bigint NOT NULL REFERENCES snapshot.snapshots ON DELETE CASCADE,
    municipality          text NOT NULL,
    code                  text NOT NULL,
    run_id                bigint NOT NULL,
    load_id               bigint NOT NULL,
    published_at          timestamptz NOT NULL,
    as_of                 date NOT NULL,
    window_from           date NOT NULL,
    window_to             date NOT NULL,
    small_cell_minimum    integer NOT NULL,
    period_length         text,
    periods               integer NOT NULL,
    first_period_start    date,
    last_period_end       date,
    panel_institutions    integer NOT NULL,
    institutions_withheld integer NOT NULL,
    in_evaluation         boolean NOT NULL,   -- its panel is part of the national difference-in-differences
    evaluation_note       text,               -- why not, when not
    PRIMARY KEY (snapshot_id, municipality)
);

CREATE TABLE snapshot.cohort_stats (
    snapshot_id                        bigint NOT NULL REFERENCES snapshot.snapshots ON DELETE CASCADE,
    municipality                       text NOT NULL,
    grain                              text NOT NULL CHECK (grain IN ('total', 'year')),
    cohort                             text NOT NULL,
    year                               integer,
    children_exposed                   bigint NOT NULL,
    exposure_days                      bigint NOT NULL,
    detected                           bigint NOT NULL,
    investigated                       bigint NOT NULL,
    investigation_age_days_sum         bigint NOT NULL,
    investigation_age_days_sum_squares bigint NOT NULL,
    investigation_age_median_months    double precision,
    measured                           bigint NOT NULL,
    measure_age_days_sum               bigint NOT NULL,
    measure_age_days_sum_squares       bigint NOT NULL,
    measure_age_median_months          double precision,
    notifications                      bigint NOT NULL,
    cases_closed                       bigint NOT NULL,
    cases_closed_resolved              bigint NOT NULL
);
CREATE INDEX ON snapshot.cohort_stats (snapshot_id, grain);

CREATE TABLE snapshot.notification_stats (
    snapshot_id   bigint NOT NULL REFERENCES snapshot.snapshots ON DELETE CASCADE,
    municipality  text NOT NULL,
    cohort        text NOT NULL,
    source        text,
    notifications bigint NOT NULL
);
CREATE INDEX ON snapshot.notification_stats (snapshot_id);

CREATE TABLE snapshot.closure_stats (
    snapshot_id    bigint NOT NULL REFERENCES snapshot.snapshots ON DELETE CASCADE,
    municipality   text NOT NULL,
    cohort         text NOT NULL,
    closing_reason text,
    cases_closed   bigint NOT NULL
);
CREATE INDEX ON snapshot.closure_stats (snapshot_id);

-- The national panel the difference-in-differences ran on: every institution of the
-- municipalities in the evaluation × the national periods, groups on the national calendar.
CREATE TABLE snapshot.evaluation_panel (
    snapshot_id   bigint NOT NULL REFERENCES snapshot.snapshots ON DELETE CASCADE,
    municipality  text NOT NULL,
    institution   text NOT NULL,
    period        integer NOT NULL,
    period_start  date NOT NULL,
    grp           integer NOT NULL,
    exposure_days integer NOT NULL,
    children      integer NOT NULL,
    detected      integer NOT NULL,
    investigated  integer NOT NULL,
    measured      integer NOT NULL,
    PRIMARY KEY (snapshot_id, municipality, institution, period)
);

-- As the warehouse's did_* tables (sql/010_evaluation.sql), per snapshot.
CREATE TABLE snapshot.did_estimations (
    snapshot_id           bigint NOT NULL REFERENCES snapshot.snapshots ON DELETE CASCADE,
    metric                text NOT NULL CHECK (metric IN ('detection', 'investigation', 'measure')),
    control_group         text NOT NULL CHECK (control_group IN ('never_treated', 'not_yet_treated')),
    estimated             boolean NOT NULL,
    reason                text,
    periods               integer NOT NULL,
    last_estimated_period integer,
    comparison_only_group integer,
    institutions_treated  integer,
    institutions_control  integer,
    institutions_left_out integer NOT NULL,
    pre_treatment_mean    double precision,
    PRIMARY KEY (snapshot_id, metric, control_group)
);

CREATE TABLE snapshot.did_group_time_effects (
    snapshot_id   bigint NOT NULL REFERENCES snapshot.snapshots ON DELETE CASCADE,
    metric        text NOT NULL,
    control_group text NOT NULL,
    grp           integer NOT NULL,
    period        integer NOT NULL,
    base_period   integer NOT NULL,
    att           double precision NOT NULL,
    se            double precision,
    treated       integer NOT NULL,
    controls      integer NOT NULL,
    PRIMARY KEY (snapshot_id, metric, control_group, grp, period)
);

CREATE TABLE snapshot.did_aggregations (
    snapshot_id   bigint NOT NULL REFERENCES snapshot.snapshots ON DELETE CASCADE,
    metric        text NOT NULL,
    control_group text NOT NULL,
    aggregation   text NOT NULL CHECK (aggregation IN ('simple', 'dynamic', 'group')),
    event_time    integer,
    grp           integer,
    grp_start     date,
    att           double precision NOT NULL,
    se            double precision,
    groups        integer,
    institutions  integer
);
CREATE INDEX ON snapshot.did_aggregations (snapshot_id, metric, control_group, aggregation);

CREATE TABLE snapshot.evaluation_left_out (
    snapshot_id  bigint NOT NULL REFERENCES snapshot.snapshots ON DELETE CASCADE,
    municipality text NOT NULL,
    institution  text NOT NULL,
    grp          integer NOT NULL,
    reason       text NOT NULL CHECK (reason IN ('unbalanced', 'treated_from_first_period')),
    PRIMARY KEY (snapshot_id, municipality, institution)
);

-- National analysts: members of etl_analyst, as on a warehouse (sql/007_roles.sql), read
-- national_metrics and nothing else.
DO $$ BEGIN
    BEGIN
        CREATE ROLE etl_analyst NOLOGIN;
    EXCEPTION
        WHEN duplicate_object OR unique_violation THEN
            NULL;
        WHEN insufficient_privilege THEN
            RAISE NOTICE 'no CREATEROLE privilege: role etl_analyst not created; national analysts need it';
    END;
END $$;

-- Aggregates over the feeds run on the municipalities' servers when the query groups by
-- municipality (partitionwise aggregation); JIT would compile what runs in a millisecond.
DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I SET enable_partitionwise_aggregate = on', current_database());
    EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'not the database owner: planner settings left as they are (etl national sets them per session)';
END $$;
