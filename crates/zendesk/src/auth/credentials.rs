//! [`ZendeskAuth`]: the three ways a connection authenticates, as typed secrets.

use chrono::{DateTime, NaiveDate, Utc};
use deskgate_core::AuthMode;
use deskgate_upstream::UpstreamRequest;
use secrecy::{ExposeSecret, SecretString};

/// Zendesk disables every API token on this day (no new ones since 2026-10-27).
pub const API_TOKEN_DEPRECATED_AFTER: NaiveDate = match NaiveDate::from_ymd_opt(2027, 4, 30) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// What a connection on an API token should do before [`API_TOKEN_DEPRECATED_AFTER`].
pub const API_TOKEN_MIGRATION_HINT: &str = "zendesk disables api tokens on 2027-04-30: \
    give this connection an oauth client's credentials before then (it keeps its id)";

/// An OAuth client registered in the customer's Zendesk (Admin Center → Apps and integrations
/// → APIs → OAuth clients), or the tenant's global client. `client_secret` is absent for a
/// public client that relies on PKCE alone.
#[derive(Clone, Debug)]
pub struct OAuthClient {
    /// The client's "unique identifier".
    pub client_id: String,
    pub client_secret: Option<SecretString>,
}

/// A connection's credentials. `Debug` never shows a secret (`secrecy` redacts them).
#[derive(Clone, Debug)]
pub enum ZendeskAuth {
    /// Legacy: `Authorization: Basic base64("{email}/token:{token}")`.
    ApiToken { email: String, token: SecretString },
    /// Authorization code (with PKCE): a short-lived access token and a rotating, single-use
    /// refresh token.
    OAuth {
        access: SecretString,
        /// Absent only for grants made before Zendesk issued refresh tokens.
        refresh: Option<SecretString>,
        /// When the access token stops working; `None` if Zendesk did not say.
        expires_at: Option<DateTime<Utc>>,
        /// When the refresh token stops working.
        refresh_expires_at: Option<DateTime<Utc>>,
        client: OAuthClient,
    },
    /// Client-credentials grant: no user, no refresh token; mint a new token before expiry.
    ClientCredentials {
        client_id: String,
        client_secret: SecretString,
        /// The scope asked for at minting, asked for again when renewing.
        scope: String,
        token: SecretString,
        expires_at: Option<DateTime<Utc>>,
    },
}

impl ZendeskAuth {
    pub fn mode(&self) -> AuthMode {
        match self {
            Self::ApiToken { .. } => AuthMode::ApiToken,
            Self::OAuth { .. } => AuthMode::OauthCode,
            Self::ClientCredentials { .. } => AuthMode::ClientCredentials,
        }
    }

    /// When the token in use stops working, if it expires.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Self::ApiToken { .. } => None,
            Self::OAuth { expires_at, .. } | Self::ClientCredentials { expires_at, .. } => {
                *expires_at
            }
        }
    }

    /// Whether [`ZendeskOAuth::refresh`](crate::ZendeskOAuth::refresh) can renew these
    /// credentials: an OAuth grant with a refresh token, or client credentials.
    pub fn is_renewable(&self) -> bool {
        match self {
            Self::ApiToken { .. } => false,
            Self::OAuth { refresh, .. } => refresh.is_some(),
            Self::ClientCredentials { .. } => true,
        }
    }

    /// The day these credentials stop working for good, whatever deskgate does: API tokens
    /// only.
    pub fn deprecated_after(&self) -> Option<NaiveDate> {
        matches!(self, Self::ApiToken { .. }).then_some(API_TOKEN_DEPRECATED_AFTER)
    }

    /// What to do about [`deprecated_after`](Self::deprecated_after).
    pub fn migration_hint(&self) -> Option<&'static str> {
        matches!(self, Self::ApiToken { .. }).then_some(API_TOKEN_MIGRATION_HINT)
    }

    /// Adds the `Authorization` header (as a secret the engine sends as sensitive).
    pub(crate) fn authorize(&self, request: UpstreamRequest) -> UpstreamRequest {
        match self {
            Self::ApiToken { email, token } => request.basic_auth(
                SecretString::from(format!("{email}/token")),
                SecretString::from(token.expose_secret()),
            ),
            Self::OAuth { access, .. } => request.bearer_auth(access.clone()),
            Self::ClientCredentials { token, .. } => request.bearer_auth(token.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_every_secret() {
        let auths = [
            ZendeskAuth::ApiToken {
                email: "agent@acme.test".into(),
                token: "canary-api-token".into(),
            },
            ZendeskAuth::OAuth {
                access: "canary-access".into(),
                refresh: Some("canary-refresh".into()),
                expires_at: None,
                refresh_expires_at: None,
                client: OAuthClient {
                    client_id: "deskgate".into(),
                    client_secret: Some("canary-secret".into()),
                },
            },
            ZendeskAuth::ClientCredentials {
                client_id: "deskgate".into(),
                client_secret: "canary-secret".into(),
                scope: "read".into(),
                token: "canary-token".into(),
                expires_at: None,
            },
        ];
        for auth in auths {
            let printed = format!("{auth:?}");
            assert!(!printed.contains("canary"), "{printed}");
        }
    }

    #[test]
    fn only_api_tokens_carry_the_2027_deadline() {
        let token = ZendeskAuth::ApiToken {
            email: "a@b.test".into(),
            token: "t".into(),
        };
        assert_eq!(token.deprecated_after().unwrap().to_string(), "2027-04-30");
        assert!(token.migration_hint().unwrap().contains("oauth"));
        assert!(!token.is_renewable());
        let cc = ZendeskAuth::ClientCredentials {
            client_id: "c".into(),
            client_secret: "s".into(),
            scope: "read".into(),
            token: "t".into(),
            expires_at: None,
        };
        assert_eq!(cc.deprecated_after(), None);
        assert!(cc.is_renewable());
    }
}
