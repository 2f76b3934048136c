//! The provider registry: stored credentials ⇄ each vendor's typed auth, and the connector
//! built from them. One `match` on the provider; a new vendor adds an arm here.

use std::sync::Arc;

use deskgate_core::{Connector, Provider};
use deskgate_upstream::Upstream;
use deskgate_zendesk::{
    ConnectInput, OAuthClient, ZendeskAuth, ZendeskConnector, ZendeskSubdomain,
};
use secrecy::{ExposeSecret, SecretString};

use crate::AppError;
use crate::connections::Connection;
use crate::credentials::{CredentialField, Credentials};

/// The scope asked for when a client-credentials connection names none.
pub(crate) const DEFAULT_SCOPE: &str = "read write";

fn missing(connection: &Connection, field: CredentialField) -> AppError {
    AppError::Internal(format!(
        "connection {} has no stored `{field}`",
        connection.id
    ))
}

fn field(
    connection: &Connection,
    creds: &Credentials,
    field: CredentialField,
) -> Result<SecretString, AppError> {
    creds
        .get(field)
        .cloned()
        .ok_or_else(|| missing(connection, field))
}

fn text(
    connection: &Connection,
    creds: &Credentials,
    f: CredentialField,
) -> Result<String, AppError> {
    Ok(field(connection, creds, f)?.expose_secret().to_owned())
}

/// The Zendesk auth of a stored connection.
pub(crate) fn zendesk_input(
    connection: &Connection,
    creds: &Credentials,
) -> Result<ConnectInput, AppError> {
    let subdomain = ZendeskSubdomain::parse(&connection.account_label).map_err(|e| {
        AppError::Internal(format!(
            "connection {} has a bad subdomain: {e}",
            connection.id
        ))
    })?;
    let auth = match connection.auth_kind {
        deskgate_core::AuthMode::ApiToken => ZendeskAuth::ApiToken {
            email: text(connection, creds, CredentialField::Email)?,
            token: field(connection, creds, CredentialField::ApiToken)?,
        },
        deskgate_core::AuthMode::ClientCredentials => ZendeskAuth::ClientCredentials {
            client_id: text(connection, creds, CredentialField::ClientId)?,
            client_secret: field(connection, creds, CredentialField::ClientSecret)?,
            scope: connection.settings["scope"]
                .as_str()
                .unwrap_or(DEFAULT_SCOPE)
                .to_owned(),
            token: field(connection, creds, CredentialField::AccessToken)?,
            expires_at: connection.token_expires_at,
        },
        deskgate_core::AuthMode::OauthCode => ZendeskAuth::OAuth {
            access: field(connection, creds, CredentialField::AccessToken)?,
            refresh: creds.get(CredentialField::RefreshToken).cloned(),
            expires_at: connection.token_expires_at,
            refresh_expires_at: connection.settings["refresh_expires_at"]
                .as_str()
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                .map(|d| d.to_utc()),
            client: OAuthClient {
                client_id: text(connection, creds, CredentialField::ClientId)?,
                client_secret: creds.get(CredentialField::ClientSecret).cloned(),
            },
        },
        other => {
            return Err(AppError::Internal(format!(
                "connection {} has auth kind {} which zendesk does not use",
                connection.id,
                other.as_str()
            )));
        }
    };
    Ok(ConnectInput { subdomain, auth })
}

/// What to store for a Zendesk auth: its secrets as credential fields, and its non-secret
/// settings.
pub(crate) fn zendesk_credentials(auth: &ZendeskAuth) -> (Credentials, serde_json::Value) {
    match auth {
        ZendeskAuth::ApiToken { email, token } => (
            Credentials::new()
                .with(CredentialField::Email, email.clone())
                .with(CredentialField::ApiToken, token.clone()),
            serde_json::json!({}),
        ),
        ZendeskAuth::ClientCredentials {
            client_id,
            client_secret,
            scope,
            token,
            ..
        } => (
            Credentials::new()
                .with(CredentialField::ClientId, client_id.clone())
                .with(CredentialField::ClientSecret, client_secret.clone())
                .with(CredentialField::AccessToken, token.clone()),
            serde_json::json!({ "scope": scope }),
        ),
        ZendeskAuth::OAuth {
            access,
            refresh,
            refresh_expires_at,
            client,
            ..
        } => {
            let mut creds = Credentials::new()
                .with(CredentialField::AccessToken, access.clone())
                .with(CredentialField::ClientId, client.client_id.clone());
            if let Some(refresh) = refresh {
                creds = creds.with(CredentialField::RefreshToken, refresh.clone());
            }
            if let Some(secret) = &client.client_secret {
                creds = creds.with(CredentialField::ClientSecret, secret.clone());
            }
            (
                creds,
                serde_json::json!({ "refresh_expires_at": refresh_expires_at }),
            )
        }
    }
}

/// A connector for a stored connection.
pub(crate) fn connector(
    upstream: &Upstream,
    connection: &Connection,
    creds: &Credentials,
) -> Result<Arc<dyn Connector>, AppError> {
    match connection.provider {
        Provider::Zendesk => {
            let input = zendesk_input(connection, creds)?;
            Ok(Arc::new(
                ZendeskConnector::new(upstream.clone(), input)
                    .with_connection_id(connection.id.to_string()),
            ))
        }
        other => Err(AppError::Internal(format!(
            "connection {} is of provider {other}, which this build lacks",
            connection.id
        ))),
    }
}
