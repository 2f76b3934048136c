-- The vault's key check values: one public fingerprint per key version, recorded the first
-- time a version is configured, so that a wrong or missing key refuses to boot instead of
-- failing at the first decryption. Not tenant data: no row-level security.

CREATE TABLE vault_keys (
    version integer PRIMARY KEY CHECK (version > 0),
    check_value bytea NOT NULL,
    created_at timestamptz NOT NULL
);
