-- The feed's views are new objects each time these files run: grant them again to the feed
-- role, when `etl national feed-role` has made it (it grants the same when it does).
-- national_feed reads schema national_feed and nothing else (migration 050).
DO $$ BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'national_feed') THEN
        GRANT USAGE ON SCHEMA national_feed TO national_feed;
        GRANT SELECT ON ALL TABLES IN SCHEMA national_feed TO national_feed;
    END IF;
END $$;
