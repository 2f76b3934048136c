use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use deskgate_core::{ConnectionId, TenantId};
use deskgate_store::Store;
use deskgate_upstream::{SandboxOverride, Upstream, UpstreamConfig, WebhookPolicy};
use deskgate_vault::Vault;
use secrecy::SecretBox;

use crate::AppError;
use crate::connections::{ConnectionCache, ConnectorCache, RefreshLocks, StoreBlockRegistry};

use crate::api_keys::{ApiKeyHasher, AuthCache};
use crate::credentials::CredentialCache;

/// Settings the application layer needs from configuration.
#[derive(Debug)]
pub struct AppSettings {
    /// Keys the HMAC that stores API key secrets; `None` uses a fixed domain-separation key.
    pub api_key_pepper: Option<SecretBox<[u8]>>,
    /// How long an authenticated key is trusted without reading the database again. A key
    /// revoked on another replica stops working within this time; on this replica at once.
    pub auth_cache_ttl: Duration,
    /// How long opened credentials stay in memory without reading and decrypting them again.
    /// Writes and deletes on this replica invalidate at once; on other replicas a changed
    /// credential is seen within this time. Zero disables the cache.
    pub credential_cache_ttl: Duration,
    /// How long a connection's row serves calls without reading the database again. Writes
    /// on this replica invalidate at once; a status, token or deletion from another replica
    /// is seen within this time. Zero disables the cache.
    pub connection_cache_ttl: Duration,
    /// The outbound engine's settings.
    pub upstream: UpstreamSettings,
    /// The gateway's public base URL (`https://connect.example.com`, no trailing slash):
    /// connect links and OAuth callbacks are built on it.
    pub public_url: String,
    /// Change detection and the event log.
    pub events: crate::events::EventSettings,
    /// How webhooks are delivered.
    pub webhooks: crate::webhooks::WebhookSettings,
    /// Inbound limits: request rates per API key and tenant, calls in flight per connection.
    pub limits: crate::limits::LimitSettings,
}

/// How the gateway reaches vendors.
#[derive(Clone, Debug, Default)]
pub struct UpstreamSettings {
    pub config: UpstreamConfig,
    /// Sends every vendor call to a local sandbox instead. Operator configuration only:
    /// nothing a tenant sends can set it.
    pub sandbox: Option<SandboxOverride>,
}

impl Default for AppSettings {
    fn default() -> Self {
        Self {
            api_key_pepper: None,
            auth_cache_ttl: Duration::from_secs(30),
            credential_cache_ttl: Duration::from_secs(30),
            connection_cache_ttl: Duration::from_secs(1),
            upstream: UpstreamSettings::default(),
            public_url: "http://127.0.0.1:8080".into(),
            events: crate::events::EventSettings::default(),
            webhooks: crate::webhooks::WebhookSettings::default(),
            limits: crate::limits::LimitSettings::default(),
        }
    }
}

/// The application: cheap to clone, shared by every request.
#[derive(Clone, Debug)]
pub struct App {
    inner: Arc<Inner>,
}

/// A cache of at most 100,000 entries, each dropped `ttl` after it was written; `None`, the
/// cache off, when `ttl` is zero. The shape of the caches on the call path.
pub(crate) fn ttl_cache<K, V>(ttl: Duration) -> Option<moka::future::Cache<K, V>>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    (!ttl.is_zero()).then(|| {
        moka::future::Cache::builder()
            .max_capacity(100_000)
            .time_to_live(ttl)
            .build()
    })
}

#[derive(Debug)]
struct Inner {
    store: Store,
    hasher: ApiKeyHasher,
    auth_cache: AuthCache,
    vault: Vault,
    credential_cache: CredentialCache,
    connection_cache: ConnectionCache,
    /// The call path's connectors, built once per connection and credentials.
    connectors: ConnectorCache,
    /// When each connection's cached credentials were read, by the row's `updated_at`.
    credential_stamps: moka::future::Cache<ConnectionId, DateTime<Utc>>,
    upstream: Upstream,
    refresh_locks: RefreshLocks,
    public_url: String,
    /// The engine syncs call through: background work at its share of each account's budget.
    sync_upstream: Upstream,
    events: crate::events::EventSettings,
    /// This process, as leases and claims name it.
    replica: String,
    deliveries: crate::webhooks::Deliveries,
    limits: crate::limits::LimitSettings,
    /// `None` when limits are off.
    rate_limits: Option<crate::limits::RateLimits>,
    connection_calls: Option<Arc<crate::limits::ConnectionCalls>>,
}

