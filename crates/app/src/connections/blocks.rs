use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deskgate_store::Store;
use deskgate_upstream::{BlockRegistry, BudgetKey, RegistryError};

/// Upstream accounts blocked after a 429, in the database, so every replica honours a block
/// any of them learned.
#[derive(Clone, Debug)]
pub struct StoreBlockRegistry {
    store: Store,
}

impl StoreBlockRegistry {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

#[async_trait]
impl BlockRegistry for StoreBlockRegistry {
    async fn load(&self, key: &BudgetKey) -> Result<Option<DateTime<Utc>>, RegistryError> {
        Ok(self.store.upstream_block(key.as_str()).await?)
    }

    async fn store(&self, key: &BudgetKey, until: DateTime<Utc>) -> Result<(), RegistryError> {
        Ok(self.store.block_upstream(key.as_str(), until).await?)
    }
}
