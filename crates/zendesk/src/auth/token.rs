//! Calls to Zendesk's token endpoint (`POST /oauth/tokens`, JSON body) and revocation
//! (`DELETE /api/v2/oauth/tokens/current`), all through the outbound engine.
//!
//! Written by hand rather than with the `oauth2` crate: Zendesk's token endpoint takes a
//! JSON body, while `oauth2` always sends `application/x-www-form-urlencoded`; and its
//! requests would have to be re-routed through our engine anyway (no redirects, SSRF guard,
//! the account's rate budget). What remains is three small JSON posts.

use chrono::{DateTime, TimeDelta, Utc};
use deskgate_connector::pkce::PkceVerifier;
use deskgate_core::{AuthMode, ConnectorError};
use deskgate_upstream::{Upstream, UpstreamRequest, UpstreamResponse};
use http::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value, json};

use super::credentials::{OAuthClient, ZendeskAuth};
use crate::errors::{self, from_upstream, parse_body};
use crate::subdomain::ZendeskSubdomain;
use crate::wire::WireToken;

/// Token lifetimes deskgate asks for explicitly (Zendesk's bounds: access 300 s to 2 days,
/// refresh 7 to 90 days).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenLifetimes {
    pub access_secs: u32,
    pub refresh_secs: u32,
}

impl Default for TokenLifetimes {
    /// Zendesk's defaults: 30 minutes and 30 days.
    fn default() -> Self {
        Self {
            access_secs: 30 * 60,
            refresh_secs: 30 * 24 * 3600,
        }
    }
}

/// The OAuth endpoints of one Zendesk account.
#[derive(Clone, Debug)]
pub struct ZendeskOAuth {
    upstream: Upstream,
    subdomain: ZendeskSubdomain,
    lifetimes: TokenLifetimes,
    connection_id: String,
}

pub(crate) const TOKEN_PATH: &str = "/oauth/tokens";

fn expiry(issued: DateTime<Utc>, seconds: Option<i64>) -> Option<DateTime<Utc>> {
    seconds
        .filter(|s| *s > 0)
        .and_then(TimeDelta::try_seconds)
        .and_then(|d| issued.checked_add_signed(d))
}

impl ZendeskOAuth {
    pub fn new(upstream: Upstream, subdomain: ZendeskSubdomain) -> Self {
        Self {
            upstream,
            subdomain,
            lifetimes: TokenLifetimes::default(),
            connection_id: String::new(),
        }
    }

    #[must_use]
    pub fn with_lifetimes(mut self, lifetimes: TokenLifetimes) -> Self {
        self.lifetimes = lifetimes;
        self
    }

    /// The connection id logged with each call.
    #[must_use]
    pub fn with_connection_id(mut self, id: impl Into<String>) -> Self {
        self.connection_id = id.into();
        self
    }

    pub fn subdomain(&self) -> &ZendeskSubdomain {
        &self.subdomain
    }

    /// Exchanges an authorization code (valid 120 s, usable once) for tokens.
    pub async fn exchange_code(
        &self,
        client: &OAuthClient,
        code: &SecretString,
        redirect_uri: &str,
        verifier: &PkceVerifier,
    ) -> Result<ZendeskAuth, ConnectorError> {
        let mut body = self.client_fields("authorization_code", client);
        body.insert("code".into(), json!(code.expose_secret()));
        body.insert("redirect_uri".into(), json!(redirect_uri));
        body.insert(
            "code_verifier".into(),
            json!(verifier.secret().expose_secret()),
        );
        self.with_lifetimes_asked(&mut body, true);
        let issued = Utc::now();
        let token = self.post(body, AuthMode::OauthCode).await?;
        oauth_credentials(token, client.clone(), issued)
    }

    /// Renews credentials: an OAuth grant is refreshed with its single-use refresh token
    /// (Zendesk answers a new access *and* refresh token and kills both old ones); client
    /// credentials are minted anew. The caller must persist the answer before using it, and
    /// must never present the old refresh token again: Zendesk treats a reused refresh token
    /// as theft and revokes the grant.
    ///
    /// The request is never retried once sent: a retry could present a token that the first
    /// attempt already rotated.
    pub async fn refresh(&self, auth: &ZendeskAuth) -> Result<ZendeskAuth, ConnectorError> {
        match auth {
            ZendeskAuth::ApiToken { .. } => Err(ConnectorError::Unsupported {
                operation: "refresh an api token",
            }),
            ZendeskAuth::OAuth { refresh: None, .. } => Err(ConnectorError::Unauthorized {
                hint: "this oauth grant has no refresh token: reconnect the account".into(),
            }),
            ZendeskAuth::OAuth {
                refresh: Some(refresh),
                client,
                ..
            } => {
                let mut body = self.client_fields("refresh_token", client);
                body.insert("refresh_token".into(), json!(refresh.expose_secret()));
                self.with_lifetimes_asked(&mut body, true);
                let issued = Utc::now();
                let token = self.post(body, AuthMode::OauthCode).await?;
                oauth_credentials(token, client.clone(), issued)
            }
            ZendeskAuth::ClientCredentials {
                client_id,
                client_secret,
                scope,
                ..
            } => {
                self.client_credentials(client_id, client_secret, scope)
                    .await
            }
        }
    }

