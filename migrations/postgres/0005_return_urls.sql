-- The URLs a tenant registers for its customers to come back to after a connect session:
-- compared exactly, never by prefix or wildcard.
CREATE TABLE return_urls (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    url text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, url)
);

ALTER TABLE return_urls ENABLE ROW LEVEL SECURITY;
ALTER TABLE return_urls FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON return_urls
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY operator_access ON return_urls
    USING (current_setting('app.scope', true) = 'operator');
