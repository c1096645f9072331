-- Advisory locks of one bigint key are the tool's run lock: a role that may only read (an
-- analyst, national_feed) could take it and stop every night with exit 75 (an adversarial
-- review). Those functions are the tool's alone in this database: taken from PUBLIC, given
-- to the role that migrates. A role that may not change their grants (an owner that is not
-- a superuser) leaves them as they are, with a notice.
DO $locks$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY['pg_advisory_lock', 'pg_advisory_lock_shared', 'pg_try_advisory_lock',
                             'pg_try_advisory_lock_shared', 'pg_advisory_xact_lock', 'pg_advisory_xact_lock_shared',
                             'pg_try_advisory_xact_lock', 'pg_try_advisory_xact_lock_shared'] LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION pg_catalog.%I(bigint) FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION pg_catalog.%I(bigint) TO %I', f, current_user);
    END LOOP;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'advisory locks left to every role: % may not change their grants; a superuser can run etl migrate', current_user;
END
$locks$;
