//! Writing, reading and deleting a connection's credentials.

use std::sync::Arc;

use chrono::Utc;
use deskgate_core::{ConnectionId, EventType, TenantId};
use deskgate_store::StoreError;
use deskgate_store::audit::AuditEvent;
use deskgate_store::credentials::{NewCredential, SealedCredential};
use deskgate_vault::{AssociatedData, Purpose};
use secrecy::{ExposeSecret, SecretString};

use crate::credentials::{CredentialField, Credentials};
use crate::{App, AppError, RequestContext};

/// Why credentials are opened. Recorded in the audit log with every open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CredentialPurpose {
    /// To call the helpdesk on the tenant's behalf.
    UpstreamRequest,
    /// To exchange a refresh token or mint a new access token.
    TokenRefresh,
    /// To check that the credentials work and learn the account behind them.
    ConnectionCheck,
    /// To revoke the token at the vendor when the connection is deleted.
    TokenRevoke,
}

impl CredentialPurpose {
    pub fn label(self) -> &'static str {
        match self {
            CredentialPurpose::UpstreamRequest => "upstream_request",
            CredentialPurpose::TokenRefresh => "token_refresh",
            CredentialPurpose::ConnectionCheck => "connection_check",
            CredentialPurpose::TokenRevoke => "token_revoke",
        }
    }
}

/// A connection's credentials sealed under the active key version, ready to store.
pub(crate) struct SealedSet {
    pub(crate) key_version: u32,
    blobs: Vec<(CredentialField, Vec<u8>)>,
}

impl SealedSet {
    pub(crate) fn rows(&self) -> Vec<NewCredential<'_>> {
        // The vault refuses versions above i32::MAX, so the cast cannot truncate.
        let key_version = i32::try_from(self.key_version).unwrap_or(i32::MAX);
        self.blobs
            .iter()
            .map(|(field, blob)| NewCredential {
                field: field.label(),
                sealed: blob,
                key_version,
            })
            .collect()
    }
}

impl App {
    /// Seals every field under the active key version, bound to this tenant, connection
    /// and field.
    pub(crate) fn seal_credentials(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
        credentials: &Credentials,
    ) -> Result<SealedSet, AppError> {
        if credentials.is_empty() {
            return Err(AppError::invalid(
                "credentials",
                "must hold at least one field",
            ));
        }
        let key_version = self.vault().key_ring().active_version();
        let mut blobs = Vec::with_capacity(credentials.len());
        for (field, value) in credentials.iter() {
            let owner = owner(tenant, connection, field.label());
            let blob = self
                .vault()
                .seal(&owner, value.expose_secret().as_bytes())
                .map_err(|e| AppError::Internal(format!("sealing credential `{field}`: {e}")))?;
            blobs.push((field, blob));
        }
        Ok(SealedSet { key_version, blobs })
    }

    /// Makes `credentials` the connection's whole set of credentials: every field is sealed
    /// under the active key version and bound to this tenant, connection and field; fields
    /// not in the set are deleted. The write is audited (field names, never values).
    pub async fn put_credentials(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
        credentials: &Credentials,
        ctx: &RequestContext,
    ) -> Result<(), AppError> {
        if credentials.is_empty() {
            return Err(AppError::invalid(
                "credentials",
                "must hold at least one field",
            ));
        }
        let sealed = self.seal_credentials(tenant, connection, credentials)?;
        let rows = sealed.rows();
        let active = sealed.key_version;
        // The store refuses another tenant's connection too; asking first gives the same
        // answer whatever the database's row-level security does with the attempt.
        if self
            .store()
            .get_connection(tenant, connection)
            .await?
            .is_none()
        {
            return Err(AppError::NotFound("connection"));
        }
        let at = Utc::now();
        self.store()
            .replace_credentials(tenant, connection, &rows, at)
            .await
            .map_err(|e| match e {
                StoreError::MissingReference => AppError::NotFound("connection"),
                other => other.into(),
            })?;
        self.forget_connection(tenant, connection).await;
        let fields: Vec<&str> = credentials.fields().map(CredentialField::label).collect();
        tracing::debug!(%tenant, %connection, ?fields, key_version = active, "credentials written");
        self.store()
            .append_audit(&AuditEvent {
                tenant_id: Some(tenant),
                at,
                actor: ctx.actor.to_string(),
                action: "credential.write".into(),
                target: Some(format!("connection:{connection}")),
                request_id: ctx.request_id.clone(),
                detail: serde_json::json!({ "fields": fields, "key_version": active }),
            })
            .await?;
        Ok(())
    }

