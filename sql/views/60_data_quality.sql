-- What the published load could not use: rejects, unattributed first events, transform's
-- counts; and what its extract read: records per export file, extract's own counts.
-- Everything here is keyed by the published load, so a rerun changes nothing until it is published.

CREATE VIEW warehouse.data_quality AS
SELECT p.run_id, 'rejected'::text AS category, r.file AS subject, r.reason, count(*) AS records
FROM warehouse.published_run p JOIN etl.rejects r ON r.load_id = p.load_id
GROUP BY p.run_id, r.file, r.reason
UNION ALL
-- From transform's counts (etl.loads.counts), not a scan of the first events.
SELECT p.run_id, 'unattributed_first_event', split_part(c.key, '.', 2), split_part(c.key, '.', 3), c.value::bigint
FROM warehouse.published_run p JOIN etl.loads l ON l.load_id = p.load_id, jsonb_each_text(l.counts) c
WHERE c.key LIKE 'unattributed.%' AND c.value::bigint > 0
UNION ALL
-- Transform's unresolved references and repeated events: the keys of
-- TransformCounts.shownToAnalysts (a test holds this list and that one equal).
SELECT p.run_id, 'transform', split_part(c.key, '.', 1), substr(c.key, length(split_part(c.key, '.', 1)) + 2), c.value::bigint
FROM warehouse.published_run p JOIN etl.loads l ON l.load_id = p.load_id, jsonb_each_text(l.counts) c
WHERE c.key IN ('children.without_spell', 'case_events.child_without_spell', 'cases.without_sag_oprettet',
                'children.birth_conflict', 'institutions.duplicate_number',
                'skipped.enrolment.unknown_institution', 'skipped.assignment.unknown_institution', 'case_events.repeated')
UNION ALL
-- The export files the load's extract read: records read, accepted and rejected.
SELECT p.run_id, 'file', f.name, v.reason, v.records
FROM warehouse.published_run p JOIN etl.load_files f ON f.load_id = p.load_id,
     LATERAL (VALUES ('read', f.rows_read), ('accepted', f.accepted), ('rejected', f.rejected)) v (reason, records)
UNION ALL
-- Extract's other counts (e.g. merged_address: rows merged into an earlier one, neither a
-- record of their own nor a reject); `file.reason` keys name their file, others are 'extract'.
SELECT p.run_id, 'extract',
       CASE WHEN c.key LIKE '%.%' THEN regexp_replace(c.key, '\.[^.]*$', '') ELSE 'extract' END,
       substring(c.key FROM '[^.]*$'), c.value::bigint
FROM warehouse.published_run p JOIN etl.loads l ON l.load_id = p.load_id, jsonb_each_text(l.extract_counts) c
WHERE c.key NOT IN ('rejected', 'pseudonyms_computed')
  AND CASE WHEN c.value ~ '^[0-9]+$' THEN c.value::bigint > 0 ELSE false END;

CREATE VIEW metrics.data_quality AS
SELECT d.run_id, d.category, d.subject, d.reason,
       CASE WHEN metrics.is_small_cell(d.records, p.small_cell_minimum) THEN NULL ELSE d.records END AS records
FROM warehouse.data_quality d CROSS JOIN warehouse.published_run p;

COMMENT ON VIEW metrics.data_quality IS 'What the published run could not use: rejected records per file and reason, first events attributed to no cohort per kind and reason, and transform''s unresolved references and repeated events; and what it read: records read, accepted and rejected per export file (category file), and extract''s other counts such as merged_address (category extract).';
