-- Change events: each connection's sync (its cursor in the vendor's change feed, its lease,
-- what it knows of each ticket), the ordered event log, the tenant's webhook endpoints, and
-- the outbox of deliveries with every attempt.

-- The tenant's default for its connections' syncs; a connection may override both values.
CREATE TABLE sync_settings (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    enabled boolean NOT NULL,
    interval_secs integer NOT NULL,
    updated_at timestamptz NOT NULL
);

-- One connection's sync. `cursor` is the connector's position in the change feed; it
-- advances only in the transaction that records the events it produced. One replica holds
-- the lease at a time. `requested_at` is when a vendor webhook last asked for a run (one that
-- arrives during a run makes another follow it at once). The hook token (the secret in
-- `/hooks/{provider}/{token}`) is stored as a SHA-256 digest; the vendor's signing secret is
-- sealed by the vault (purpose `hook_secret`, bound to tenant and connection).
CREATE TABLE syncs (
    connection_id uuid PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    enabled boolean,
    interval_secs integer,
    backfill boolean NOT NULL DEFAULT false,
    cursor text,
    baseline_at timestamptz,
    next_run_at timestamptz NOT NULL,
    requested_at timestamptz,
    lease_owner text,
    lease_until timestamptz,
    last_run_at timestamptz,
    last_success_at timestamptz,
    last_error text,
    failures integer NOT NULL DEFAULT 0,
    hook_token_hash bytea UNIQUE,
    hook_secret bytea,
    hook_secret_key_version integer,
    hooks_accepted bigint NOT NULL DEFAULT 0,
    hooks_refused bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX syncs_due ON syncs (next_run_at);
CREATE INDEX syncs_by_key_version ON syncs (hook_secret_key_version);

-- What the sync last saw of each ticket: a hash per normalized field (to name the fields
-- that changed without keeping their values) and the newest comment seen.
CREATE TABLE sync_items (
    connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    remote_id text NOT NULL,
    fingerprint text NOT NULL,
    comments_mark text,
    seen_at timestamptz NOT NULL,
    PRIMARY KEY (connection_id, remote_id)
);

-- The event log, in order: `seq` is assigned under the tenant's `event_heads` row lock, so a
-- tenant's events commit in `seq` order and a reader's cursor never skips one.
CREATE TABLE events (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    connection_id uuid,
    type text NOT NULL,
    occurred_at timestamptz NOT NULL,
    data text NOT NULL
);
CREATE INDEX events_by_tenant ON events (tenant_id, seq);
CREATE INDEX events_by_time ON events (occurred_at);

-- One row per tenant, updated by every append: on PostgreSQL its row lock makes a tenant's
-- appends take `seq` values one transaction after another.
CREATE TABLE event_heads (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    appended bigint NOT NULL
);

-- A tenant's webhook endpoint. `event_types` is `*` or `,a,b,` (matched with LIKE on both
-- backends). The signing secret is sealed (purpose `webhook_secret`, bound to tenant and
-- endpoint); after a rotation the previous one signs too until `previous_secret_until`.
CREATE TABLE webhook_endpoints (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    url text NOT NULL,
    description text,
    event_types text NOT NULL,
    connection_id uuid,
    enabled boolean NOT NULL,
    disabled_reason text,
    secret bytea NOT NULL,
    secret_key_version integer NOT NULL,
    previous_secret bytea,
    previous_secret_key_version integer,
    previous_secret_until timestamptz,
    failing_since timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX webhook_endpoints_by_tenant ON webhook_endpoints (tenant_id, id);
CREATE INDEX webhook_endpoints_by_key_version ON webhook_endpoints (secret_key_version);

-- The outbox: one row per (endpoint, event), its key, written in the transaction that appends the
-- event. Workers on every replica claim due rows exclusively; a claim held by a dead replica
-- expires and the row is claimed again.
CREATE TABLE deliveries (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_seq bigint NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
    status text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    claimed_by text,
    claim_until timestamptz,
    last_status integer,
    last_error text,
    created_at timestamptz NOT NULL,
    delivered_at timestamptz,
    PRIMARY KEY (endpoint_id, event_seq)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_by_endpoint ON deliveries (tenant_id, endpoint_id, event_seq);
-- An endpoint's queue, earliest first: its next delivery, and whether one is in flight.
CREATE INDEX deliveries_pending_by_endpoint ON deliveries (endpoint_id, event_seq)
    WHERE status = 'pending';

CREATE TABLE delivery_attempts (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    endpoint_id uuid NOT NULL,
    event_seq bigint NOT NULL,
    attempted_at timestamptz NOT NULL,
    status_code integer,
    duration_ms integer NOT NULL,
    error text,
    replica text NOT NULL,
    FOREIGN KEY (endpoint_id, event_seq) REFERENCES deliveries (endpoint_id, event_seq) ON DELETE CASCADE
);
CREATE INDEX delivery_attempts_by_endpoint ON delivery_attempts (tenant_id, endpoint_id, id);
CREATE INDEX delivery_attempts_by_delivery ON delivery_attempts (endpoint_id, event_seq);

ALTER TABLE sync_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sync_settings
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY operator_access ON sync_settings
    USING (current_setting('app.scope', true) = 'operator');

ALTER TABLE syncs ENABLE ROW LEVEL SECURITY;
ALTER TABLE syncs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON syncs
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY operator_access ON syncs
    USING (current_setting('app.scope', true) = 'operator');
-- A vendor webhook finds its connection by the digest of the path token.
CREATE POLICY hook_lookup ON syncs FOR SELECT
    USING (current_setting('app.scope', true) = 'authenticate');

ALTER TABLE sync_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_items FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sync_items
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY operator_access ON sync_items
    USING (current_setting('app.scope', true) = 'operator');

ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON events
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY operator_access ON events
    USING (current_setting('app.scope', true) = 'operator');

ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_endpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_endpoints
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY operator_access ON webhook_endpoints
    USING (current_setting('app.scope', true) = 'operator');

ALTER TABLE deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON deliveries
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY operator_access ON deliveries
    USING (current_setting('app.scope', true) = 'operator');

ALTER TABLE delivery_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE delivery_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON delivery_attempts
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY operator_access ON delivery_attempts
    USING (current_setting('app.scope', true) = 'operator');

ALTER TABLE event_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE event_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON event_heads
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY operator_access ON event_heads
    USING (current_setting('app.scope', true) = 'operator');

-- A stored answer to a write with an Idempotency-Key may show a secret once (a new webhook
-- endpoint's signing secret, a new API key): such answers are now kept sealed by the vault
-- (purpose `idempotency_response`, bound to tenant and key). Records written before are
-- plain and expire within a day.
ALTER TABLE idempotency_keys ADD COLUMN sealed boolean NOT NULL DEFAULT false;
