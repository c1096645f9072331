-- Analysts (members of etl_analyst, made by migration 007) read metrics and nothing else.
-- The views above are new objects each time these files run: grant them again.
DO $$ BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'etl_analyst') THEN
        GRANT USAGE ON SCHEMA metrics TO etl_analyst;
        GRANT SELECT ON ALL TABLES IN SCHEMA metrics TO etl_analyst;
    END IF;
END $$;
