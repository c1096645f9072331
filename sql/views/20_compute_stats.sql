-- metrics.md, to the letter: exposure from warehouse.exposure; first events attributed to a
-- cohort (cohort IS NOT NULL) counted in the year and district of their day; notifications
-- are all underretning events on exposure days; closed cases are those whose opening day is
-- an exposure day of the cohort and that have a sag_afsluttet.
-- work_mem: the distinct-children counts hash or sort millions of keys; in memory, not on disk.
-- The big aggregate is a CREATE TABLE AS (which PostgreSQL runs in parallel; INSERT … SELECT
-- it does not), with the load id as a literal so only that load's partitions are planned.
CREATE FUNCTION warehouse.compute_stats(p_load bigint) RETURNS void LANGUAGE plpgsql SET work_mem = '256MB' AS $fn$
BEGIN
    EXECUTE format($q$
    CREATE TEMP TABLE cohort_stats_new (load_id, grain, cohort, year, district, children_exposed, exposure_days,
        detected, investigated, investigation_age_mean, investigation_age_median, investigation_age_var,
        measured, measure_age_mean, measure_age_median, measure_age_var, notifications, cases_closed,
        cases_closed_resolved) ON COMMIT DROP AS
    -- Distinct children per grain by hashing (cohort, key) pairs: 2–3× faster than
    -- count(DISTINCT child_key) under GROUPING SETS, which sorts every group's keys.
    WITH children AS (
        SELECT 'total' AS grain, cohort, NULL::integer AS year, NULL::text AS district, count(*) AS children_exposed
        FROM (SELECT DISTINCT cohort, child_key FROM warehouse.exposure WHERE load_id = %1$s) d GROUP BY cohort
        UNION ALL
        SELECT 'year', cohort, year, NULL, count(*)
        FROM (SELECT DISTINCT cohort, year, child_key FROM warehouse.exposure WHERE load_id = %1$s) d GROUP BY cohort, year
        UNION ALL
        SELECT 'district', cohort, NULL, district, count(*)
        FROM (SELECT DISTINCT cohort, district, child_key FROM warehouse.exposure WHERE load_id = %1$s) d GROUP BY cohort, district
    ), exposure AS (
        SELECT CASE WHEN GROUPING(e.year) = 0 THEN 'year' WHEN GROUPING(e.district) = 0 THEN 'district' ELSE 'total' END AS grain,
               e.cohort, e.year, e.district, sum(e.days) AS exposure_days
        FROM warehouse.exposure e WHERE e.load_id = %1$s
        GROUP BY GROUPING SETS ((e.cohort), (e.cohort, e.year), (e.cohort, e.district))
    ), firsts AS (
        SELECT CASE WHEN GROUPING(year) = 0 THEN 'year' WHEN GROUPING(district) = 0 THEN 'district' ELSE 'total' END AS grain,
               cohort, year, district,
               count(*) FILTER (WHERE kind = 'case') AS detected,
               count(*) FILTER (WHERE kind = 'investigation') AS investigated,
               avg(months) FILTER (WHERE kind = 'investigation') AS investigation_age_mean,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY months) FILTER (WHERE kind = 'investigation') AS investigation_age_median,
               var_samp(months) FILTER (WHERE kind = 'investigation') AS investigation_age_var,
               count(*) FILTER (WHERE kind = 'measure') AS measured,
               avg(months) FILTER (WHERE kind = 'measure') AS measure_age_mean,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY months) FILTER (WHERE kind = 'measure') AS measure_age_median,
               var_samp(months) FILTER (WHERE kind = 'measure') AS measure_age_var
        FROM (SELECT cohort, district, kind, extract(year FROM day)::integer AS year,
                     age_days / 30.4375::double precision AS months
              FROM warehouse.first_events WHERE load_id = %1$s AND cohort IS NOT NULL) f
        GROUP BY GROUPING SETS ((cohort), (cohort, year), (cohort, district))
    ), notes AS (
        SELECT CASE WHEN GROUPING(year) = 0 THEN 'year' WHEN GROUPING(district) = 0 THEN 'district' ELSE 'total' END AS grain,
               cohort, year, district, count(*) AS notifications
        FROM (SELECT cohort, district, extract(year FROM day)::integer AS year
              FROM warehouse.case_events
              WHERE load_id = %1$s AND cohort IS NOT NULL AND event_type = 'underretning') n
        GROUP BY GROUPING SETS ((cohort), (cohort, year), (cohort, district))
    ), closed AS (
        SELECT CASE WHEN GROUPING(year) = 0 THEN 'year' WHEN GROUPING(district) = 0 THEN 'district' ELSE 'total' END AS grain,
               cohort, year, district, count(*) AS cases_closed,
               count(*) FILTER (WHERE closing_reason IN ('bekymring_ophoert', 'familien_selv')) AS cases_closed_resolved
        FROM (SELECT cohort, district, closing_reason, extract(year FROM opened_day)::integer AS year
              FROM warehouse.cases
              WHERE load_id = %1$s AND cohort IS NOT NULL AND closed_day IS NOT NULL) c
        GROUP BY GROUPING SETS ((cohort), (cohort, year), (cohort, district))
    )
    SELECT %1$s::bigint, e.grain, e.cohort, e.year, e.district, ch.children_exposed, e.exposure_days,
           coalesce(f.detected, 0), coalesce(f.investigated, 0),
           f.investigation_age_mean, f.investigation_age_median, f.investigation_age_var,
           coalesce(f.measured, 0), f.measure_age_mean, f.measure_age_median, f.measure_age_var,
           coalesce(n.notifications, 0), coalesce(c.cases_closed, 0), coalesce(c.cases_closed_resolved, 0)
    FROM exposure e
    JOIN children ch ON (ch.grain, ch.cohort) = (e.grain, e.cohort)
         AND ch.year IS NOT DISTINCT FROM e.year AND ch.district IS NOT DISTINCT FROM e.district
    LEFT JOIN firsts f ON (f.grain, f.cohort) = (e.grain, e.cohort)
         AND f.year IS NOT DISTINCT FROM e.year AND f.district IS NOT DISTINCT FROM e.district
    LEFT JOIN notes n ON (n.grain, n.cohort) = (e.grain, e.cohort)
         AND n.year IS NOT DISTINCT FROM e.year AND n.district IS NOT DISTINCT FROM e.district
    LEFT JOIN closed c ON (c.grain, c.cohort) = (e.grain, e.cohort)
         AND c.year IS NOT DISTINCT FROM e.year AND c.district IS NOT DISTINCT FROM e.district;
    $q$, p_load);
    INSERT INTO warehouse.cohort_stats SELECT * FROM cohort_stats_new;
    DROP TABLE cohort_stats_new;

    INSERT INTO warehouse.notification_stats
    SELECT p_load, cohort, source, count(*)
    FROM warehouse.case_events
    WHERE load_id = p_load AND cohort IS NOT NULL AND event_type = 'underretning'
    GROUP BY cohort, source;

    INSERT INTO warehouse.closure_stats
    SELECT p_load, cohort, closing_reason, count(*)
    FROM warehouse.cases
    WHERE load_id = p_load AND cohort IS NOT NULL AND closed_day IS NOT NULL
    GROUP BY cohort, closing_reason;
END
$fn$;
