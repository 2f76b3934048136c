-- The unified API: connection health fields, the refresh lease, idempotency records and
-- the rate-limit blocks.

ALTER TABLE connections ADD COLUMN token_expires_at TEXT;
ALTER TABLE connections ADD COLUMN status_detail TEXT;
-- Non-secret settings of the connection (an OAuth scope, a region).
ALTER TABLE connections ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
CREATE INDEX connections_by_external_ref ON connections (tenant_id, external_ref);

CREATE TABLE idempotency_keys (
    tenant_id BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    response_status INTEGER,
    response_body BLOB,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_at);

CREATE TABLE upstream_blocks (
    budget_key TEXT PRIMARY KEY NOT NULL,
    blocked_until_ms INTEGER NOT NULL
);
