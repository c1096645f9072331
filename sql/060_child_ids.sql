-- A compact integer child id (per load) in every fact table instead of the 64-character
-- pseudonym, which stays once per load, in warehouse.children: the facts are a third
-- smaller, and COPY them that much faster (docs/benchmarks.md). The id is transform's: the
-- child's rank by pseudonym in its run, from 0. Loads already in the warehouse get the same
-- ids, ranked here. The new column comes last in each table, and so in each fact file.
ALTER TABLE warehouse.children ADD COLUMN child integer;
UPDATE warehouse.children c SET child = r.child
FROM (SELECT load_id, child_key, (row_number() OVER (PARTITION BY load_id ORDER BY child_key COLLATE "C") - 1)::integer AS child
      FROM warehouse.children) r
WHERE c.load_id = r.load_id AND c.child_key = r.child_key;
ALTER TABLE warehouse.children ALTER COLUMN child SET NOT NULL;

DO $facts$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['enrolments', 'exposure', 'case_events', 'first_events', 'cases'] LOOP
        EXECUTE format('ALTER TABLE warehouse.%I ADD COLUMN child integer', t);
        EXECUTE format('UPDATE warehouse.%I f SET child = c.child FROM warehouse.children c
                        WHERE c.load_id = f.load_id AND c.child_key = f.child_key', t);
        EXECUTE format('ALTER TABLE warehouse.%I ALTER COLUMN child SET NOT NULL', t);
        EXECUTE format('ALTER TABLE warehouse.%I DROP COLUMN child_key', t);
    END LOOP;
END
$facts$;

COMMENT ON COLUMN warehouse.children.child IS 'The child''s id in this load''s facts (child in enrolments, exposure, case_events, first_events, cases).';
