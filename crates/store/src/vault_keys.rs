//! The vault's key check values: a public fingerprint per key version, never a key.
//!
//! Not tenant data, so not under row-level security; operator scope all the same.

use chrono::{DateTime, Utc};

use crate::{Scope, Store, StoreError};

/// The check value recorded for one key version.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct KeyCheckRecord {
    pub version: i32,
    pub check_value: Vec<u8>,
    pub created_at: DateTime<Utc>,
}

impl Store {
    /// Every recorded check value, by ascending version.
    pub async fn vault_check_values(&self) -> Result<Vec<KeyCheckRecord>, StoreError> {
        Ok(scoped!(self, Scope::Operator, |conn| {
            sqlx::query_as::<_, KeyCheckRecord>(
                "SELECT version, check_value, created_at FROM vault_keys ORDER BY version",
            )
            .fetch_all(conn)
            .await?
        }))
    }

    /// Records check values of versions seen for the first time. A version already recorded
    /// keeps its first value, so replicas booting at once agree on one; the caller reads the
    /// table again and verifies against what won. Returns how many were inserted.
    pub async fn record_vault_check_values(
        &self,
        values: &[(i32, Vec<u8>)],
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(scoped!(self, Scope::Operator, |conn| {
            let mut inserted = 0;
            for (version, check_value) in values {
                inserted += sqlx::query(
                    "INSERT INTO vault_keys (version, check_value, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (version) DO NOTHING",
                )
                .bind(version)
                .bind(check_value)
                .bind(at)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            }
            inserted
        }))
    }
}
