//! [`BlockRegistry`]: shares "this account is blocked until T" between replicas.
//!
//! The engine writes once per 429 and reads each account back at most every
//! `budget.registry_refresh_ms`. The application implements it over its database; this crate
//! ships [`MemoryBlockRegistry`] for a single node and for tests.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::key::BudgetKey;

/// A failure of the shared store; the engine logs it and goes on with what it knows locally.
pub type RegistryError = Box<dyn std::error::Error + Send + Sync>;

#[async_trait]
pub trait BlockRegistry: Send + Sync + fmt::Debug + 'static {
    /// The latest blocked-until stored for `key`, if any (past values may be returned).
    async fn load(&self, key: &BudgetKey) -> Result<Option<DateTime<Utc>>, RegistryError>;
    /// Records that `key` is blocked until `until`. Implementations keep the later of the
    /// stored and the new value (`GREATEST` in SQL), so replicas never shorten a block.
    async fn store(&self, key: &BudgetKey, until: DateTime<Utc>) -> Result<(), RegistryError>;
}

/// An in-process registry: for a single node, and for tests that play several replicas by
/// sharing one.
#[derive(Debug, Default)]
pub struct MemoryBlockRegistry {
    blocks: Mutex<HashMap<BudgetKey, DateTime<Utc>>>,
}

impl MemoryBlockRegistry {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl BlockRegistry for MemoryBlockRegistry {
    async fn load(&self, key: &BudgetKey) -> Result<Option<DateTime<Utc>>, RegistryError> {
        let blocks = self
            .blocks
            .lock()
            .map_err(|_| "block registry lock poisoned")?;
        Ok(blocks.get(key).copied())
    }

    async fn store(&self, key: &BudgetKey, until: DateTime<Utc>) -> Result<(), RegistryError> {
        let mut blocks = self
            .blocks
            .lock()
            .map_err(|_| "block registry lock poisoned")?;
        // Blocks that ended an hour before this one are dropped on every store, so the map
        // holds only accounts blocked recently.
        blocks.retain(|_, stored| *stored > until - chrono::Duration::hours(1));
        let entry = blocks.entry(key.clone()).or_insert(until);
        *entry = (*entry).max(until);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_store_never_shortens_a_block() {
        let registry = MemoryBlockRegistry::new();
        let key = BudgetKey::new("zendesk", "acme").unwrap();
        let later = DateTime::from_timestamp(1_700_000_100, 0).unwrap();
        let earlier = DateTime::from_timestamp(1_700_000_050, 0).unwrap();
        registry.store(&key, later).await.unwrap();
        registry.store(&key, earlier).await.unwrap();
        assert_eq!(registry.load(&key).await.unwrap(), Some(later));
    }
}
