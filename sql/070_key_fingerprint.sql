-- The pseudonym key a warehouse's runs are extracted with, as the state directory records it
-- (pseudonym.key-fingerprint): a run from a state directory lost, not mounted or another one
-- would otherwise extract under a new key and publish every child under a new pseudonym (an
-- adversarial review, 2026-12-03). Recorded by the first extract after this migration; NULL
-- until then. `etl run --new-key` replaces it on purpose.
ALTER TABLE etl.warehouse ADD COLUMN key_fingerprint text;
COMMENT ON COLUMN etl.warehouse.key_fingerprint IS 'The fingerprint of the pseudonym key the runs are extracted with (16 hex digits of an HMAC under it; they say nothing of the key)';
