-- The URLs a tenant registers for its customers to come back to after a connect session:
-- compared exactly, never by prefix or wildcard.
CREATE TABLE return_urls (
    tenant_id BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, url)
);
