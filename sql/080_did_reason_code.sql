-- Why an estimation could not be made, as a code (the reason is in words, in English): the
-- committee's report says it in its own language (it pointed to metrics.did_status, a view
-- no committee member reads; a review, 2026-12-03). NULL when estimated, and for loads made
-- before this migration.
ALTER TABLE warehouse.did_estimations ADD COLUMN reason_code text;
COMMENT ON COLUMN warehouse.did_estimations.reason_code IS 'Why not estimated, as a code (too_few_periods, no_institutions_estimated, no_treated_group, no_comparison_institutions, too_few_never_treated, malformed_panel); NULL when estimated';
