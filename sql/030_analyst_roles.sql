-- Analyst roles carry a mark (Sources/Load/AnalystRole.swift): membership of etl_analyst,
-- this comment, and no power of their own. `etl warehouse analyst` changes no other role.
-- Marks the roles earlier versions made (login members of etl_analyst with no powers), and undoes
-- what those versions could be talked into: etl_analyst made a LOGIN with a password, a
-- superuser made a member of it (which would have let it in over TCP).
DO $$
DECLARE
    marker constant text := 'etl analyst role: made by `etl warehouse analyst`; reads schema metrics only';
    r record;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'etl_analyst') THEN
        RETURN;
    END IF;
    BEGIN
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'etl_analyst' AND rolcanlogin) THEN
            ALTER ROLE etl_analyst NOLOGIN PASSWORD NULL;
        END IF;
        FOR r IN
            SELECT m.oid, m.rolname, m.rolsuper OR m.rolcreaterole OR m.rolcreatedb OR m.rolreplication OR m.rolbypassrls AS powerful,
                   m.rolcanlogin
            FROM pg_auth_members am
            JOIN pg_roles g ON g.oid = am.roleid AND g.rolname = 'etl_analyst'
            JOIN pg_roles m ON m.oid = am.member
        LOOP
            IF r.powerful THEN
                EXECUTE format('REVOKE etl_analyst FROM %I', r.rolname);
                RAISE NOTICE 'role % has powers of its own: no longer a member of etl_analyst', r.rolname;
            ELSIF r.rolcanlogin AND shobj_description(r.oid, 'pg_authid') IS NULL THEN
                EXECUTE format('COMMENT ON ROLE %I IS %L', r.rolname, marker);
            END IF;
        END LOOP;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'no CREATEROLE privilege: analyst roles not checked; run etl migrate as the superuser';
    END;
END $$;
