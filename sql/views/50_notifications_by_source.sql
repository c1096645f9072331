-- Notifications on exposure days per cohort and notifying source (kilde).

CREATE VIEW warehouse.notifications_by_source AS
SELECT f.run_id, n.cohort, n.source, n.notifications,
       1000 * n.notifications / f.child_years AS notifications_per_1000,
       f.children_exposed
FROM warehouse.published_run p
JOIN warehouse.notification_stats n ON n.load_id = p.load_id
JOIN warehouse.cohort_figures f ON f.grain = 'total' AND f.cohort = n.cohort;

CREATE VIEW metrics.notifications_by_source AS
SELECT n.run_id, n.cohort, n.source,
       CASE WHEN metrics.is_small_cell(n.notifications, p.small_cell_minimum) THEN NULL ELSE n.notifications END AS notifications,
       CASE WHEN metrics.is_small_cell(n.notifications, p.small_cell_minimum)
              OR metrics.is_small_cell(n.children_exposed, p.small_cell_minimum) THEN NULL
            ELSE n.notifications_per_1000 END AS notifications_per_1000
FROM warehouse.notifications_by_source n CROSS JOIN warehouse.published_run p;

COMMENT ON VIEW metrics.notifications_by_source IS 'Notifications (underretning) on exposure days, per cohort and notifying source (kilde).';
