-- The vault's key check values: one public fingerprint per key version, recorded the first
-- time a version is configured, so that a wrong or missing key refuses to boot instead of
-- failing at the first decryption.

CREATE TABLE vault_keys (
    version INTEGER PRIMARY KEY NOT NULL CHECK (version > 0),
    check_value BLOB NOT NULL,
    created_at TEXT NOT NULL
);
