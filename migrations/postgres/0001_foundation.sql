-- Tenants, their API keys, connections, sealed credentials and the audit log.
--
-- Row-level security is the second line behind the code's own tenant checks: every tenant
-- table is ENABLE + FORCE, visible only to the tenant named by the transaction-local setting
-- `app.tenant_id`, or to operator tasks that set `app.scope = 'operator'`.

CREATE TABLE tenants (
    id uuid PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL
);

CREATE TABLE api_keys (
    id text PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name text NOT NULL,
    digest bytea NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, id);

CREATE TABLE connections (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    provider text NOT NULL,
    account_label text NOT NULL,
    auth_kind text NOT NULL,
    status text NOT NULL,
    external_ref text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    lease_until timestamptz,
    UNIQUE (tenant_id, id)
);
CREATE INDEX connections_by_tenant ON connections (tenant_id, id);

-- One sealed blob per (connection, field). `revision` makes concurrent re-wraps and writes
-- compare-and-swap instead of last-writer-wins.
CREATE TABLE credentials (
    tenant_id uuid NOT NULL,
    connection_id uuid NOT NULL,
    field text NOT NULL,
    sealed bytea NOT NULL,
    key_version integer NOT NULL,
    revision bigint NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (connection_id, field),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX credentials_by_key_version ON credentials (key_version);

CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id uuid,
    at timestamptz NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    target text,
    request_id text,
    detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Row-level security.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY operator_access ON tenants
    USING (current_setting('app.scope', true) = 'operator');

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY operator_access ON api_keys
    USING (current_setting('app.scope', true) = 'operator');
-- Authentication reads one key by its id before the tenant is known.
CREATE POLICY key_lookup ON api_keys FOR SELECT
    USING (current_setting('app.scope', true) = 'authenticate');

ALTER TABLE connections ENABLE ROW LEVEL SECURITY;
ALTER TABLE connections FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON connections
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY operator_access ON connections
    USING (current_setting('app.scope', true) = 'operator');

ALTER TABLE credentials ENABLE ROW LEVEL SECURITY;
ALTER TABLE credentials FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON credentials
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY operator_access ON credentials
    USING (current_setting('app.scope', true) = 'operator');

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY operator_access ON audit_log
    USING (current_setting('app.scope', true) = 'operator');
