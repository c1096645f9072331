-- A load copies its fact partitions over several connections at once: its own, inside the
-- load's transaction, and others that each commit a table of their own, which the load's
-- transaction then attaches (Sources/Load/LoadStage.swift). A load that failed or was killed
-- after another connection committed leaves such tables unattached: never part of a fact
-- table, so nothing reads them, but they hold space. Every load drops them before it starts
-- and again when it fails. A table is left alone while its load runs: a running load holds
-- the transaction-level advisory lock (warehouse.load_lock_class(), load id) until it ends.
CREATE FUNCTION warehouse.load_lock_class() RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT 1819238756 $$;  -- "load"

CREATE FUNCTION warehouse.drop_abandoned_partitions() RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
    t record;
    dropped integer := 0;
BEGIN
    FOR t IN
        SELECT c.relname, substring(c.relname FROM '_l([0-9]+)$')::bigint AS load_id
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'warehouse'
        WHERE c.relkind = 'r' AND NOT c.relispartition AND c.relname ~ '_l[0-9]+$'
          AND EXISTS (SELECT FROM pg_constraint k WHERE k.conrelid = c.oid AND k.conname = c.relname || '_load')
    LOOP
        IF pg_try_advisory_xact_lock(warehouse.load_lock_class(), t.load_id::integer) THEN
            EXECUTE format('DROP TABLE warehouse.%I', t.relname);
            dropped := dropped + 1;
        END IF;
    END LOOP;
    RETURN dropped;
END
$fn$;
