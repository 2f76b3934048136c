use std::sync::Arc;
use std::time::Duration;

use deskgate_store::Store;
use secrecy::SecretBox;

use crate::api_keys::{ApiKeyHasher, AuthCache};

/// Settings the application layer needs from configuration.
#[derive(Debug)]
pub struct AppSettings {
    /// Keys the HMAC that stores API key secrets; `None` uses a fixed domain-separation key.
    pub api_key_pepper: Option<SecretBox<[u8]>>,
    /// How long an authenticated key is trusted without reading the database again. A key
    /// revoked on another replica stops working within this time; on this replica at once.
    pub auth_cache_ttl: Duration,
}

impl Default for AppSettings {
    fn default() -> Self {
        Self {
            api_key_pepper: None,
            auth_cache_ttl: Duration::from_secs(30),
        }
    }
}

/// The application: cheap to clone, shared by every request.
#[derive(Clone, Debug)]
pub struct App {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    hasher: ApiKeyHasher,
    auth_cache: AuthCache,
}

impl App {
    pub fn new(store: Store, settings: AppSettings) -> Self {
        let hasher = ApiKeyHasher::new(settings.api_key_pepper.as_ref());
        let auth_cache = AuthCache::new(settings.auth_cache_ttl);
        Self {
            inner: Arc::new(Inner {
                store,
                hasher,
                auth_cache,
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn hasher(&self) -> &ApiKeyHasher {
        &self.inner.hasher
    }

    pub(crate) fn auth_cache(&self) -> &AuthCache {
        &self.inner.auth_cache
    }

    /// Whether the database answers.
    pub async fn ready(&self) -> Result<(), crate::AppError> {
        Ok(self.inner.store.ping().await?)
    }
}
