use chrono::Utc;
use deskgate_connector::{AuthInput, NewAuth};
use deskgate_core::{ConnectionId, ConnectionStatus, EventType, TenantId};
use deskgate_store::audit::AuditEvent;
use deskgate_store::connect_sessions::SessionSpend;
use deskgate_store::connections::{ConnectionFilter, ConnectionRecord, CredentialWrite};
use serde_json::{Map, Value};

use crate::connections::model::{ConnectRequest, Connection, ListConnections};
use crate::connections::{input, registry};
use crate::{App, AppError, RequestContext};

fn check_external_ref(external_ref: Option<&str>) -> Result<(), AppError> {
    match external_ref {
        Some(r) if r.is_empty() || r.chars().count() > 200 || r.chars().any(char::is_control) => {
            Err(AppError::invalid(
                "external_ref",
                "must be 1 to 200 printable characters",
            ))
        }
        _ => Ok(()),
    }
}

impl App {
    /// Connects a helpdesk account: checks the credentials with the vendor first and stores
    /// nothing unless the check passes; then stores the connection and its sealed
    /// credentials in one transaction.
    pub async fn connect(
        &self,
        tenant: TenantId,
        request: ConnectRequest,
        ctx: &RequestContext,
    ) -> Result<Connection, AppError> {
        check_external_ref(request.external_ref.as_deref())?;
        let checked = self
            .check_auth(request.provider, &request.account_label, request.auth)
            .await?;
        self.store_connection(
            tenant,
            request.provider,
            request.external_ref,
            checked,
            ctx,
            None,
        )
        .await
    }

    /// Stores a connection whose auth the vendor accepted, with its sealed credentials and
    /// audit record, in one transaction; with `spend`, that connect session is spent in the
    /// same transaction (and nothing is stored if it was spent, revoked or expired meanwhile).
    pub(crate) async fn store_connection(
        &self,
        tenant: TenantId,
        provider: deskgate_core::Provider,
        external_ref: Option<String>,
        checked: NewAuth,
        ctx: &RequestContext,
        spend: Option<SessionSpend>,
    ) -> Result<Connection, AppError> {
        let now = Utc::now();
        let id = ConnectionId::new();
        let record = ConnectionRecord {
            id,
            tenant_id: tenant,
            provider,
            account_label: checked.account_label,
            auth_kind: checked.mode,
            status: ConnectionStatus::Active,
            external_ref,
            created_at: now,
            updated_at: now,
            token_expires_at: checked.token_expires_at,
            status_detail: None,
            settings: deskgate_store::connections::settings(checked.settings),
        };
        let sealed = self.seal_credentials(tenant, id, &checked.credentials)?;
        let rows = sealed.rows();
        let fields: Vec<&str> = checked.credentials.fields().map(|f| f.label()).collect();
        let audit = AuditEvent {
            tenant_id: Some(tenant),
            at: now,
            actor: ctx.actor.to_string(),
            action: "connection.create".into(),
            target: Some(format!("connection:{id}")),
            request_id: ctx.request_id.clone(),
            detail: serde_json::json!({
                "provider": record.provider.as_str(),
                "account": record.account_label,
                "auth_kind": record.auth_kind.as_str(),
                "credential_fields": fields,
                "key_version": sealed.key_version,
            }),
        };
        let connection = Connection::from(record.clone());
        let events = App::connection_event(EventType::ConnectionCreated, &connection);
        self.store()
            .create_connection(&record, &rows, &audit, spend.as_ref(), &events)
            .await?;
        self.wake_deliveries();
        tracing::info!(%tenant, connection = %id, provider = %record.provider, "connection created");
        Ok(connection)
    }

    /// Gives a connection new credentials, keeping its id: after `needs_reauth`, or to move
    /// a Zendesk connection from a retiring API token to an OAuth client. The credentials
    /// are checked with the vendor first (a failed check changes nothing); then, with no
    /// renewal running anywhere, they replace the old ones, the auth kind and settings follow,
    /// and the connection is active again, in one transaction with its audit record.
    pub async fn reauthorize(
        &self,
        tenant: TenantId,
        id: ConnectionId,
        body: Map<String, Value>,
        ctx: &RequestContext,
    ) -> Result<Connection, AppError> {
        let current = self.connection(tenant, id).await?;
        let spec = registry::spec_of(&current)?;
        let auth = input::replacement(spec, body)?;
        let checked = self
            .check_auth(current.provider, &current.account_label, auth)
            .await?;
        self.replace_auth(&current, checked, ctx, None).await
    }

