-- The unified API: connection health fields, the refresh lease, idempotency records and
-- the rate-limit blocks every replica honours.

ALTER TABLE connections ADD COLUMN token_expires_at timestamptz;
ALTER TABLE connections ADD COLUMN status_detail text;
-- Non-secret settings of the connection (an OAuth scope, a region).
ALTER TABLE connections ADD COLUMN settings jsonb NOT NULL DEFAULT '{}';
CREATE INDEX connections_by_external_ref ON connections (tenant_id, external_ref);

-- The first response to a write with an `Idempotency-Key`, replayed for 24 hours.
CREATE TABLE idempotency_keys (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key text NOT NULL,
    request_hash bytea NOT NULL,
    -- NULL while the first request is in flight.
    response_status integer,
    response_body bytea,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_at);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY operator_access ON idempotency_keys
    USING (current_setting('app.scope', true) = 'operator');

-- An upstream account (`zendesk:acme`) blocked after a 429, shared by every replica. Not
-- tenant data: two tenants connected to one vendor account share its budget.
CREATE TABLE upstream_blocks (
    budget_key text PRIMARY KEY,
    -- Milliseconds since the Unix epoch: compared numerically on both backends.
    blocked_until_ms bigint NOT NULL
);
