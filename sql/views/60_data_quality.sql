-- What the published run could not use: rejects, unattributed first events, transform's counts.

CREATE VIEW warehouse.data_quality AS
SELECT p.run_id, 'rejected'::text AS category, r.file AS subject, r.reason, count(*) AS records
FROM warehouse.published_run p JOIN etl.rejects r ON r.run_id = p.run_id
GROUP BY p.run_id, r.file, r.reason
UNION ALL
-- From transform's counts (etl.loads.counts), not a scan of the first events.
SELECT p.run_id, 'unattributed_first_event', split_part(c.key, '.', 2), split_part(c.key, '.', 3), c.value::bigint
FROM warehouse.published_run p JOIN etl.loads l ON l.load_id = p.load_id, jsonb_each_text(l.counts) c
WHERE c.key LIKE 'unattributed.%' AND c.value::bigint > 0
UNION ALL
SELECT p.run_id, 'transform', split_part(c.key, '.', 1), substr(c.key, length(split_part(c.key, '.', 1)) + 2), c.value::bigint
FROM warehouse.published_run p JOIN etl.loads l ON l.load_id = p.load_id, jsonb_each_text(l.counts) c
WHERE c.key IN ('children.without_spell', 'case_events.child_without_spell', 'cases.without_sag_oprettet',
                'children.birth_conflict', 'institutions.duplicate_number',
                'skipped.enrolment.unknown_institution', 'skipped.assignment.unknown_institution')
UNION ALL
-- From extract's counts per file (etl.loads.counts `extract|<file>|<what>`): rows merged into
-- the institution read before (merged_address), left out by the source's filter (filtered),
-- CPR numbers replaced in a text field (cpr_in_text:<field>), values no rule of a value map
-- matched (unmapped_value:<field>).
SELECT p.run_id, 'extract', split_part(c.key, '|', 2), split_part(c.key, '|', 3), c.value::bigint
FROM warehouse.published_run p JOIN etl.loads l ON l.load_id = p.load_id, jsonb_each_text(l.counts) c
WHERE c.key LIKE 'extract|%' AND c.value::bigint > 0;

CREATE VIEW metrics.data_quality AS
SELECT d.run_id, d.category, d.subject, d.reason,
       CASE WHEN metrics.is_small_cell(d.records, p.small_cell_minimum) THEN NULL ELSE d.records END AS records
FROM warehouse.data_quality d CROSS JOIN warehouse.published_run p;

COMMENT ON VIEW metrics.data_quality IS 'What the published run could not use: rejected records per file and reason, first events attributed to no cohort per kind and reason, transform''s unresolved references, and what extract counted per file without rejecting it (merged addresses, filtered rows, CPR numbers replaced in text, unknown values).';
