-- The export files the published run read, with their counts (the report's "how sure we are").

CREATE VIEW metrics.files_read AS
SELECT f.run_id, f.name AS file,
       CASE WHEN metrics.is_small_cell(f.rows_read, p.small_cell_minimum) THEN NULL ELSE f.rows_read END AS rows_read,
       CASE WHEN metrics.is_small_cell(f.accepted, p.small_cell_minimum) THEN NULL ELSE f.accepted END AS accepted,
       CASE WHEN metrics.is_small_cell(f.rejected, p.small_cell_minimum) THEN NULL ELSE f.rejected END AS rejected
FROM warehouse.published_run p JOIN etl.files f ON f.run_id = p.run_id;

COMMENT ON VIEW metrics.files_read IS 'The export files the published run read: records read, accepted and rejected per file.';
COMMENT ON COLUMN metrics.files_read.file IS 'The export file, as named in the pipeline file.';
COMMENT ON COLUMN metrics.files_read.rows_read IS 'Records read (CSV rows without the header, XML record elements).';
COMMENT ON COLUMN metrics.files_read.accepted IS 'Records that passed validation.';
COMMENT ON COLUMN metrics.files_read.rejected IS 'Records rejected (etl rejects RUN lists them, with line and reason).';
