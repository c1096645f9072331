-- Views and functions live in sql/views/ from here on, re-created whenever their text
-- changes (sql/README.md). Drop the ones migrations 003–006 made.
DROP VIEW IF EXISTS
    metrics.data_quality, metrics.case_closures, metrics.notifications_by_source, metrics.cohort_comparison,
    metrics.cohort_summary_by_district, metrics.cohort_summary_by_year, metrics.cohort_summary,
    warehouse.cohort_figures_suppressed, metrics.published_run,
    warehouse.data_quality, warehouse.case_closures, warehouse.notifications_by_source,
    warehouse.cohort_comparison, warehouse.cohort_figures, warehouse.dates, warehouse.published_run;
DROP FUNCTION IF EXISTS metrics.is_small_cell(bigint, integer), warehouse.compute_stats(bigint);
