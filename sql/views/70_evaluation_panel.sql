-- The evaluation panel of the published run (evaluation.md, The panel): institution × period
-- × metric. The load id comes from a subquery (warehouse.published_run: it honours etl.run),
-- so only that load's partition is read.

-- The district is joined before the three metrics make three rows of each, behind OFFSET 0:
-- the planner cannot know the load id (a subquery), guesses every load's rows, and sorted
-- all 885,000 rows of a national panel for a merge join (2.5 s; 0.6 s so).
CREATE VIEW warehouse.evaluation_panel_figures AS
SELECT e.institution, e.district, e.period, e.period_start, e.period_end, e.grp, m.metric, e.children,
       e.exposure_days, e.exposure_days::double precision / 365.25 AS child_years, m.events,
       CASE WHEN e.exposure_days > 0 THEN 1000 * m.events / (e.exposure_days::double precision / 365.25) END AS rate
FROM (SELECT p.*, i.district
      FROM warehouse.evaluation_panel p
      LEFT JOIN warehouse.institutions i ON i.load_id = p.load_id AND i.number = p.institution
                                         AND i.load_id = (SELECT load_id FROM warehouse.published_run)
      WHERE p.load_id = (SELECT load_id FROM warehouse.published_run)
      OFFSET 0) e
CROSS JOIN LATERAL (VALUES (1, 'detection', e.detected), (2, 'investigation', e.investigated),
                           (3, 'measure', e.measured)) m (ord, metric, events);

-- Small cells (metrics.md): events from 1 to minimum − 1, and children from 1 to minimum − 1
-- (child_years), are hidden, and the rate with either.
CREATE VIEW metrics.evaluation_panel AS
SELECT f.institution, f.district, f.period, f.period_start, f.grp, f.metric,
       CASE WHEN sc.children THEN NULL ELSE f.child_years END AS child_years,
       CASE WHEN sc.events THEN NULL ELSE f.events END AS events,
       CASE WHEN sc.children OR sc.events THEN NULL ELSE f.rate END AS rate
FROM warehouse.evaluation_panel_figures f
-- One row, and the planner knows it (a join with the view it would guess at 46).
CROSS JOIN (SELECT (SELECT small_cell_minimum FROM warehouse.published_run) AS small_cell_minimum) p
CROSS JOIN LATERAL (SELECT metrics.is_small_cell(f.children, p.small_cell_minimum) AS children,
                           metrics.is_small_cell(f.events, p.small_cell_minimum) AS events) sc;

CREATE VIEW metrics.evaluation_left_out AS
SELECT l.institution, i.district, l.grp, l.reason
FROM warehouse.evaluation_left_out l
LEFT JOIN warehouse.institutions i ON i.load_id = l.load_id AND i.number = l.institution
                                   AND i.load_id = (SELECT load_id FROM warehouse.published_run)
WHERE l.load_id = (SELECT load_id FROM warehouse.published_run);

COMMENT ON VIEW warehouse.evaluation_panel_figures IS 'The evaluation panel unsuppressed (owner only): every institution × period × metric, with its children and exposure days.';
COMMENT ON VIEW metrics.evaluation_panel IS 'The difference-in-differences'' panel (evaluation.md): every institution of the register × every period wholly inside the window × metric, with the institution''s group. Small counts and the figures computed from them are NULL.';
COMMENT ON VIEW metrics.evaluation_left_out IS 'Institutions of the panel not estimated, and why: unbalanced (a period without exposure) or treated_from_first_period (covered in period 1, so no period before).';
