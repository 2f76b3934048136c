//! API keys: `dg_live_<id>_<secret>`.
//!
//! `id` is a UUID v7 in 32 hex digits (time-ordered, not secret); `secret` is 32 random bytes
//! in 64 hex digits. The store keeps the id and `HMAC-SHA-256(pepper, secret)`; the secret
//! itself exists only in the answer to the call that created the key. A 256-bit random secret
//! needs no slow password hash. Every failure, whatever its cause, is the same
//! [`AppError::Unauthenticated`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use deskgate_core::TenantId;
use deskgate_core::ids::canonical_simple_uuid;
use deskgate_store::api_keys::ApiKeyRecord;
use deskgate_store::audit::AuditEvent;
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::{Actor, App, AppError, RequestContext};

const PREFIX: &str = "dg_live_";
const SECRET_LEN: usize = 64;
/// The HMAC key when no pepper is configured: domain separation only.
const DEFAULT_PEPPER: &[u8] = b"deskgate api key digest v1";

/// A key as its tenant may see it after creation: everything but the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKey {
    pub id: String,
    pub tenant_id: TenantId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    /// The non-secret start of the key, to recognize it in a list.
    pub fn prefix(&self) -> String {
        format!("{PREFIX}{}", self.id)
    }

    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| e > now)
    }
}

impl From<ApiKeyRecord> for ApiKey {
    fn from(r: ApiKeyRecord) -> Self {
        Self {
            id: r.id,
            tenant_id: r.tenant_id,
            name: r.name,
            created_at: r.created_at,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// A newly created key with its secret, to be shown once.
pub struct IssuedKey {
    pub key: ApiKey,
    pub secret: SecretString,
}

impl fmt::Debug for IssuedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedKey")
            .field("key", &self.key)
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// The tenant and key behind an authenticated request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticated {
    pub tenant: TenantId,
    pub key_id: String,
}

impl Authenticated {
    pub fn actor(&self) -> Actor {
        Actor::ApiKey {
            tenant: self.tenant,
            key_id: self.key_id.clone(),
        }
    }
}

/// Computes key digests.
pub(crate) struct ApiKeyHasher {
    pepper: SecretBox<[u8]>,
}

impl fmt::Debug for ApiKeyHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKeyHasher([redacted])")
    }
}

impl ApiKeyHasher {
    pub(crate) fn new(pepper: Option<SecretBox<[u8]>>) -> Self {
        let pepper =
            pepper.unwrap_or_else(|| SecretBox::new(DEFAULT_PEPPER.to_vec().into_boxed_slice()));
        Self { pepper }
    }

    fn digest(&self, secret: &str) -> [u8; 32] {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.pepper.expose_secret())
            .unwrap_or_else(|_| unreachable!("hmac takes keys of any length"));
        mac.update(secret.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

/// Recently authenticated keys, so a request does not read the database every time.
pub(crate) struct AuthCache {
    keys: moka::future::Cache<String, Arc<ApiKeyRecord>>,
}

impl fmt::Debug for AuthCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthCache")
            .field("entries", &self.keys.entry_count())
            .finish()
    }
}

impl AuthCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            keys: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(ttl)
                .build(),
        }
    }
}

