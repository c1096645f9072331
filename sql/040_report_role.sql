-- The report's role (`etl report`): it reads what analysts read (etl_analyst: schema metrics)
-- and nothing else. The warehouse owner switches to it (SET ROLE) before the report's first
-- query, so a report can be mailed around without leaking a child.
DO $$ BEGIN
    BEGIN
        CREATE ROLE etl_report NOLOGIN;
    EXCEPTION
        WHEN duplicate_object OR unique_violation THEN
            NULL;  -- roles belong to the cluster: another database made it already
        WHEN insufficient_privilege THEN
            RAISE NOTICE 'no CREATEROLE privilege: role etl_report not created; etl report will say what to ask a superuser';
    END;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'etl_report') AND EXISTS (SELECT FROM pg_roles WHERE rolname = 'etl_analyst') THEN
        -- Memberships are cluster-wide too: another database's migration may grant one at the
        -- same moment (unique_violation, or "tuple concurrently updated").
        BEGIN
            GRANT etl_analyst TO etl_report;
        EXCEPTION
            WHEN unique_violation OR internal_error THEN NULL;
            WHEN insufficient_privilege OR invalid_grant_operation THEN
                RAISE NOTICE 'cannot make etl_report a member of etl_analyst; etl report will say what to ask a superuser';
        END;
        BEGIN
            GRANT etl_report TO CURRENT_USER;
        EXCEPTION
            WHEN unique_violation OR internal_error THEN NULL;
            WHEN insufficient_privilege OR invalid_grant_operation THEN
                RAISE NOTICE 'cannot grant etl_report to the warehouse user; etl report will say what to ask a superuser';
        END;
    END IF;
END $$;
