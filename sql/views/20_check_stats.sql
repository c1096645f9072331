-- The per-load statistics (warehouse.cohort_stats, notification_stats, closure_stats) are
-- computed by transform, where the data already is (Sources/Transform/CohortStats.swift,
-- to the letter of metrics.md), and copied in by load. This check, run by load inside its
-- transaction, holds them against the facts copied beside them: per cohort, the exposure
-- days, first events, notifications and closed cases of the whole window; the exposure days
-- of each grain, and the notifications and closed cases of each breakdown, against the whole. Sums and counts only: no distinct children, no
-- sort, a scan of each fact partition at most. A load that disagrees fails, and changes nothing.
CREATE FUNCTION warehouse.check_stats(p_load bigint) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    disagreement text;
BEGIN
    EXECUTE format($q$
    WITH stats AS (
        SELECT cohort, exposure_days, detected, investigated, measured, notifications, cases_closed
        FROM warehouse.cohort_stats WHERE load_id = %1$s AND grain = 'total'
    ), facts AS (
        -- One pass over each partition, both cohorts at once (FILTER, no grouping: cheaper
        -- than a hash by cohort text on freshly copied, not yet analysed partitions).
        SELECT * FROM (
            SELECT c.cohort,
                   CASE c.cohort WHEN 'control' THEN x.c ELSE x.t END AS exposure_days,
                   CASE c.cohort WHEN 'control' THEN f.case_c ELSE f.case_t END AS detected,
                   CASE c.cohort WHEN 'control' THEN f.investigation_c ELSE f.investigation_t END AS investigated,
                   CASE c.cohort WHEN 'control' THEN f.measure_c ELSE f.measure_t END AS measured,
                   CASE c.cohort WHEN 'control' THEN n.c ELSE n.t END AS notifications,
                   CASE c.cohort WHEN 'control' THEN k.c ELSE k.t END AS cases_closed
            FROM (VALUES ('control'), ('treatment')) c (cohort),
                 (SELECT sum(days) FILTER (WHERE cohort = 'control') AS c, sum(days) FILTER (WHERE cohort = 'treatment') AS t
                  FROM warehouse.exposure WHERE load_id = %1$s) x,
                 (SELECT count(*) FILTER (WHERE cohort = 'control' AND kind = 'case') AS case_c,
                         count(*) FILTER (WHERE cohort = 'treatment' AND kind = 'case') AS case_t,
                         count(*) FILTER (WHERE cohort = 'control' AND kind = 'investigation') AS investigation_c,
                         count(*) FILTER (WHERE cohort = 'treatment' AND kind = 'investigation') AS investigation_t,
                         count(*) FILTER (WHERE cohort = 'control' AND kind = 'measure') AS measure_c,
                         count(*) FILTER (WHERE cohort = 'treatment' AND kind = 'measure') AS measure_t
                  FROM warehouse.first_events WHERE load_id = %1$s) f,
                 (SELECT count(*) FILTER (WHERE cohort = 'control') AS c, count(*) FILTER (WHERE cohort = 'treatment') AS t
                  FROM warehouse.case_events WHERE load_id = %1$s AND event_type = 'underretning') n,
                 (SELECT count(*) FILTER (WHERE cohort = 'control') AS c, count(*) FILTER (WHERE cohort = 'treatment') AS t
                  FROM warehouse.cases WHERE load_id = %1$s AND closed_day IS NOT NULL) k
        ) both_cohorts
        -- A cohort without exposure has no row in cohort_stats, and must have no events.
        WHERE exposure_days IS NOT NULL OR detected + investigated + measured + notifications + cases_closed > 0
    ), grains AS (
        SELECT grain, cohort, sum(exposure_days) AS exposure_days
        FROM warehouse.cohort_stats WHERE load_id = %1$s AND grain <> 'total' GROUP BY grain, cohort
    ), breakdowns AS (
        SELECT 'notification_stats' AS grain, cohort, 0 AS exposure_days, 0 AS detected, 0 AS investigated, 0 AS measured,
               sum(notifications) AS notifications, 0 AS cases_closed
        FROM warehouse.notification_stats WHERE load_id = %1$s GROUP BY cohort
        UNION ALL
        SELECT 'closure_stats', cohort, 0, 0, 0, 0, 0, sum(cases_closed)
        FROM warehouse.closure_stats WHERE load_id = %1$s GROUP BY cohort
    )
    SELECT string_agg(what, '; ') FROM (
        SELECT format('%%s: cohort_stats says %%s, the facts say %%s', coalesce(s.cohort, f.cohort),
                      row(s.exposure_days, s.detected, s.investigated, s.measured, s.notifications, s.cases_closed),
                      row(f.exposure_days, f.detected, f.investigated, f.measured, f.notifications, f.cases_closed)) AS what
        FROM stats s FULL JOIN facts f USING (cohort)
        WHERE row(s.exposure_days, s.detected, s.investigated, s.measured, s.notifications, s.cases_closed)
              IS DISTINCT FROM row(f.exposure_days, f.detected, f.investigated, f.measured, f.notifications, f.cases_closed)
        UNION ALL
        SELECT format('%%s %%s: exposure days sum to %%s, the whole window''s are %%s', g.grain, g.cohort,
                      g.exposure_days, s.exposure_days)
        FROM grains g LEFT JOIN stats s USING (cohort)
        WHERE g.exposure_days IS DISTINCT FROM s.exposure_days
        UNION ALL
        SELECT format('%%s %%s: sums to %%s, cohort_stats to %%s', b.grain, b.cohort,
                      coalesce(nullif(b.notifications, 0), b.cases_closed),
                      CASE WHEN b.grain = 'notification_stats' THEN s.notifications ELSE s.cases_closed END)
        FROM breakdowns b LEFT JOIN stats s USING (cohort)
        WHERE CASE WHEN b.grain = 'notification_stats' THEN b.notifications IS DISTINCT FROM s.notifications
                   ELSE b.cases_closed IS DISTINCT FROM s.cases_closed END
    ) d
    $q$, p_load) INTO disagreement;
    IF disagreement IS NOT NULL THEN
        RAISE EXCEPTION 'load %: the statistics transform wrote disagree with its facts: %', p_load, disagreement
            USING HINT = 'rerun transform for this run, then load it again';
    END IF;
END
$fn$;
