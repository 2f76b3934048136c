use chrono::Utc;
use deskgate_core::{AuthMode, ConnectionId, Connector, Provider, TenantId};
use deskgate_store::audit::AuditEvent;
use deskgate_store::connections::{ConnectionFilter, ConnectionRecord, CredentialWrite};
use deskgate_zendesk::{
    ConnectInput, ZendeskAuth, ZendeskConnector, ZendeskOAuth, ZendeskSubdomain,
};

use crate::connections::model::{
    ConnectRequest, Connection, ConnectionStatus, ListConnections, ZendeskAuthInput, ZendeskConnect,
};
use crate::connections::providers::{self, DEFAULT_SCOPE};
use crate::{App, AppError, RequestContext};

/// A checked, not yet stored connection.
struct Checked {
    provider: Provider,
    account_label: String,
    auth_kind: AuthMode,
    credentials: crate::credentials::Credentials,
    settings: serde_json::Value,
    token_expires_at: Option<chrono::DateTime<Utc>>,
}

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

fn check_email(email: &str) -> Result<(), AppError> {
    let email = email.trim();
    let plausible = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if plausible {
        Ok(())
    } else {
        Err(AppError::invalid(
            "auth.email",
            "must be the email address of the Zendesk user the token belongs to",
        ))
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
        external_ref: Option<String>,
        ctx: &RequestContext,
    ) -> Result<Connection, AppError> {
        check_external_ref(external_ref.as_deref())?;
        let checked = match request {
            ConnectRequest::Zendesk(z) => self.check_zendesk(z).await?,
        };
        let now = Utc::now();
        let id = ConnectionId::new();
        let record = ConnectionRecord {
            id,
            tenant_id: tenant,
            provider: checked.provider.as_str().to_owned(),
            account_label: checked.account_label,
            auth_kind: checked.auth_kind.as_str().to_owned(),
            status: ConnectionStatus::Active.as_str().to_owned(),
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
                "provider": record.provider,
                "account": record.account_label,
                "auth_kind": record.auth_kind,
                "credential_fields": fields,
                "key_version": sealed.key_version,
            }),
        };
        self.store()
            .create_connection(&record, &rows, &audit)
            .await?;
        tracing::info!(%tenant, connection = %id, provider = %record.provider, "connection created");
        Connection::try_from(record)
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
        auth: ZendeskAuthInput,
        ctx: &RequestContext,
    ) -> Result<Connection, AppError> {
        let current = self.connection(tenant, id).await?;
        let checked = match current.provider {
            Provider::Zendesk => {
                self.check_zendesk(ZendeskConnect {
                    subdomain: current.account_label.clone(),
                    auth,
                })
                .await?
            }
            other => {
                return Err(AppError::Internal(format!(
                    "connection {id} is of provider {other}, which this build lacks"
                )));
            }
        };
        let sealed = self.seal_credentials(tenant, id, &checked.credentials)?;
        let rows = sealed.rows();
        let now = Utc::now();
        let fields: Vec<&str> = checked.credentials.fields().map(|f| f.label()).collect();
        let write = CredentialWrite {
            fields: &rows,
            token_expires_at: checked.token_expires_at,
            auth_kind: Some(checked.auth_kind.as_str()),
            settings: Some(deskgate_store::connections::settings(checked.settings)),
            at: now,
        };
        let audit = AuditEvent {
            tenant_id: Some(tenant),
            at: now,
            actor: ctx.actor.to_string(),
            action: "connection.reauthorize".into(),
            target: Some(format!("connection:{id}")),
            request_id: ctx.request_id.clone(),
            detail: serde_json::json!({
                "auth_kind": checked.auth_kind.as_str(),
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
        tracing::info!(%tenant, connection = %id, auth_kind = checked.auth_kind.as_str(), "connection reauthorized");
        self.connection(tenant, id).await
    }

    async fn check_zendesk(&self, z: ZendeskConnect) -> Result<Checked, AppError> {
        let subdomain = ZendeskSubdomain::parse(&z.subdomain)
            .map_err(|e| AppError::invalid("subdomain", e.to_string()))?;
        let auth = match z.auth {
            ZendeskAuthInput::ApiToken { email, token } => {
                check_email(&email)?;
                ZendeskAuth::ApiToken {
                    email: email.trim().to_owned(),
                    token,
                }
            }
            ZendeskAuthInput::ClientCredentials {
                client_id,
                client_secret,
                scope,
            } => {
                let client_id = client_id.trim().to_owned();
                if client_id.is_empty() || client_id.len() > 200 {
                    return Err(AppError::invalid(
                        "auth.client_id",
                        "must be the OAuth client's unique identifier",
                    ));
                }
                let scope = scope.unwrap_or_else(|| DEFAULT_SCOPE.to_owned());
                ZendeskOAuth::new(self.upstream().clone(), subdomain.clone())
                    .client_credentials(&client_id, &client_secret, &scope)
                    .await
                    .map_err(AppError::ConnectFailed)?
            }
        };
        let connector = ZendeskConnector::new(
            self.upstream().clone(),
            ConnectInput {
                subdomain: subdomain.clone(),
                auth: auth.clone(),
            },
        );
        connector.check().await.map_err(AppError::ConnectFailed)?;
        let (credentials, settings) = providers::zendesk_credentials(&auth);
        Ok(Checked {
            provider: Provider::Zendesk,
            account_label: subdomain.as_str().to_owned(),
            auth_kind: auth.mode(),
            credentials,
            settings,
            token_expires_at: auth.expires_at(),
        })
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
            .ok_or(AppError::NotFound("connection"))
            .and_then(Connection::try_from)
    }

    /// A page of the tenant's connections, oldest first.
    pub async fn list_connections(
        &self,
        tenant: TenantId,
        query: &ListConnections,
    ) -> Result<Vec<Connection>, AppError> {
        let filter = ConnectionFilter {
            provider: query.provider.map(|p| p.as_str().to_owned()),
            status: query.status.map(|s| s.as_str().to_owned()),
            external_ref: query.external_ref.clone(),
        };
        self.store()
            .list_connections(tenant, &filter, query.after, query.limit)
            .await?
            .into_iter()
            .map(Connection::try_from)
            .collect()
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
        if matches!(
            connection.auth_kind,
            AuthMode::OauthCode | AuthMode::ClientCredentials
        ) && connection.status == ConnectionStatus::Active
        {
            let revoked = async {
                let creds = self
                    .credentials(
                        tenant,
                        id,
                        crate::credentials::CredentialPurpose::TokenRevoke,
                        ctx,
                    )
                    .await?;
                let input = providers::zendesk_input(&connection, &creds)?;
                ZendeskConnector::new(self.upstream().clone(), input)
                    .revoke()
                    .await
                    .map_err(AppError::Upstream)
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
        self.store()
            .set_connection_status(
                tenant,
                id,
                ConnectionStatus::NeedsReauth.as_str(),
                Some(hint),
                Utc::now(),
            )
            .await?;
        self.forget_connection(tenant, id).await;
        tracing::warn!(%tenant, connection = %id, "connection needs reauthorization");
        Ok(())
    }
}
