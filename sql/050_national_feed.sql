-- The national feed (issue 18, docs/national.md): per-load aggregates of the published load,
-- which a national coordinator reads through postgres_fdw as the login role national_feed
-- (made by `etl national feed-role`, let in over TCP with SCRAM by the embedded server's
-- pg_hba.conf). The schema holds views only (sql/views/80_national_feed.sql), granted to that
-- role alone (sql/views/84_national_feed_grants.sql): never a child key, a birth date, a
-- single event, or an institution with a cell of fewer than small_cell_minimum children.
CREATE SCHEMA IF NOT EXISTS national_feed;
REVOKE ALL ON SCHEMA national_feed FROM PUBLIC;
COMMENT ON SCHEMA national_feed IS 'What leaves this warehouse for the national figures: aggregates of the published load only (docs/national.md). Read by the role national_feed.';
