-- Change events: each connection's sync (its cursor in the vendor's change feed, its lease,
-- what it knows of each ticket), the ordered event log, the tenant's webhook endpoints, and
-- the outbox of deliveries with every attempt.

-- The tenant's default for its connections' syncs; a connection may override both values.
CREATE TABLE sync_settings (
    tenant_id BLOB PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    enabled INTEGER NOT NULL,
    interval_secs INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

-- One connection's sync. `cursor` is the connector's position in the change feed; it
-- advances only in the transaction that records the events it produced. One replica holds
-- the lease at a time. `requested_at` is when a vendor webhook last asked for a run (one that
-- arrives during a run makes another follow it at once). The hook token (the secret in
-- `/hooks/{provider}/{token}`) is stored as a SHA-256 digest; the vendor's signing secret is
-- sealed by the vault (purpose `hook_secret`, bound to tenant and connection).
CREATE TABLE syncs (
    connection_id BLOB PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    tenant_id BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    enabled INTEGER,
    interval_secs INTEGER,
    backfill INTEGER NOT NULL DEFAULT 0,
    cursor TEXT,
    baseline_at TEXT,
    next_run_at TEXT NOT NULL,
    requested_at TEXT,
    lease_owner TEXT,
    lease_until TEXT,
    last_run_at TEXT,
    last_success_at TEXT,
    last_error TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    hook_token_hash BLOB UNIQUE,
    hook_secret BLOB,
    hook_secret_key_version INTEGER,
    hooks_accepted INTEGER NOT NULL DEFAULT 0,
    hooks_refused INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX syncs_due ON syncs (next_run_at);
CREATE INDEX syncs_by_key_version ON syncs (hook_secret_key_version);

-- What the sync last saw of each ticket: a hash per normalized field (to name the fields
-- that changed without keeping their values) and the newest comment seen.
CREATE TABLE sync_items (
    connection_id BLOB NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    tenant_id BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    remote_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    comments_mark TEXT,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (connection_id, remote_id)
);

-- The event log, in order: `seq` is assigned by SQLite, which has one writer at a
-- time, so events commit in `seq` order and a reader's cursor never skips one.
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    tenant_id BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    connection_id BLOB,
    type TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX events_by_tenant ON events (tenant_id, seq);
CREATE INDEX events_by_time ON events (occurred_at);

-- One row per tenant, updated by every append: on PostgreSQL its row lock makes a tenant's
-- appends take `seq` values one transaction after another.
CREATE TABLE event_heads (
    tenant_id BLOB PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    appended INTEGER NOT NULL
);

-- A tenant's webhook endpoint. `event_types` is `*` or `,a,b,` (matched with LIKE on both
-- backends). The signing secret is sealed (purpose `webhook_secret`, bound to tenant and
-- endpoint); after a rotation the previous one signs too until `previous_secret_until`.
CREATE TABLE webhook_endpoints (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    description TEXT,
    event_types TEXT NOT NULL,
    connection_id BLOB,
    enabled INTEGER NOT NULL,
    disabled_reason TEXT,
    secret BLOB NOT NULL,
    secret_key_version INTEGER NOT NULL,
    previous_secret BLOB,
    previous_secret_key_version INTEGER,
    previous_secret_until TEXT,
    failing_since TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX webhook_endpoints_by_tenant ON webhook_endpoints (tenant_id, id);
CREATE INDEX webhook_endpoints_by_key_version ON webhook_endpoints (secret_key_version);

-- The outbox: one row per (endpoint, event), its key, written in the transaction that appends the
-- event. Workers on every replica claim due rows exclusively; a claim held by a dead replica
-- expires and the row is claimed again.
CREATE TABLE deliveries (
    tenant_id BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    endpoint_id BLOB NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_seq INTEGER NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    claimed_by TEXT,
    claim_until TEXT,
    last_status INTEGER,
    last_error TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    PRIMARY KEY (endpoint_id, event_seq)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_by_endpoint ON deliveries (tenant_id, endpoint_id, event_seq);
-- An endpoint's queue, earliest first: its next delivery, and whether one is in flight.
CREATE INDEX deliveries_pending_by_endpoint ON deliveries (endpoint_id, event_seq)
    WHERE status = 'pending';

CREATE TABLE delivery_attempts (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    endpoint_id BLOB NOT NULL,
    event_seq INTEGER NOT NULL,
    attempted_at TEXT NOT NULL,
    status_code INTEGER,
    duration_ms INTEGER NOT NULL,
    error TEXT,
    replica TEXT NOT NULL,
    FOREIGN KEY (endpoint_id, event_seq) REFERENCES deliveries (endpoint_id, event_seq) ON DELETE CASCADE
);
CREATE INDEX delivery_attempts_by_endpoint ON delivery_attempts (tenant_id, endpoint_id, id);
CREATE INDEX delivery_attempts_by_delivery ON delivery_attempts (endpoint_id, event_seq);

-- A stored answer to a write with an Idempotency-Key may show a secret once (a new webhook
-- endpoint's signing secret, a new API key): such answers are now kept sealed by the vault
-- (purpose `idempotency_response`, bound to tenant and key). Records written before are
-- plain and expire within a day.
ALTER TABLE idempotency_keys ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
