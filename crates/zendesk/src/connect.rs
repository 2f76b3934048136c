//! What the app needs to build a Zendesk connection and to show its health.

use chrono::{DateTime, NaiveDate, Utc};
use deskgate_core::{AccountIdentity, AuthMode, ConnectorError};
use secrecy::SecretString;

use crate::auth::ZendeskAuth;
use crate::subdomain::{SubdomainError, ZendeskSubdomain};

/// Everything a connector is built from: which account, and how to authenticate.
#[derive(Clone, Debug)]
pub struct ConnectInput {
    pub subdomain: ZendeskSubdomain,
    pub auth: ZendeskAuth,
}

impl ConnectInput {
    /// From what a person pastes on the connect page: subdomain, agent email, API token.
    /// The subdomain is checked here, before anything is sent anywhere.
    pub fn api_token(
        subdomain: &str,
        email: &str,
        token: SecretString,
    ) -> Result<Self, SubdomainError> {
        Ok(Self {
            subdomain: ZendeskSubdomain::parse(subdomain)?,
            auth: ZendeskAuth::ApiToken {
                email: email.trim().to_owned(),
                token,
            },
        })
    }
}

/// A connection's health, as `GET /v1/connections/{id}/health` shows it.
#[derive(Clone, Debug)]
pub struct ZendeskHealth {
    pub auth_mode: AuthMode,
    /// Whose credentials these are, when the check passed.
    pub identity: Option<AccountIdentity>,
    /// What is wrong, with a hint a person can act on, when the check failed.
    pub problem: Option<ConnectorError>,
    /// API tokens stop working on this day (2027-04-30).
    pub deprecated_after: Option<NaiveDate>,
    pub migration_hint: Option<&'static str>,
    pub token_expires_at: Option<DateTime<Utc>>,
}
