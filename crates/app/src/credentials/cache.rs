//! Opened credentials, kept briefly so that hot paths skip the database and the cipher.
//!
//! A read that misses loads from the database outside any lock, so a write can land between
//! its load and its insert. Every write and delete bumps a counter before invalidating; a
//! reader that sees the counter move while it loaded removes what it just inserted. Whichever
//! way the two interleave, the stale value does not stay.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use deskgate_core::{ConnectionId, TenantId};

use crate::credentials::Credentials;

type Key = (TenantId, ConnectionId);

pub(crate) struct CredentialCache {
    /// `None` when the configured time to live is zero.
    entries: Option<moka::future::Cache<Key, Arc<Credentials>>>,
    writes: AtomicU64,
}

/// The write counter as seen before a load.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Generation(u64);

impl CredentialCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        let entries = crate::app::ttl_cache(ttl);
        Self {
            entries,
            writes: AtomicU64::new(0),
        }
    }

    pub(crate) async fn get(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
    ) -> Option<Arc<Credentials>> {
        self.entries.as_ref()?.get(&(tenant, connection)).await
    }

    /// Call before loading from the database.
    pub(crate) fn generation(&self) -> Generation {
        Generation(self.writes.load(Ordering::SeqCst))
    }

    /// Keeps a loaded value unless a write happened since `seen`.
    pub(crate) async fn insert(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
        value: Arc<Credentials>,
        seen: Generation,
    ) {
        let Some(entries) = &self.entries else { return };
        if self.writes.load(Ordering::SeqCst) != seen.0 {
            return;
        }
        entries.insert((tenant, connection), value).await;
        if self.writes.load(Ordering::SeqCst) != seen.0 {
            entries.invalidate(&(tenant, connection)).await;
        }
    }

    /// Call after a write or delete has committed.
    pub(crate) async fn invalidate(&self, tenant: TenantId, connection: ConnectionId) {
        self.writes.fetch_add(1, Ordering::SeqCst);
        if let Some(entries) = &self.entries {
            entries.invalidate(&(tenant, connection)).await;
        }
    }
}

impl fmt::Debug for CredentialCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialCache")
            .field("enabled", &self.entries.is_some())
            .field(
                "entries",
                &self
                    .entries
                    .as_ref()
                    .map_or(0, moka::future::Cache::entry_count),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_write_during_a_load_keeps_the_loaded_value_out() {
        let cache = CredentialCache::new(Duration::from_secs(60));
        let (tenant, connection) = (TenantId::new(), ConnectionId::new());
        let seen = cache.generation();
        cache.invalidate(tenant, connection).await;
        cache
            .insert(tenant, connection, Arc::new(Credentials::new()), seen)
            .await;
        assert!(cache.get(tenant, connection).await.is_none());

        let seen = cache.generation();
        cache
            .insert(tenant, connection, Arc::new(Credentials::new()), seen)
            .await;
        assert!(cache.get(tenant, connection).await.is_some());
    }

    #[tokio::test]
    async fn zero_time_to_live_disables_the_cache() {
        let cache = CredentialCache::new(Duration::ZERO);
        let (tenant, connection) = (TenantId::new(), ConnectionId::new());
        let seen = cache.generation();
        cache
            .insert(tenant, connection, Arc::new(Credentials::new()), seen)
            .await;
        assert!(cache.get(tenant, connection).await.is_none());
    }
}
