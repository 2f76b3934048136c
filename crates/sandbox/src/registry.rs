//! One vendor's accounts by label, shared by every request: lookups clone an `Arc`, so no
//! request holds the map's lock while it works.

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock};

#[derive(Debug)]
pub(crate) struct Registry<A> {
    accounts: RwLock<BTreeMap<String, Arc<A>>>,
}

impl<A> Registry<A> {
    pub(crate) fn new(accounts: BTreeMap<String, Arc<A>>) -> Self {
        Self {
            accounts: RwLock::new(accounts),
        }
    }

    pub(crate) fn get(&self, label: &str) -> Option<Arc<A>> {
        let accounts = self.accounts.read().unwrap_or_else(PoisonError::into_inner);
        accounts.get(label).cloned()
    }

    /// Labels, sorted.
    pub(crate) fn labels(&self) -> Vec<String> {
        let accounts = self.accounts.read().unwrap_or_else(PoisonError::into_inner);
        accounts.keys().cloned().collect()
    }

    /// Every account, in label order.
    pub(crate) fn all(&self) -> Vec<Arc<A>> {
        let accounts = self.accounts.read().unwrap_or_else(PoisonError::into_inner);
        accounts.values().cloned().collect()
    }

    /// Adds or replaces an account.
    pub(crate) fn insert(&self, label: String, account: A) {
        let mut accounts = self
            .accounts
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        accounts.insert(label, Arc::new(account));
    }
}

/// Builds a registry from configurations, refusing a label that appears twice.
pub(crate) fn build<C, A>(
    configs: Vec<C>,
    label: impl Fn(&C) -> String,
    make: impl Fn(C) -> Result<A, crate::sandbox::SandboxError>,
    vendor: &str,
) -> Result<Registry<A>, crate::sandbox::SandboxError> {
    let mut accounts = BTreeMap::new();
    for config in configs {
        let key = label(&config);
        if accounts.contains_key(&key) {
            return Err(crate::sandbox::SandboxError::InvalidConfig(format!(
                "{vendor} account {key:?} appears twice"
            )));
        }
        accounts.insert(key, Arc::new(make(config)?));
    }
    Ok(Registry::new(accounts))
}
