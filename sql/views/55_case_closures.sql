-- Closed cases per cohort and closing reason (aarsag).

CREATE VIEW warehouse.case_closures AS
SELECT p.run_id, s.cohort, s.closing_reason, s.cases_closed,
       s.cases_closed::double precision / sum(s.cases_closed) OVER (PARTITION BY s.cohort) AS share_of_closed,
       (sum(s.cases_closed) OVER (PARTITION BY s.cohort))::bigint AS cohort_cases_closed
FROM warehouse.published_run p
JOIN warehouse.closure_stats s ON s.load_id = p.load_id;

CREATE VIEW metrics.case_closures AS
SELECT c.run_id, c.cohort, c.closing_reason,
       CASE WHEN metrics.is_small_cell(c.cases_closed, p.small_cell_minimum) THEN NULL ELSE c.cases_closed END AS cases_closed,
       CASE WHEN metrics.is_small_cell(c.cases_closed, p.small_cell_minimum)
              OR metrics.is_small_cell(c.cohort_cases_closed, p.small_cell_minimum) THEN NULL
            ELSE c.share_of_closed END AS share_of_closed
FROM warehouse.case_closures c CROSS JOIN warehouse.published_run p;

COMMENT ON VIEW metrics.case_closures IS 'Cases opened on an exposure day of the cohort and since closed, per closing reason (aarsag).';
