-- What a tenant's end customer needs to connect a helpdesk in one visit: the tenant's own
-- OAuth app per provider, connect sessions (the hosted page's short-lived link) and OAuth
-- sessions (one authorize round trip each).

-- The tenant's OAuth client per provider. The secret is sealed by the vault (purpose
-- `oauth_client_secret`, bound to tenant and app id) and never returned.
CREATE TABLE oauth_apps (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    provider text NOT NULL,
    client_id text NOT NULL,
    client_secret bytea,
    key_version integer,
    scopes text,
    revision bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    UNIQUE (tenant_id, provider)
);
CREATE INDEX oauth_apps_by_key_version ON oauth_apps (key_version);

-- A connect session: the token in its URL is stored only as a SHA-256 digest.
CREATE TABLE connect_sessions (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    end_user_ref text NOT NULL,
    end_user_email text,
    end_user_name text,
    allowed_providers text NOT NULL,
    return_url text NOT NULL,
    reauthorize_id uuid,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    connection_id uuid,
    completed_at timestamptz,
    last_error text,
    revoked_at timestamptz
);
CREATE INDEX connect_sessions_by_tenant ON connect_sessions (tenant_id, id);

-- One OAuth authorize round trip. `state` is stored as a SHA-256 digest and consumed once;
-- the PKCE verifier (and a client secret the customer typed) are sealed by the vault
-- (purpose `oauth_session_secret`, bound to tenant and this session's id).
CREATE TABLE oauth_sessions (
    id uuid PRIMARY KEY,
    state_hash bytea NOT NULL UNIQUE,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    connect_session_id uuid NOT NULL REFERENCES connect_sessions (id) ON DELETE CASCADE,
    provider text NOT NULL,
    account_label text NOT NULL,
    token_url text NOT NULL,
    redirect_uri text NOT NULL,
    client_id text NOT NULL,
    scopes text,
    own_client boolean NOT NULL,
    verifier bytea NOT NULL,
    client_secret bytea,
    popup boolean NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    consumed_at timestamptz
);
CREATE INDEX oauth_sessions_by_expiry ON oauth_sessions (expires_at);

ALTER TABLE oauth_apps ENABLE ROW LEVEL SECURITY;
ALTER TABLE oauth_apps FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON oauth_apps
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY operator_access ON oauth_apps
    USING (current_setting('app.scope', true) = 'operator');

ALTER TABLE connect_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE connect_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON connect_sessions
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY operator_access ON connect_sessions
    USING (current_setting('app.scope', true) = 'operator');
-- The hosted page reads one session by its token's digest before the tenant is known.
CREATE POLICY token_lookup ON connect_sessions FOR SELECT
    USING (current_setting('app.scope', true) = 'authenticate');

ALTER TABLE oauth_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE oauth_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON oauth_sessions
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY operator_access ON oauth_sessions
    USING (current_setting('app.scope', true) = 'operator');
-- The callback consumes one session by its state's digest before the tenant is known.
CREATE POLICY state_lookup ON oauth_sessions
    USING (current_setting('app.scope', true) = 'authenticate');
