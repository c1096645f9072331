-- The staggered difference-in-differences of the scheme (shared/spec/evaluation.md), per
-- load: the panel transform writes, and what load estimates from it. Retention drops a
-- load's rows with its facts (Publisher.dropOldLoads).

-- The panel (FactFile.evaluationPanel): every institution of the register × every period
-- 1…T, partitioned by load like the other facts.
CREATE TABLE warehouse.evaluation_panel (
    load_id       bigint NOT NULL,
    institution   text NOT NULL,
    period        integer NOT NULL,
    period_start  date NOT NULL,
    period_end    date NOT NULL,
    grp           integer NOT NULL,   -- the first period with a covered day; 0: never covered
    exposure_days integer NOT NULL,   -- both cohorts
    children      integer NOT NULL,   -- distinct children with an exposure day in the cell
    detected      integer NOT NULL,   -- first cases attributed to the institution in the period
    investigated  integer NOT NULL,
    measured      integer NOT NULL
) PARTITION BY LIST (load_id);

-- One estimation per metric × control group: whether it could be made (and if not, why),
-- and the counts every estimate comes with.
CREATE TABLE warehouse.did_estimations (
    load_id               bigint NOT NULL,
    metric                text NOT NULL CHECK (metric IN ('detection', 'investigation', 'measure')),
    control_group         text NOT NULL CHECK (control_group IN ('never_treated', 'not_yet_treated')),
    estimated             boolean NOT NULL,
    reason                text,               -- why not, in words; NULL when estimated
    periods               integer NOT NULL,   -- T
    period_length         text,               -- quarter, half_year, year; NULL without periods
    last_estimated_period integer,            -- T, unless no institution is never covered
    comparison_only_group integer,            -- the group then used as comparison only
    institutions_treated  integer,
    institutions_control  integer,
    institutions_left_out integer NOT NULL,
    pre_treatment_mean    double precision,   -- treated institutions' mean outcome in their base period g − 1
    PRIMARY KEY (load_id, metric, control_group)
);

-- Every ATT(g,t).
CREATE TABLE warehouse.did_group_time_effects (
    load_id       bigint NOT NULL,
    metric        text NOT NULL,
    control_group text NOT NULL,
    grp           integer NOT NULL,
    period        integer NOT NULL,
    base_period   integer NOT NULL,
    att           double precision NOT NULL,
    se            double precision,           -- NULL where R did reports NA
    treated       integer NOT NULL,           -- institutions of the group
    controls      integer NOT NULL,           -- comparison institutions of the cell
    PRIMARY KEY (load_id, metric, control_group, grp, period)
);

-- The aggregations: simple; dynamic per event time (event_time) and overall over e ≥ 0
-- (event_time NULL); group per group (grp) and overall (grp NULL).
CREATE TABLE warehouse.did_aggregations (
    load_id       bigint NOT NULL,
    metric        text NOT NULL,
    control_group text NOT NULL,
    aggregation   text NOT NULL CHECK (aggregation IN ('simple', 'dynamic', 'group')),
    event_time    integer,
    grp           integer,
    grp_start     date,                       -- the first day of period grp
    att           double precision NOT NULL,
    se            double precision,
    groups        integer,                    -- groups behind the estimate
    institutions  integer                     -- treated institutions behind the estimate
);
CREATE INDEX ON warehouse.did_aggregations (load_id, metric, control_group, aggregation);

-- Institutions of the panel not estimated, by reason (the same for every metric).
CREATE TABLE warehouse.evaluation_left_out (
    load_id     bigint NOT NULL,
    institution text NOT NULL,
    grp         integer NOT NULL,
    reason      text NOT NULL CHECK (reason IN ('unbalanced', 'treated_from_first_period')),
    PRIMARY KEY (load_id, institution)
);
