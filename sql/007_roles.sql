-- Analysts read metrics and nothing else. `etl warehouse analyst NAME` creates a login
-- role that is a member of etl_analyst.
DO $$ BEGIN
    CREATE ROLE etl_analyst NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- roles belong to the cluster: another database made it already
END $$;

REVOKE ALL ON SCHEMA warehouse, etl FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA warehouse, etl FROM PUBLIC;
GRANT USAGE ON SCHEMA metrics TO etl_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA metrics TO etl_analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA metrics GRANT SELECT ON TABLES TO etl_analyst;
