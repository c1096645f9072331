-- Every column of every metrics view documented where analysts look (\d+ in psql):
-- one text per column name, applied to each view that has the column; a 'view.column' text
-- is that view's own and comes first.

DO $$
DECLARE
    docs CONSTANT text[][] := ARRAY[
        ['run_id', 'The run the view reads: the published one, or the kept run named by SET etl.run. Its id is its start time in UTC to the millisecond (yyyymmddhhmmssSSS; 14 digits for runs made before milliseconds).'],
        ['published_at', 'When the run was published; NULL when SET etl.run names a kept run that is not the published one.'],
        ['municipality', 'From the pipeline file.'],
        ['as_of', 'The drop''s as-of (export) date; open spells and assignments run to it.'],
        ['window_from', 'First day of the evaluation window.'],
        ['window_to', 'Last day of the evaluation window (default: as_of).'],
        ['small_cell_minimum', 'Counts below this (and above 0) are suppressed.'],
        ['cohort', 'treatment or control.'],
        ['year', 'Calendar year of the day.'],
        ['district', 'District (bydel) of the institution of the day.'],
        ['evaluation_panel.district', 'District (bydel) of the institution.'],
        ['evaluation_left_out.district', 'District (bydel) of the institution.'],
        ['cohort_summary_by_year.children_exposed', 'Distinct children with at least one exposure day of the cohort in that calendar year.'],
        ['cohort_summary_by_year.child_years', 'Exposure days of the cohort that fall in that year / 365.25.'],
        ['cohort_summary_by_year.detected', 'Children whose first case (earliest sag_oprettet) falls on an exposure day of the cohort in that year.'],
        ['cohort_summary_by_year.investigated', 'Children whose first child investigation (SEL § 50 / Barnets Lov § 20) falls on an exposure day of the cohort in that year.'],
        ['cohort_summary_by_year.measured', 'Children whose first measure (earliest foranstaltning_startet) falls on an exposure day of the cohort in that year.'],
        ['cohort_summary_by_district.children_exposed', 'Distinct children with at least one exposure day of the cohort at an institution of that district.'],
        ['cohort_summary_by_district.child_years', 'Exposure days of the cohort at institutions of that district / 365.25.'],
        ['cohort_summary_by_district.detected', 'Children whose first case (earliest sag_oprettet) falls on an exposure day of the cohort at an institution of that district.'],
        ['cohort_summary_by_district.investigated', 'Children whose first child investigation (SEL § 50 / Barnets Lov § 20) falls on an exposure day of the cohort at an institution of that district.'],
        ['cohort_summary_by_district.measured', 'Children whose first measure (earliest foranstaltning_startet) falls on an exposure day of the cohort at an institution of that district.'],
        ['children_exposed', 'Distinct children with at least one exposure day in the cohort (enrolled, under 7, in the window).'],
        ['child_years', 'Exposure days of the cohort / 365.25.'],
        ['evaluation_panel.child_years', 'Exposure days at the institution in the period (both cohorts) / 365.25.'],
        ['detected', 'Children whose first case (earliest sag_oprettet) falls on an exposure day of the cohort.'],
        ['detection_rate_per_1000', '1000 × detected / child_years: per 1,000 child-years (years children spent enrolled and under 7 in the cohort), not per 1,000 children.'],
        ['detection_share', 'detected / children_exposed.'],
        ['investigated', 'Children whose first child investigation (SEL § 50 / Barnets Lov § 20: the earliest undersoegelse_startet) falls on an exposure day of the cohort.'],
        ['investigation_rate_per_1000', '1000 × investigated / child_years: per 1,000 child-years (years children spent enrolled and under 7 in the cohort), not per 1,000 children.'],
        ['investigation_share', 'investigated / children_exposed.'],
        ['mean_age_first_investigation_months', 'Mean age (days / 30.4375) at the first investigation, over the investigated.'],
        ['median_age_first_investigation_months', 'Median age in months at the first investigation (mean of the two middle values for an even count).'],
        ['measured', 'Children whose first social measure (earliest foranstaltning_startet) falls on an exposure day of the cohort.'],
        ['measure_rate_per_1000', '1000 × measured / child_years: per 1,000 child-years (years children spent enrolled and under 7 in the cohort), not per 1,000 children.'],
        ['measure_share', 'measured / children_exposed.'],
        ['mean_age_first_measure_months', 'Mean age (days / 30.4375) at the first measure, over the measured.'],
        ['median_age_first_measure_months', 'Median age in months at the first measure (mean of the two middle values for an even count).'],
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
        ['category', 'rejected (records per file and reason), unattributed_first_event, transform (unresolved references), file (records read, accepted, rejected per export file) or extract (its other counts, such as merged_address).'],
        ['subject', 'The export file (rejected, file), the kind of first event (case, investigation, measure), the transform count, or the extract count (extract).'],
        ['reason', 'The reject reason (rejected); why a first event is attributed to no cohort (unattributed_first_event: outside_window, not_enrolled, out_of_age); or what the count is (file, extract, transform).'],
        ['evaluation_left_out.reason', 'Why the institution is not estimated: unbalanced (a period without exposure) or treated_from_first_period (covered in period 1, so no period before).'],
        ['did_status.reason', 'Why the difference-in-differences could not be estimated; NULL when it was.'],
        ['did_status.reason_code', 'The reason as a code: too_few_periods, no_institutions_estimated, no_treated_group, covered_left_out (covered institutions there were, all unbalanced), no_comparison_institutions, never_covered_left_out (never-covered institutions there were, all unbalanced), too_few_never_treated or malformed_panel; NULL when estimated (and for loads made before the code was recorded).'],
        ['records', 'How many.'],
        ['metric', 'detection (first case), investigation (first child investigation: SEL § 50, Barnets Lov § 20 from 2024) or measure (first measure), each per 1,000 child-years.'],
        ['control_group', 'never_treated: against institutions never covered; not_yet_treated: also against institutions not yet covered in either period of a comparison.'],
        ['aggregation', 'simple (post-treatment group-time effects weighted by group size), dynamic (the event study''s average over event times ≥ 0) or group (the average over groups).'],
        ['att', 'The estimated average effect on the covered institutions: first events per 1,000 child-years, with the social worker against without.'],
        ['se', 'Analytic standard error from the influence functions, clustered by institution (R did, bstrap = FALSE).'],
        ['institutions_treated', 'Institutions of the estimated groups (covered after period 1, in the balanced panel).'],
        ['institutions_control', 'Institutions compared with: never covered (never_treated), or also those covered later (not_yet_treated: every group but the earliest, each a comparison until its own worker came).'],
        ['institutions_left_out', 'Institutions of the register not estimated: unbalanced, or covered from period 1 (metrics.evaluation_left_out).'],
        ['pre_treatment_mean', 'The treated institutions'' mean outcome in their base period (the period before their social worker came), per 1,000 child-years; NULL when they are fewer than small_cell_minimum (of one institution it is that cell''s outcome, hidden in evaluation_panel).'],
        ['periods', 'T: the periods wholly inside the evaluation window.'],
        ['period_length', 'quarter, half_year or year (pipeline evaluation.period).'],
        ['event_time', 'Periods since the social worker came (t − g); negative: before, the checks of parallel trends.'],
        ['groups', 'Groups with an estimate at this event time.'],
        ['grp', 'The group: the first period in which the institution was covered on some day; 0 never.'],
        ['grp_start', 'The first day of period grp.'],
        ['institutions', 'Institutions of the group (or behind the estimate).'],
        ['institution', 'Institution number (nummer).'],
        ['period', 'The period, numbered 1…T from the first whole period of the window.'],
        ['period_start', 'The first day of the period.'],
        ['events', 'First events of the metric attributed to the institution on days of the period.'],
        ['rate', '1000 × events / child_years: the outcome of the difference-in-differences.'],
        ['estimated', 'Whether the estimates exist; if not, reason says why.'],
        ['last_estimated_period', 'The last period estimated: T, unless no institution is never covered (then the last group serves as comparison only).'],
        ['comparison_only_group', 'When no institution is never covered: the group covered last, used as comparison only (as R did does).']
    ];
    v record;
    d text[];
    comment text;
BEGIN
    FOR v IN SELECT c.relname, a.attname FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'metrics'
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
             WHERE c.relkind = 'v' LOOP
        comment := NULL;
        FOREACH d SLICE 1 IN ARRAY docs LOOP
            IF d[1] = v.relname || '.' || v.attname THEN comment := d[2]; EXIT; END IF;
            IF d[1] = v.attname AND comment IS NULL THEN comment := d[2]; END IF;
        END LOOP;
        IF comment IS NOT NULL THEN
            EXECUTE format('COMMENT ON COLUMN metrics.%I.%I IS %L', v.relname, v.attname, comment);
        END IF;
    END LOOP;
END $$;

-- The owner's table says the same codes (migration 080's comment predates covered_left_out;
-- an applied migration is never edited, and a comment holds no data).
COMMENT ON COLUMN warehouse.did_estimations.reason_code IS 'Why the estimation was not made, as a code: too_few_periods, no_institutions_estimated, no_treated_group, covered_left_out (covered institutions there were, all unbalanced), no_comparison_institutions, never_covered_left_out (never-covered institutions there were, all unbalanced), too_few_never_treated or malformed_panel; NULL when estimated (and for estimations recorded before the code was).';
