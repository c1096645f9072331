-- The metrics views read small per-load tables; JIT compilation (PostgreSQL's default for
-- queries it guesses to be costly) would spend a second compiling what runs in a millisecond.
DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'not the database owner: jit left as it is (the views stay correct, only slower to plan)';
END $$;
