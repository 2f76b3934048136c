//! Upstream accounts blocked after a 429, shared by every replica.

use chrono::{DateTime, Utc};

use crate::{Scope, Store, StoreError};

impl Store {
    /// When `budget_key` (`zendesk:acme`) is blocked until, if it was ever blocked.
    pub async fn upstream_block(
        &self,
        budget_key: &str,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let ms: Option<i64> = scoped!(self, Scope::Operator, |conn| {
            sqlx::query_scalar("SELECT blocked_until_ms FROM upstream_blocks WHERE budget_key = $1")
                .bind(budget_key)
                .fetch_optional(conn)
                .await?
        });
        Ok(ms.and_then(DateTime::from_timestamp_millis))
    }

    /// Blocks `budget_key` until `until`, or later if another replica already blocked it
    /// for longer.
    pub async fn block_upstream(
        &self,
        budget_key: &str,
        until: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        scoped!(self, Scope::Operator, |conn| {
            sqlx::query(
                "INSERT INTO upstream_blocks (budget_key, blocked_until_ms) VALUES ($1, $2) \
                 ON CONFLICT (budget_key) DO UPDATE SET blocked_until_ms = CASE \
                 WHEN excluded.blocked_until_ms > upstream_blocks.blocked_until_ms \
                 THEN excluded.blocked_until_ms ELSE upstream_blocks.blocked_until_ms END",
            )
            .bind(budget_key)
            .bind(until.timestamp_millis())
            .execute(conn)
            .await?
            .rows_affected()
        });
        Ok(())
    }
}