    /// Replaces a connection's auth with auth the vendor accepted, keeping its id, under its
    /// refresh lease; with `spend`, that connect session is spent in the same transaction.
    pub(crate) async fn replace_auth(
        &self,
        current: &Connection,
        checked: NewAuth,
        ctx: &RequestContext,
        spend: Option<SessionSpend>,
    ) -> Result<Connection, AppError> {
        let (tenant, id) = (current.tenant_id, current.id);
        let sealed = self.seal_credentials(tenant, id, &checked.credentials)?;
        let rows = sealed.rows();
        let now = Utc::now();
        let fields: Vec<&str> = checked.credentials.fields().map(|f| f.label()).collect();
        let events = App::connection_event(
            EventType::ConnectionReauthorized,
            &Connection {
                status: ConnectionStatus::Active,
                status_detail: None,
                auth_kind: checked.mode,
                ..current.clone()
            },
        );
        let write = CredentialWrite {
            fields: &rows,
            token_expires_at: checked.token_expires_at,
            auth_kind: Some(checked.mode),
            settings: Some(deskgate_store::connections::settings(checked.settings)),
            at: now,
            spend,
            events: &events,
        };
        let audit = AuditEvent {
            tenant_id: Some(tenant),
            at: now,
            actor: ctx.actor.to_string(),
            action: "connection.reauthorize".into(),
            target: Some(format!("connection:{id}")),
            request_id: ctx.request_id.clone(),
            detail: serde_json::json!({
                "auth_kind": checked.mode.as_str(),
                "previous_auth_kind": current.auth_kind.as_str(),
                "previous_status": current.status.as_str(),
                "credential_fields": fields,
                "key_version": sealed.key_version,
            }),
        };
        self.exclusive(tenant, id, || async {
            self.store()
                .save_credentials(tenant, id, &write, Some(&audit))
                .await
                .map_err(|e| match e {
                    deskgate_store::StoreError::MissingReference => {
                        AppError::NotFound("connection")
                    }
                    other => other.into(),
                })
        })
        .await?;
        self.forget_connection(tenant, id).await;
        self.wake_deliveries();
        tracing::info!(%tenant, connection = %id, auth_kind = checked.mode.as_str(), "connection reauthorized");
        self.connection(tenant, id).await
    }

    /// Checks `auth` with the provider (which may mint a token first); nothing is stored.
    pub(crate) async fn check_auth(
        &self,
        provider: deskgate_core::Provider,
        account_label: &str,
        auth: AuthInput,
    ) -> Result<NewAuth, AppError> {
        let spec = registry::spec(provider).ok_or_else(|| {
            AppError::invalid(
                "provider",
                format!("must be one of {}", registry::available()),
            )
        })?;
        spec.connect(self.upstream(), account_label, auth)
            .await
            .map_err(|e| registry::provider_error(None, e, AppError::ConnectFailed))
    }

    /// One of the tenant's connections; another tenant's is "not found".
    pub async fn connection(
        &self,
        tenant: TenantId,
        id: ConnectionId,
    ) -> Result<Connection, AppError> {
        self.store()
            .get_connection(tenant, id)
            .await?
            .map(Connection::from)
            .ok_or(AppError::NotFound("connection"))
    }

    /// A page of the tenant's connections, oldest first.
    pub async fn list_connections(
        &self,
        tenant: TenantId,
        query: &ListConnections,
    ) -> Result<Vec<Connection>, AppError> {
        let filter = ConnectionFilter {
            provider: query.provider,
            status: query.status,
            external_ref: query.external_ref.clone(),
        };
        Ok(self
            .store()
            .list_connections(tenant, &filter, query.after, query.limit)
            .await?
            .into_iter()
            .map(Connection::from)
            .collect())
    }

    /// Disconnects: revokes the token at the vendor where the vendor allows it (best effort:
    /// a vendor that is down does not keep a tenant from deleting), then deletes the
    /// connection and destroys its sealed credentials in one transaction.
    pub async fn disconnect(
        &self,
        tenant: TenantId,
        id: ConnectionId,
        ctx: &RequestContext,
    ) -> Result<(), AppError> {
        let connection = self.connection(tenant, id).await?;
        let spec = registry::spec_of(&connection)?;
        let revokes = spec.mode(connection.auth_kind).is_some_and(|m| m.revokes);
        if revokes && connection.status == ConnectionStatus::Active {
            let revoked = async {
                let creds = self
                    .credentials(
                        tenant,
                        id,
                        crate::credentials::CredentialPurpose::TokenRevoke,
                        ctx,
                    )
                    .await?;
                let cid = id.to_string();
                spec.revoke(
                    self.upstream(),
                    &registry::stored(&connection, &creds, &cid),
                )
                .await
                .map_err(|e| registry::provider_error(Some(&connection), e, AppError::Upstream))
            }
            .await;
            if let Err(e) = revoked {
                tracing::warn!(%tenant, connection = %id, error = %e, "revoking the token at the vendor failed; deleting anyway");
            }
        }
        self.delete_connection(tenant, id, ctx).await?;
        Ok(())
    }

    /// Marks a connection as needing a person to reconnect it.
    pub(crate) async fn mark_needs_reauth(
        &self,
        tenant: TenantId,
        id: ConnectionId,
        hint: &str,
    ) -> Result<(), AppError> {
        let before = self.connection(tenant, id).await?;
        let events = App::connection_event(
            EventType::ConnectionNeedsReauth,
            &Connection {
                status: ConnectionStatus::NeedsReauth,
                status_detail: Some(hint.to_owned()),
                ..before
            },
        );
        // Recorded once, by whichever call moved it; an already marked one changes nothing.
        let changed = self
            .store()
            .set_connection_status(
                tenant,
                id,
                ConnectionStatus::NeedsReauth,
                Some(hint),
                Utc::now(),
                &events,
            )
            .await?;
        self.forget_connection(tenant, id).await;
        if changed {
            self.wake_deliveries();
            tracing::warn!(%tenant, connection = %id, "connection needs reauthorization");
        }
        Ok(())
    }
}
