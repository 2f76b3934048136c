//! Connection rows, kept for a moment so that a busy connection's calls do not each read
//! the database (on SQLite that read was the largest cost of a passthrough call).
//!
//! Only the call path (`App::connection_for_call`) reads through it, and only for rows
//! whose token does not expire (API tokens): renewal across replicas is coordinated through
//! the row, so rows of expiring tokens are read on every call. Every write on this replica
//! (status, credentials, renewal, deletion) invalidates at once; a change made on another
//! replica is seen within the time to live, as with the credential and API key caches. A read that misses loads outside any lock; a write landing between
//! its load and its insert bumps a counter, and the reader then drops what it inserted.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use deskgate_core::{ConnectionId, TenantId};

use crate::connections::Connection;

type Key = (TenantId, ConnectionId);

pub(crate) struct ConnectionCache {
    /// `None` when the configured time to live is zero.
    entries: Option<moka::future::Cache<Key, Connection>>,
    writes: AtomicU64,
}

impl std::fmt::Debug for ConnectionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionCache")
            .field("entries", &self.entries.as_ref().map(|c| c.entry_count()))
            .finish_non_exhaustive()
    }
}

/// The write counter as seen before a load.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Generation(u64);

impl ConnectionCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        let entries = crate::app::ttl_cache(ttl);
        Self {
            entries,
            writes: AtomicU64::new(0),
        }
    }

    pub(crate) async fn get(&self, tenant: TenantId, id: ConnectionId) -> Option<Connection> {
        self.entries.as_ref()?.get(&(tenant, id)).await
    }

    /// Call before loading from the database.
    pub(crate) fn generation(&self) -> Generation {
        Generation(self.writes.load(Ordering::SeqCst))
    }

    /// Keeps a loaded row unless a write happened since `seen`.
    pub(crate) async fn insert(&self, connection: &Connection, seen: Generation) {
        let Some(entries) = &self.entries else {
            return;
        };
        let key = (connection.tenant_id, connection.id);
        entries.insert(key, connection.clone()).await;
        if self.writes.load(Ordering::SeqCst) != seen.0 {
            entries.invalidate(&key).await;
        }
    }

    /// Call after every write to the connection's row or credentials.
    pub(crate) async fn invalidate(&self, tenant: TenantId, id: ConnectionId) {
        self.writes.fetch_add(1, Ordering::SeqCst);
        if let Some(entries) = &self.entries {
            entries.invalidate(&(tenant, id)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> Connection {
        Connection::for_tests()
    }

    #[tokio::test]
    async fn a_cached_row_is_served_until_a_write_invalidates_it() {
        let cache = ConnectionCache::new(Duration::from_secs(60));
        let c = row();
        cache.insert(&c, cache.generation()).await;
        assert_eq!(cache.get(c.tenant_id, c.id).await, Some(c.clone()));
        assert_eq!(cache.get(TenantId::new(), c.id).await, None);
        cache.invalidate(c.tenant_id, c.id).await;
        assert_eq!(cache.get(c.tenant_id, c.id).await, None);
    }

    #[tokio::test]
    async fn a_write_during_a_load_keeps_the_loaded_row_out() {
        let cache = ConnectionCache::new(Duration::from_secs(60));
        let c = row();
        let seen = cache.generation();
        cache.invalidate(c.tenant_id, c.id).await;
        cache.insert(&c, seen).await;
        assert_eq!(cache.get(c.tenant_id, c.id).await, None);
    }

    #[tokio::test]
    async fn zero_time_to_live_disables_the_cache() {
        let cache = ConnectionCache::new(Duration::ZERO);
        let c = row();
        cache.insert(&c, cache.generation()).await;
        assert_eq!(cache.get(c.tenant_id, c.id).await, None);
    }
}
