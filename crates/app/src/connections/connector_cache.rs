//! Connectors kept for the call path, so that a call does not build its connector again:
//! building one parses the account label into the vendor's origin and budget keys and
//! copies the credentials into an auth policy, and dropping it zeroizes those copies (about
//! 4 % of a passthrough request's CPU in the profile of 2026-11-30, docs/performance.md).
//!
//! An entry is used only while everything it was built from is the same: the credentials
//! object the credential cache hands out (compared by address, so credentials opened again,
//! renewed or replaced never meet an old connector), and the row's account label, auth
//! mode, settings and token expiry. A change to any of those makes the next call build a new
//! connector and replace the entry; a write to the connection drops it at once
//! (`App::forget_connection`). An entry lives no longer than the credential cache's time to
//! live, since a connector holds copies of the secrets it was built with.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use deskgate_core::{AuthMode, ConnectionId, Connector};

use crate::connections::Connection;
use crate::credentials::Credentials;

/// What a connector was built from. Kept behind an `Arc`, so that a lookup copies a pointer,
/// not the label and settings.
struct Built {
    credentials: Arc<Credentials>,
    account_label: String,
    auth_kind: AuthMode,
    settings: serde_json::Value,
    token_expires_at: Option<DateTime<Utc>>,
    connector: Arc<dyn Connector>,
}

impl Built {
    fn fits(&self, connection: &Connection, credentials: &Arc<Credentials>) -> bool {
        Arc::ptr_eq(&self.credentials, credentials)
            && self.account_label == connection.account_label
            && self.auth_kind == connection.auth_kind
            && self.token_expires_at == connection.token_expires_at
            && self.settings == connection.settings
    }
}

pub(crate) struct ConnectorCache {
    /// `None` when the configured time to live is zero.
    entries: Option<moka::future::Cache<ConnectionId, Arc<Built>>>,
}

impl std::fmt::Debug for ConnectorCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectorCache")
            .field("entries", &self.entries.as_ref().map(|c| c.entry_count()))
            .finish_non_exhaustive()
    }
}

impl ConnectorCache {
    /// `ttl` is the credential cache's: a connector holds copies of the secrets it was built
    /// with, so it is kept no longer than the opened credentials themselves would be.
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            entries: crate::app::ttl_cache(ttl),
        }
    }

    /// The connector built for this row and these credentials, if one is kept.
    pub(crate) async fn get(
        &self,
        connection: &Connection,
        credentials: &Arc<Credentials>,
    ) -> Option<Arc<dyn Connector>> {
        let built = self.entries.as_ref()?.get(&connection.id).await?;
        built
            .fits(connection, credentials)
            .then(|| Arc::clone(&built.connector))
    }

    /// Keeps `connector`, built from `connection` and `credentials`, for the next call.
    pub(crate) async fn insert(
        &self,
        connection: &Connection,
        credentials: &Arc<Credentials>,
        connector: &Arc<dyn Connector>,
    ) {
        let Some(entries) = &self.entries else {
            return;
        };
        let built = Built {
            credentials: Arc::clone(credentials),
            account_label: connection.account_label.clone(),
            auth_kind: connection.auth_kind,
            settings: connection.settings.clone(),
            token_expires_at: connection.token_expires_at,
            connector: Arc::clone(connector),
        };
        entries.insert(connection.id, Arc::new(built)).await;
    }

    /// Drops a deleted connection's connector (and with it the credentials it holds).
    pub(crate) async fn invalidate(&self, id: ConnectionId) {
        if let Some(entries) = &self.entries {
            entries.invalidate(&id).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use deskgate_connector::CredentialField;
    use deskgate_upstream::{Upstream, UpstreamConfig};

    use super::*;
    use crate::connections::registry;

    fn credentials() -> Arc<Credentials> {
        Arc::new(
            Credentials::new()
                .with(CredentialField::Email, "agent@acme.test")
                .with(CredentialField::ApiToken, "token-1"),
        )
    }

    fn build(connection: &Connection, credentials: &Credentials) -> Arc<dyn Connector> {
        let upstream = Upstream::new(UpstreamConfig::default()).unwrap();
        let id = connection.id.to_string();
        registry::spec_of(connection)
            .unwrap()
            .connector(&upstream, &registry::stored(connection, credentials, &id))
            .unwrap()
    }

    #[tokio::test]
    async fn a_kept_connector_serves_only_the_row_and_credentials_it_was_built_from() {
        let cache = ConnectorCache::new(Duration::from_secs(30));
        let connection = Connection::for_tests();
        let creds = credentials();
        assert!(cache.get(&connection, &creds).await.is_none());
        let connector = build(&connection, &creds);
        cache.insert(&connection, &creds, &connector).await;

        let kept = cache.get(&connection, &creds).await.unwrap();
        assert!(Arc::ptr_eq(&kept, &connector));

        // The same secrets opened again are another object: a new connector.
        assert!(cache.get(&connection, &credentials()).await.is_none());
        let mut renamed = connection.clone();
        renamed.account_label = "other".into();
        assert!(cache.get(&renamed, &creds).await.is_none());
        let mut expiring = connection.clone();
        expiring.token_expires_at = Some(Utc::now());
        assert!(cache.get(&expiring, &creds).await.is_none());
        let mut oauth = connection.clone();
        oauth.auth_kind = AuthMode::OauthCode;
        assert!(cache.get(&oauth, &creds).await.is_none());
        let mut configured = connection.clone();
        configured.settings = serde_json::json!({"admin_id": "1"});
        assert!(cache.get(&configured, &creds).await.is_none());
        // A row whose other columns changed (status, external ref) keeps its connector.
        let mut touched = connection.clone();
        touched.external_ref = Some("customer-9".into());
        assert!(cache.get(&touched, &creds).await.is_some());

        cache.invalidate(connection.id).await;
        assert!(cache.get(&connection, &creds).await.is_none());
    }

    #[tokio::test]
    async fn zero_time_to_live_keeps_nothing() {
        let cache = ConnectorCache::new(Duration::ZERO);
        let connection = Connection::for_tests();
        let creds = credentials();
        cache
            .insert(&connection, &creds, &build(&connection, &creds))
            .await;
        assert!(cache.get(&connection, &creds).await.is_none());
    }
}
