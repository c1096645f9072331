-- Dimensions and facts, as written by transform (FactFile in Sources/Pipeline/RunLayout.swift).
-- Every table is partitioned by load: a load attaches fresh partitions and a publish
-- switches etl.published, so readers always see one whole run.

CREATE TABLE warehouse.institutions (
    load_id  bigint NOT NULL,
    number   text NOT NULL,
    name     text NOT NULL,
    type     text NOT NULL,
    district text NOT NULL,
    cluster  text,
    places   integer,
    opened   date,
    closed   date
) PARTITION BY LIST (load_id);

CREATE TABLE warehouse.children (
    load_id    bigint NOT NULL,
    child_key  text NOT NULL,          -- HMAC-SHA-256 of the CPR number, hex
    birth_date date NOT NULL
) PARTITION BY LIST (load_id);

CREATE TABLE warehouse.enrolments (
    load_id     bigint NOT NULL,
    child_key   text NOT NULL,
    institution text NOT NULL,
    from_day    date NOT NULL,
    to_day      date                   -- NULL while enrolled
) PARTITION BY LIST (load_id);

CREATE TABLE warehouse.coverage (
    load_id     bigint NOT NULL,
    institution text NOT NULL,
    from_day    date NOT NULL,
    to_day      date NOT NULL
) PARTITION BY LIST (load_id);

CREATE TABLE warehouse.exposure (
    load_id     bigint NOT NULL,
    child_key   text NOT NULL,
    cohort      text NOT NULL CHECK (cohort IN ('treatment', 'control')),
    year        integer NOT NULL,
    institution text NOT NULL,
    district    text NOT NULL,
    days        integer NOT NULL CHECK (days > 0)
) PARTITION BY LIST (load_id);

CREATE TABLE warehouse.case_events (
    load_id             bigint NOT NULL,
    case_id             text NOT NULL,
    child_key           text NOT NULL,
    event_type          text NOT NULL,
    day                 date NOT NULL,
    paragraph           text,
    source              text,
    reason              text,
    age_days            integer NOT NULL,
    cohort              text,
    institution         text,
    district            text,
    unattributed_reason text
) PARTITION BY LIST (load_id);

CREATE TABLE warehouse.first_events (
    load_id             bigint NOT NULL,
    child_key           text NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('case', 'investigation', 'measure')),
    day                 date NOT NULL,
    age_days            integer NOT NULL,
    cohort              text,
    institution         text,
    district            text,
    unattributed_reason text
) PARTITION BY LIST (load_id);

CREATE TABLE warehouse.cases (
    load_id             bigint NOT NULL,
    case_id             text NOT NULL,
    child_key           text NOT NULL,
    opened_day          date NOT NULL,
    age_days            integer NOT NULL,
    cohort              text,
    institution         text,
    district            text,
    unattributed_reason text,
    closed_day          date,
    closing_reason      text
) PARTITION BY LIST (load_id);