    /// The connection's credentials, opened.
    ///
    /// Served from the cache when a recent read on this replica opened them; otherwise read
    /// from the database, opened, recorded in the audit log with `purpose` and the request id,
    /// and cached. A blob that fails to open (altered, moved from another owner, or sealed
    /// with a key that is not configured) is audited as a failed open and answered as an
    /// internal error.
    pub async fn credentials(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
        purpose: CredentialPurpose,
        ctx: &RequestContext,
    ) -> Result<Arc<Credentials>, AppError> {
        let cache = self.credential_cache();
        if let Some(hit) = cache.get(tenant, connection).await {
            return Ok(hit);
        }
        let seen = cache.generation();
        let rows = self.store().get_credentials(tenant, connection).await?;
        if rows.is_empty() {
            let exists = self
                .store()
                .get_connection(tenant, connection)
                .await?
                .is_some();
            return Err(AppError::NotFound(if exists {
                "credentials"
            } else {
                "connection"
            }));
        }
        let mut credentials = Credentials::new();
        for row in &rows {
            match self.open_row(row) {
                Ok((field, value)) => {
                    credentials.insert(field, value);
                }
                Err(cause) => {
                    tracing::warn!(%tenant, %connection, field = %row.field, error = %cause, "credential failed to open");
                    self.audit_open(
                        tenant,
                        connection,
                        "credential.open_failed",
                        serde_json::json!({
                            "purpose": purpose.label(),
                            "sealed_for": Purpose::ConnectionCredential.label(),
                            "field": row.field,
                            "error": cause,
                        }),
                        ctx,
                    )
                    .await?;
                    return Err(AppError::Internal(format!(
                        "credential `{}` of connection {connection} cannot be opened: {cause}",
                        row.field
                    )));
                }
            }
        }
        let fields: Vec<&str> = credentials.fields().map(CredentialField::label).collect();
        tracing::debug!(%tenant, %connection, ?fields, purpose = purpose.label(), "credentials opened");
        self.audit_open(
            tenant,
            connection,
            "credential.open",
            serde_json::json!({
                "purpose": purpose.label(),
                "sealed_for": Purpose::ConnectionCredential.label(),
                "fields": fields,
            }),
            ctx,
        )
        .await?;
        let credentials = Arc::new(credentials);
        cache
            .insert(tenant, connection, credentials.clone(), seen)
            .await;
        Ok(credentials)
    }

    /// Deletes a connection and destroys its sealed credentials in one transaction, with an
    /// audit record in the same transaction: crypto-shredding. Returns how many sealed
    /// fields were destroyed.
    pub async fn delete_connection(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
        ctx: &RequestContext,
    ) -> Result<u64, AppError> {
        let event = AuditEvent {
            tenant_id: Some(tenant),
            at: Utc::now(),
            actor: ctx.actor.to_string(),
            action: "connection.delete".into(),
            target: Some(format!("connection:{connection}")),
            request_id: ctx.request_id.clone(),
            detail: serde_json::json!({ "crypto_shredded": true }),
        };
        let deleted = self.connection(tenant, connection).await?;
        let events = App::connection_event(EventType::ConnectionDeleted, &deleted);
        let destroyed = self
            .store()
            .shred_connection(tenant, connection, &event, &events)
            .await?
            .ok_or(AppError::NotFound("connection"))?;
        self.wake_deliveries();
        self.forget_connection(tenant, connection).await;
        tracing::info!(%tenant, %connection, destroyed, "connection deleted, credentials destroyed");
        Ok(destroyed)
    }

    /// Opens one stored field. The error text names the problem, never a value.
    fn open_row(&self, row: &SealedCredential) -> Result<(CredentialField, SecretString), String> {
        let field: CredentialField = row.field.parse().map_err(|e| format!("{e}"))?;
        let owner = owner(row.tenant_id, row.connection_id, &row.field);
        let plaintext = self
            .vault()
            .open(&owner, &row.sealed)
            .map_err(|e| e.to_string())?;
        let text = std::str::from_utf8(plaintext.expose_secret())
            .map_err(|_| "the opened value is not UTF-8 text".to_owned())?;
        Ok((field, SecretString::from(text)))
    }

    async fn audit_open(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
        action: &str,
        detail: serde_json::Value,
        ctx: &RequestContext,
    ) -> Result<(), AppError> {
        self.store()
            .append_audit(&AuditEvent {
                tenant_id: Some(tenant),
                at: Utc::now(),
                actor: ctx.actor.to_string(),
                action: action.into(),
                target: Some(format!("connection:{connection}")),
                request_id: ctx.request_id.clone(),
                detail,
            })
            .await?;
        Ok(())
    }
}

/// The owner a connection's credential field is sealed for.
pub(super) fn owner(tenant: TenantId, connection: ConnectionId, field: &str) -> AssociatedData<'_> {
    AssociatedData::connection_credential(tenant.as_uuid(), connection.as_uuid(), field)
}
