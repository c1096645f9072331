-- Every column of every metrics view documented where analysts look (\d+ in psql):
-- one text per column name, applied to each view that has the column.

DO $$
DECLARE
    docs CONSTANT text[][] := ARRAY[
        ['run_id', 'The published run (start time UTC, yyyymmddhhmmss).'],
        ['published_at', 'When the run was published.'],
        ['municipality', 'From the pipeline file.'],
        ['as_of', 'The drop''s as-of (export) date; open spells and assignments run to it.'],
        ['window_from', 'First day of the evaluation window.'],
        ['window_to', 'Last day of the evaluation window (default: as_of).'],
        ['small_cell_minimum', 'Counts below this (and above 0) are suppressed.'],
        ['cohort', 'treatment or control.'],
        ['year', 'Calendar year of the day.'],
        ['district', 'District (bydel) of the institution of the day.'],
        ['children_exposed', 'Distinct children with at least one exposure day in the cohort (enrolled, under 7, in the window).'],
        ['child_years', 'Exposure days of the cohort / 365.25.'],
        ['detected', 'Children whose first case (earliest sag_oprettet) falls on an exposure day of the cohort.'],
        ['detection_rate_per_1000', '1000 × detected / child_years.'],
        ['detection_share', 'detected / children_exposed.'],
        ['investigated', 'Children whose first § 50 investigation (earliest undersoegelse_startet) falls on an exposure day of the cohort.'],
        ['investigation_rate_per_1000', '1000 × investigated / child_years.'],
        ['investigation_share', 'investigated / children_exposed.'],
        ['mean_age_first_investigation_months', 'Mean age (days / 30.4375) at the first investigation, over the investigated.'],
        ['median_age_first_investigation_months', 'Median age in months at the first investigation (mean of the two middle values for an even count).'],
        ['measured', 'Children whose first social measure (earliest foranstaltning_startet) falls on an exposure day of the cohort.'],
        ['measure_rate_per_1000', '1000 × measured / child_years.'],
        ['measure_share', 'measured / children_exposed.'],
        ['mean_age_first_measure_months', 'Mean age (days / 30.4375) at the first measure, over the measured.'],
        ['median_age_first_measure_months', 'Median age in months at the first measure.'],
        ['notifications', 'All underretning events on exposure days of the cohort (not only first ones).'],
        ['notifications_per_1000', '1000 × notifications / child_years.'],
        ['cases_closed', 'Cases (sagsnummer) opened on an exposure day of the cohort that have a sag_afsluttet.'],
        ['closed_concern_resolved_share', 'Share of cases_closed closed with bekymring_ophoert or familien_selv.'],
        ['comparison', 'The figure compared.'],
        ['statistic', 'rate_ratio (treatment / control) or difference (treatment − control, months).'],
        ['treatment', 'The figure for the treatment cohort.'],
        ['control', 'The figure for the control cohort.'],
        ['estimate', 'Rate ratio or difference of means.'],
        ['ci_low', 'Lower end of the 95 % interval.'],
        ['ci_high', 'Upper end of the 95 % interval.'],
        ['treatment_count', 'The treatment count the figure rests on (a of the interval; n_T for a mean).'],
        ['control_count', 'The control count the figure rests on (b; n_C).'],
        ['source', 'kilde: who notified; NULL when the export left it empty.'],
        ['closing_reason', 'aarsag of the case''s last sag_afsluttet.'],
        ['share_of_closed', 'cases_closed / all closed cases of the cohort.'],
        ['category', 'rejected, unattributed_first_event or transform.'],
        ['subject', 'The export file (rejected), the kind of first event (case, investigation, measure), or the transform count.'],
        ['reason', 'The reject reason, or why a first event is attributed to no cohort (outside_window, not_enrolled, out_of_age).'],
        ['records', 'How many.']
    ];
    v record;
    d text[];
BEGIN
    FOR v IN SELECT c.relname, a.attname FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'metrics'
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
             WHERE c.relkind = 'v' LOOP
        FOREACH d SLICE 1 IN ARRAY docs LOOP
            IF d[1] = v.attname THEN
                EXECUTE format('COMMENT ON COLUMN metrics.%I.%I IS %L', v.relname, v.attname, d[2]);
            END IF;
        END LOOP;
    END LOOP;
END $$;