/// Splits a presented key into id and secret, or `None` if it is not of our shape.
fn parse(presented: &str) -> Option<(&str, &str)> {
    let rest = presented.strip_prefix(PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    let hex = secret.len() == SECRET_LEN
        && secret
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    (canonical_simple_uuid(id).is_some() && hex).then_some((id, secret))
}

impl App {
    /// Issues a key for `tenant`. `expires_at`, when given, must be in the future.
    pub async fn create_api_key(
        &self,
        tenant: TenantId,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
        ctx: &RequestContext,
    ) -> Result<IssuedKey, AppError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(AppError::invalid(
                "name",
                "must be 1 to 100 printable characters",
            ));
        }
        let now = Utc::now();
        if expires_at.is_some_and(|e| e <= now) {
            return Err(AppError::invalid("expires_at", "must be in the future"));
        }
        let id = Uuid::now_v7().simple().to_string();
        let mut raw = [0_u8; 32];
        rand::rng().fill_bytes(&mut raw);
        let secret = hex::encode(raw);
        let record = ApiKeyRecord {
            id: id.clone(),
            tenant_id: tenant,
            name: name.to_owned(),
            digest: self.hasher().digest(&secret).to_vec(),
            created_at: now,
            expires_at,
            revoked_at: None,
        };
        self.store().insert_api_key(&record).await?;
        self.audit_key(tenant, "api_key.create", &id, ctx).await?;
        let full = SecretString::from(format!("{PREFIX}{id}_{secret}"));
        Ok(IssuedKey {
            key: record.into(),
            secret: full,
        })
    }

    /// Checks a presented key. Every failure is the same [`AppError::Unauthenticated`].
    pub async fn authenticate(&self, presented: &str) -> Result<Authenticated, AppError> {
        let Some((id, secret)) = parse(presented) else {
            tracing::debug!("api key rejected: malformed");
            return Err(AppError::Unauthenticated);
        };
        let cache = &self.auth_cache().keys;
        let record = match cache.get(id).await {
            Some(r) => r,
            None => match self.store().find_api_key_for_authentication(id).await? {
                Some(r) => {
                    let r = Arc::new(r);
                    cache.insert(id.to_owned(), r.clone()).await;
                    r
                }
                None => {
                    tracing::debug!(key_id = id, "api key rejected: unknown");
                    return Err(AppError::Unauthenticated);
                }
            },
        };
        let presented_digest = self.hasher().digest(secret);
        if !bool::from(presented_digest.as_slice().ct_eq(&record.digest)) {
            tracing::debug!(key_id = id, "api key rejected: wrong secret");
            return Err(AppError::Unauthenticated);
        }
        let now = Utc::now();
        if record.revoked_at.is_some() || record.expires_at.is_some_and(|e| e <= now) {
            tracing::debug!(key_id = id, "api key rejected: revoked or expired");
            return Err(AppError::Unauthenticated);
        }
        Ok(Authenticated {
            tenant: record.tenant_id,
            key_id: record.id.clone(),
        })
    }

    /// A page of the tenant's keys in creation order, after the key id `after` (the cursor
    /// the previous page handed out: anything but a key id is refused naming `cursor`).
    pub async fn list_api_keys(
        &self,
        tenant: TenantId,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<ApiKey>, AppError> {
        if after.is_some_and(|a| canonical_simple_uuid(a).is_none()) {
            return Err(AppError::invalid_query(
                "cursor",
                "not a cursor this list issued: pass `next_cursor` unchanged",
            ));
        }
        let rows = self.store().list_api_keys(tenant, after, limit).await?;
        Ok(rows.into_iter().map(ApiKey::from).collect())
    }

    pub async fn get_api_key(&self, tenant: TenantId, id: &str) -> Result<ApiKey, AppError> {
        self.store()
            .get_api_key(tenant, id)
            .await?
            .map(ApiKey::from)
            .ok_or(AppError::NotFound("api key"))
    }

    /// Revokes one of the tenant's keys. It stops working on this replica at once.
    pub async fn revoke_api_key(
        &self,
        tenant: TenantId,
        id: &str,
        ctx: &RequestContext,
    ) -> Result<ApiKey, AppError> {
        let record = self
            .store()
            .revoke_api_key(tenant, id, Utc::now())
            .await?
            .ok_or(AppError::NotFound("api key"))?;
        self.auth_cache().keys.invalidate(id).await;
        self.audit_key(tenant, "api_key.revoke", id, ctx).await?;
        Ok(record.into())
    }

    async fn audit_key(
        &self,
        tenant: TenantId,
        action: &str,
        id: &str,
        ctx: &RequestContext,
    ) -> Result<(), AppError> {
        self.store()
            .append_audit(&AuditEvent {
                tenant_id: Some(tenant),
                at: Utc::now(),
                actor: ctx.actor.to_string(),
                action: action.into(),
                target: Some(format!("api_key:{id}")),
                request_id: ctx.request_id.clone(),
                detail: serde_json::json!({}),
            })
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0193a1b2c3d4e5f60718293a4b5c6d7e";
    const SECRET: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn well_formed_keys_parse_into_id_and_secret() {
        let key = format!("dg_live_{ID}_{SECRET}");
        assert_eq!(parse(&key), Some((ID, SECRET)));
    }

    #[test]
    fn malformed_keys_are_refused() {
        for bad in [
            String::new(),
            "dg_live_".into(),
            format!("dg_test_{ID}_{SECRET}"),
            format!("dg_live_{ID}{SECRET}"),
            format!("dg_live_{ID}_{}", &SECRET[1..]),
            format!("dg_live_{}_{SECRET}", ID.to_uppercase()),
            format!("dg_live_{ID}_{SECRET}x"),
            format!(" dg_live_{ID}_{SECRET}"),
        ] {
            assert_eq!(parse(&bad), None, "{bad:?}");
        }
    }

    #[test]
    fn digest_depends_on_the_pepper() {
        let a = ApiKeyHasher::new(None).digest(SECRET);
        let pepper = SecretBox::new(b"another pepper".to_vec().into_boxed_slice());
        let b = ApiKeyHasher::new(Some(pepper)).digest(SECRET);
        assert_ne!(a, b);
        assert_eq!(a, ApiKeyHasher::new(None).digest(SECRET));
    }

    #[test]
    fn issued_key_debug_hides_the_secret() {
        let key = IssuedKey {
            key: ApiKey {
                id: ID.into(),
                tenant_id: TenantId::new(),
                name: "n".into(),
                created_at: Utc::now(),
                expires_at: None,
                revoked_at: None,
            },
            secret: SecretString::from(format!("dg_live_{ID}_{SECRET}")),
        };
        assert!(!format!("{key:?}").contains(SECRET));
    }
}
