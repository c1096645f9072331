-- Analysts read metrics and nothing else. `etl warehouse analyst NAME` creates a login
-- role that is a member of etl_analyst.
REVOKE ALL ON SCHEMA warehouse, etl FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA warehouse, etl FROM PUBLIC;

DO $$ BEGIN
    BEGIN
        CREATE ROLE etl_analyst NOLOGIN;
    EXCEPTION
        WHEN duplicate_object OR unique_violation THEN
            NULL;  -- roles belong to the cluster: another database made it already
        WHEN insufficient_privilege THEN
            RAISE NOTICE 'no CREATEROLE privilege: role etl_analyst not created; ask a superuser to create it and run etl migrate again';
    END;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'etl_analyst') THEN
        GRANT USAGE ON SCHEMA metrics TO etl_analyst;
        GRANT SELECT ON ALL TABLES IN SCHEMA metrics TO etl_analyst;
        ALTER DEFAULT PRIVILEGES IN SCHEMA metrics GRANT SELECT ON TABLES TO etl_analyst;
    END IF;
END $$;
