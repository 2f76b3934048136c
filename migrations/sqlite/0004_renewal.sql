-- The background renewal looks for active connections whose token expires soon, across
-- tenants, every minute on every replica.
CREATE INDEX connections_renewal ON connections (token_expires_at)
    WHERE token_expires_at IS NOT NULL AND status = 'active';
