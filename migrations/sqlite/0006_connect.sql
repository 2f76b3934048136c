-- What a tenant's end customer needs to connect a helpdesk in one visit: the tenant's own
-- OAuth app per provider, connect sessions (the hosted page's short-lived link) and OAuth
-- sessions (one authorize round trip each).

-- The tenant's OAuth client per provider. The secret is sealed by the vault (purpose
-- `oauth_client_secret`, bound to tenant and app id) and never returned.
CREATE TABLE oauth_apps (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_secret BLOB,
    key_version INTEGER,
    scopes TEXT,
    revision INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, provider)
);
CREATE INDEX oauth_apps_by_key_version ON oauth_apps (key_version);

-- A connect session: the token in its URL is stored only as a SHA-256 digest.
CREATE TABLE connect_sessions (
    id BLOB PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    token_hash BLOB NOT NULL UNIQUE,
    end_user_ref TEXT NOT NULL,
    end_user_email TEXT,
    end_user_name TEXT,
    allowed_providers TEXT NOT NULL,
    return_url TEXT NOT NULL,
    reauthorize_id BLOB,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    connection_id BLOB,
    completed_at TEXT,
    last_error TEXT,
    revoked_at TEXT
);
CREATE INDEX connect_sessions_by_tenant ON connect_sessions (tenant_id, id);

-- One OAuth authorize round trip. `state` is stored as a SHA-256 digest and consumed once;
-- the PKCE verifier (and a client secret the customer typed) are sealed by the vault
-- (purpose `oauth_session_secret`, bound to tenant and this session's id).
CREATE TABLE oauth_sessions (
    id BLOB PRIMARY KEY,
    state_hash BLOB NOT NULL UNIQUE,
    tenant_id BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    connect_session_id BLOB NOT NULL REFERENCES connect_sessions (id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    account_label TEXT NOT NULL,
    token_url TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    client_id TEXT NOT NULL,
    scopes TEXT,
    own_client INTEGER NOT NULL,
    verifier BLOB NOT NULL,
    client_secret BLOB,
    popup INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    consumed_at TEXT
);
CREATE INDEX oauth_sessions_by_expiry ON oauth_sessions (expires_at);
