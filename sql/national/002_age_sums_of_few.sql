-- A feed withholds the sums of ages (and of their squares) of a cell of 1 to
-- small_cell_minimum − 1 children: one child's sum is its age, two children's sum and sum of
-- squares give both (found by an independent review). The snapshot keeps them as NULL.
ALTER TABLE snapshot.cohort_stats
    ALTER COLUMN investigation_age_days_sum DROP NOT NULL,
    ALTER COLUMN investigation_age_days_sum_squares DROP NOT NULL,
    ALTER COLUMN measure_age_days_sum DROP NOT NULL,
    ALTER COLUMN measure_age_days_sum_squares DROP NOT NULL;