    /// Mints a token with the client-credentials grant (confidential clients only). There is
    /// no refresh token: call again before `expires_at`.
    pub async fn client_credentials(
        &self,
        client_id: &str,
        client_secret: &SecretString,
        scope: &str,
    ) -> Result<ZendeskAuth, ConnectorError> {
        let client = OAuthClient {
            client_id: client_id.to_owned(),
            client_secret: Some(client_secret.clone()),
        };
        let mut body = self.client_fields("client_credentials", &client);
        body.insert("scope".into(), json!(scope));
        self.with_lifetimes_asked(&mut body, false);
        let issued = Utc::now();
        let token = self.post(body, AuthMode::ClientCredentials).await?;
        Ok(ZendeskAuth::ClientCredentials {
            client_id: client_id.to_owned(),
            client_secret: client_secret.clone(),
            scope: token.scope.clone().unwrap_or_else(|| scope.to_owned()),
            expires_at: expiry(issued, token.expires_in),
            token: SecretString::from(token.access_token),
        })
    }

    /// Revokes the token in use (`DELETE /api/v2/oauth/tokens/current`), on disconnect. An
    /// API token has nothing deskgate can revoke (an admin deletes it in Admin Center); a
    /// token Zendesk no longer accepts is already as good as revoked.
    pub async fn revoke(&self, auth: &ZendeskAuth) -> Result<(), ConnectorError> {
        if matches!(auth, ZendeskAuth::ApiToken { .. }) {
            return Ok(());
        }
        let request = self
            .request(Method::DELETE, "/api/v2/oauth/tokens/current")?
            .path_template("/api/v2/oauth/tokens/current");
        let response = self
            .upstream
            .send(auth.authorize(request))
            .await
            .map_err(|e| from_upstream(e, auth.mode(), &self.subdomain))?;
        match response.status().as_u16() {
            200..=299 | 401 => Ok(()),
            _ => Err(crate::errors::from_response(
                &response,
                auth.mode(),
                &self.subdomain,
            )),
        }
    }

    fn request(
        &self,
        method: Method,
        path: &'static str,
    ) -> Result<UpstreamRequest, ConnectorError> {
        UpstreamRequest::new(
            method,
            self.subdomain.origin(),
            path,
            self.subdomain.budget_key().clone(),
        )
        .map(|r| {
            r.path_template(path)
                .connection_id(self.connection_id.clone())
        })
        .map_err(|e| ConnectorError::Transport {
            detail: e.to_string(),
        })
    }

    fn client_fields(&self, grant_type: &str, client: &OAuthClient) -> Map<String, Value> {
        let mut body = Map::new();
        body.insert("grant_type".into(), json!(grant_type));
        body.insert("client_id".into(), json!(client.client_id));
        if let Some(secret) = &client.client_secret {
            body.insert("client_secret".into(), json!(secret.expose_secret()));
        }
        body
    }

    fn with_lifetimes_asked(&self, body: &mut Map<String, Value>, refresh: bool) {
        body.insert("expires_in".into(), json!(self.lifetimes.access_secs));
        if refresh {
            body.insert(
                "refresh_token_expires_in".into(),
                json!(self.lifetimes.refresh_secs),
            );
        }
    }

    async fn post(
        &self,
        body: Map<String, Value>,
        mode: AuthMode,
    ) -> Result<WireToken, ConnectorError> {
        let bytes =
            serde_json::to_vec(&Value::Object(body)).map_err(|e| ConnectorError::BadResponse {
                detail: format!("token request could not be encoded: {e}"),
            })?;
        let request = self
            .request(Method::POST, TOKEN_PATH)?
            .json_body(bytes)
            .idempotent(false);
        let response = self
            .upstream
            .send(request)
            .await
            .map_err(|e| from_upstream(e, mode, &self.subdomain))?;
        if !response.status().is_success() {
            return Err(errors::unknown_account_of(&response, &self.subdomain)
                .unwrap_or_else(|| token_error(&response)));
        }
        serde_json::from_slice::<WireToken>(response.body()).map_err(|e| {
            ConnectorError::BadResponse {
                detail: format!("the token answer could not be read: {e}"),
            }
        })
    }
}

fn oauth_credentials(
    token: WireToken,
    client: OAuthClient,
    issued: DateTime<Utc>,
) -> Result<ZendeskAuth, ConnectorError> {
    Ok(ZendeskAuth::OAuth {
        expires_at: expiry(issued, token.expires_in),
        refresh_expires_at: expiry(issued, token.refresh_token_expires_in),
        refresh: token.refresh_token.map(SecretString::from),
        access: SecretString::from(token.access_token),
        client,
    })
}

/// OAuth errors (RFC 6749 §5.2) from the token endpoint, by what the caller can do.
fn token_error(response: &UpstreamResponse) -> ConnectorError {
    let vendor = parse_body(response.body());
    let status = response.status().as_u16();
    match vendor.code.as_deref() {
        Some("invalid_grant") => ConnectorError::Unauthorized {
            hint: "zendesk refused the grant (the code or refresh token is expired, already \
                   used or revoked): reconnect the account"
                .into(),
        },
        Some("invalid_client" | "unauthorized_client") => ConnectorError::Unauthorized {
            hint: "zendesk refused the oauth client: check its unique identifier and secret \
                   in Admin Center → Apps and integrations → APIs → OAuth clients"
                .into(),
        },
        Some(code) if status < 500 => ConnectorError::Invalid {
            message: if vendor.message.is_empty() {
                code.to_owned()
            } else {
                format!("{code}: {}", vendor.message)
            },
            fields: vendor.fields,
        },
        _ => ConnectorError::Upstream { status },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_counted_from_the_moment_the_request_left() {
        let issued = DateTime::parse_from_rfc3339("2026-11-01T10:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            expiry(issued, Some(1800)).unwrap().to_rfc3339(),
            "2026-11-01T10:30:00+00:00"
        );
        assert_eq!(expiry(issued, None), None);
        assert_eq!(expiry(issued, Some(0)), None);
    }
}
