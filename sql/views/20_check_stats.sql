-- The per-load statistics (warehouse.cohort_stats, notification_stats, closure_stats) are
-- computed by transform, where the data already is (Sources/Transform/CohortStats.swift,
-- to the letter of metrics.md), and copied in by load. This check, run by load inside its
-- transaction, holds them against the facts copied beside them: per cohort, the exposure
-- days, first events, notifications and closed cases of the whole window; the exposure days
-- of each grain, and the notifications and closed cases of each breakdown, against the whole.
-- Sums and counts only: no distinct children, no sort. A load that disagrees fails, and
-- changes nothing.
--
-- The facts' side is warehouse.fact_totals of each partition, run by the connection that
-- copied it right after its COPY (the load copies on several connections at once, so the
-- scans run side by side), and handed to check_stats.

-- What one fact partition adds up to, per cohort, for check_stats: one pass, both cohorts at
-- once (FILTER, no grouping: cheaper than a hash by cohort text on a freshly copied, not yet
-- analysed table). Sums are NULL without rows; counts 0. NULL for a fact the check does not read.
CREATE FUNCTION warehouse.fact_totals(p_fact text, p_partition regclass) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    totals jsonb;
BEGIN
    CASE p_fact
    WHEN 'exposure' THEN
        EXECUTE format($q$SELECT jsonb_build_object('exposure_days', jsonb_build_object(
                'control', sum(days) FILTER (WHERE cohort = 'control'), 'treatment', sum(days) FILTER (WHERE cohort = 'treatment')))
            FROM %s$q$, p_partition) INTO totals;
    WHEN 'first_events' THEN
        EXECUTE format($q$SELECT jsonb_build_object(
                'detected', jsonb_build_object('control', count(*) FILTER (WHERE cohort = 'control' AND kind = 'case'),
                                               'treatment', count(*) FILTER (WHERE cohort = 'treatment' AND kind = 'case')),
                'investigated', jsonb_build_object('control', count(*) FILTER (WHERE cohort = 'control' AND kind = 'investigation'),
                                                   'treatment', count(*) FILTER (WHERE cohort = 'treatment' AND kind = 'investigation')),
                'measured', jsonb_build_object('control', count(*) FILTER (WHERE cohort = 'control' AND kind = 'measure'),
                                               'treatment', count(*) FILTER (WHERE cohort = 'treatment' AND kind = 'measure')))
            FROM %s$q$, p_partition) INTO totals;
    WHEN 'case_events' THEN
        EXECUTE format($q$SELECT jsonb_build_object('notifications', jsonb_build_object(
                'control', count(*) FILTER (WHERE cohort = 'control'), 'treatment', count(*) FILTER (WHERE cohort = 'treatment')))
            FROM %s WHERE event_type = 'underretning'$q$, p_partition) INTO totals;
    WHEN 'cases' THEN
        EXECUTE format($q$SELECT jsonb_build_object('cases_closed', jsonb_build_object(
                'control', count(*) FILTER (WHERE cohort = 'control'), 'treatment', count(*) FILTER (WHERE cohort = 'treatment')))
            FROM %s WHERE closed_day IS NOT NULL$q$, p_partition) INTO totals;
    ELSE
        totals := NULL;
    END CASE;
    RETURN totals;
END
$fn$;

-- p_facts: the fact_totals of the load's exposure, first_events, case_events and cases
-- partitions, merged into one object.
CREATE FUNCTION warehouse.check_stats(p_load bigint, p_facts jsonb) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    disagreement text;
BEGIN
    IF p_facts IS NULL OR NOT p_facts ?& ARRAY['exposure_days', 'detected', 'investigated', 'measured', 'notifications', 'cases_closed'] THEN
        RAISE EXCEPTION 'load %: the facts'' totals are incomplete: %', p_load, p_facts;
    END IF;
    EXECUTE format($q$
    WITH stats AS (
        SELECT cohort, exposure_days, detected, investigated, measured, notifications, cases_closed
        FROM warehouse.cohort_stats WHERE load_id = %1$s AND grain = 'total'
    ), facts AS (
        SELECT * FROM (
            SELECT c.cohort,
                   (f #>> ARRAY['exposure_days', c.cohort])::bigint AS exposure_days,
                   (f #>> ARRAY['detected', c.cohort])::bigint AS detected,
                   (f #>> ARRAY['investigated', c.cohort])::bigint AS investigated,
                   (f #>> ARRAY['measured', c.cohort])::bigint AS measured,
                   (f #>> ARRAY['notifications', c.cohort])::bigint AS notifications,
                   (f #>> ARRAY['cases_closed', c.cohort])::bigint AS cases_closed
            FROM (VALUES ('control'), ('treatment')) c (cohort), (SELECT $1 AS f) t
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
    $q$, p_load) INTO disagreement USING p_facts;
    IF disagreement IS NOT NULL THEN
        RAISE EXCEPTION 'load %: the statistics transform wrote disagree with its facts: %', p_load, disagreement
            USING HINT = 'rerun transform for this run, then load it again';
    END IF;
END
$fn$;
