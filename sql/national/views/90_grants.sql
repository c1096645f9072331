-- National analysts (members of etl_analyst) read national_metrics and nothing else. The
-- views are new objects each time these files run: grant them again.
DO $$ BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'etl_analyst') THEN
        GRANT USAGE ON SCHEMA national_metrics TO etl_analyst;
        GRANT SELECT ON ALL TABLES IN SCHEMA national_metrics TO etl_analyst;
    END IF;
END $$;