impl App {
    /// The application over a migrated store and a vault whose key ring was loaded from
    /// configuration. Call [`App::check_vault_keys`] before serving, so that a wrong key
    /// refuses to start instead of failing at the first decryption.
    pub fn new(store: Store, vault: Vault, settings: AppSettings) -> Result<Self, AppError> {
        settings
            .webhooks
            .validate()
            .map_err(|e| AppError::Internal(format!("webhook settings: {e}")))?;
        settings
            .limits
            .validate()
            .map_err(|e| AppError::Internal(format!("limit settings: {e}")))?;
        let limits = settings.limits;
        let mut upstream = Upstream::builder(settings.upstream.config.clone())
            .block_registry(Arc::new(StoreBlockRegistry::new(store.clone())))
            .webhook_policy(WebhookPolicy {
                allow_loopback_http: settings.webhooks.allow_loopback_http,
            });
        if let Some(sandbox) = settings.upstream.sandbox.clone() {
            upstream = upstream.sandbox(sandbox);
        }
        let upstream = upstream
            .build()
            .map_err(|e| AppError::Internal(format!("building the outbound client: {e}")))?;
        let hasher = ApiKeyHasher::new(settings.api_key_pepper);
        let auth_cache = AuthCache::new(settings.auth_cache_ttl);
        let credential_cache = CredentialCache::new(settings.credential_cache_ttl);
        let connection_cache = ConnectionCache::new(settings.connection_cache_ttl);
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                hasher,
                auth_cache,
                vault,
                credential_cache,
                connection_cache,
                connectors: ConnectorCache::new(settings.credential_cache_ttl),
                credential_stamps: moka::future::Cache::builder()
                    .max_capacity(100_000)
                    .time_to_idle(Duration::from_secs(3600))
                    .build(),
                sync_upstream: upstream.background(settings.events.sync_share),
                upstream,
                refresh_locks: RefreshLocks::new(),
                public_url: settings.public_url.trim_end_matches('/').to_owned(),
                events: settings.events,
                replica: replica_name(),
                deliveries: crate::webhooks::Deliveries::new(settings.webhooks),
                limits,
                rate_limits: limits
                    .enabled
                    .then(|| crate::limits::RateLimits::new(limits.key, limits.tenant)),
                connection_calls: limits
                    .enabled
                    .then(|| crate::limits::ConnectionCalls::new(limits.connection_in_flight)),
            }),
        })
    }

    /// This process's name in leases and claims: host, process id and a random suffix, so
    /// a restarted process is another replica.
    pub fn replica(&self) -> &str {
        &self.inner.replica
    }

    pub(crate) fn sync_upstream(&self) -> &Upstream {
        &self.inner.sync_upstream
    }

    pub(crate) fn event_settings(&self) -> &crate::events::EventSettings {
        &self.inner.events
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The vault, for its key ring's versions and check values.
    pub fn vault(&self) -> &Vault {
        &self.inner.vault
    }

    pub(crate) fn credential_cache(&self) -> &CredentialCache {
        &self.inner.credential_cache
    }

    pub(crate) fn connection_cache(&self) -> &ConnectionCache {
        &self.inner.connection_cache
    }

    pub(crate) fn connectors(&self) -> &ConnectorCache {
        &self.inner.connectors
    }

    /// Drops what this replica keeps in memory about a connection (its opened credentials,
    /// its row and its connector): after any write to it.
    pub(crate) async fn forget_connection(&self, tenant: TenantId, id: ConnectionId) {
        self.credential_cache().invalidate(tenant, id).await;
        self.connection_cache().invalidate(tenant, id).await;
        self.connectors().invalidate(id).await;
    }

    /// The gateway's public base URL, without a trailing slash.
    pub fn public_url(&self) -> &str {
        &self.inner.public_url
    }

    /// The outbound engine every connector uses.
    pub fn upstream(&self) -> &Upstream {
        &self.inner.upstream
    }

    pub(crate) fn deliveries(&self) -> &crate::webhooks::Deliveries {
        &self.inner.deliveries
    }

    /// The inbound limits this replica applies.
    pub fn limit_settings(&self) -> &crate::limits::LimitSettings {
        &self.inner.limits
    }

    pub(crate) fn rate_limits(&self) -> Option<&crate::limits::RateLimits> {
        self.inner.rate_limits.as_ref()
    }

    pub(crate) fn connection_calls(&self) -> Option<&Arc<crate::limits::ConnectionCalls>> {
        self.inner.connection_calls.as_ref()
    }

    pub(crate) fn refresh_locks(&self) -> &RefreshLocks {
        &self.inner.refresh_locks
    }

    pub(crate) fn credential_stamps(&self) -> &moka::future::Cache<ConnectionId, DateTime<Utc>> {
        &self.inner.credential_stamps
    }

    pub(crate) fn hasher(&self) -> &ApiKeyHasher {
        &self.inner.hasher
    }

    pub(crate) fn auth_cache(&self) -> &AuthCache {
        &self.inner.auth_cache
    }

    /// Whether the database answers within `within` (a load balancer's probe gives up after
    /// a few seconds, and a late answer is as bad as none).
    pub async fn ready(&self, within: Duration) -> Result<(), crate::AppError> {
        match tokio::time::timeout(within, self.inner.store.ping()).await {
            Ok(answered) => Ok(answered?),
            Err(_) => Err(AppError::Unavailable(format!(
                "the database did not answer within {within:?}"
            ))),
        }
    }
}

fn replica_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty() && h.len() <= 64)
        .unwrap_or_else(|| "local".into());
    let suffix: u32 = rand::random();
    format!("{host}-{}-{suffix:08x}", std::process::id())
}
