//! [`ZENDESK`]: Zendesk described once for the registry — the subdomain, the three auth
//! modes and their fields, how their credentials are stored and read back, the connect
//! check (minting a client-credentials token first), renewal, revocation, the API-token
//! deadline and the rate-budget key.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deskgate_connector::{
    AccountField, AuthInput, AuthorizeRequest as AuthorizeRequestInput, CodeExchange,
    CredentialField, Credentials, Deprecation, Description, HookKey, HookRefusal, HookScheme,
    InboundHook, InputField, ModeDescription, NewAuth, ProviderError, ProviderSpec, Stored,
    StoredError,
};
use deskgate_core::{AuthMode, Connector, FieldError, Provider};
use deskgate_upstream::{BudgetKey, Upstream};
use serde::{Deserialize, Serialize};

use crate::auth::{
    API_TOKEN_DEPRECATED_AFTER, API_TOKEN_MIGRATION_HINT, AuthorizeRequest, OAuthClient,
    OAuthState, PkceVerifier, ZendeskAuth, ZendeskOAuth,
};
use crate::capabilities::capabilities;
use crate::client::ZendeskConnector;
use crate::connect::ConnectInput;
use crate::hooks;
use crate::subdomain::{ZENDESK_DOMAIN, ZendeskSubdomain};

/// The scope asked for when a client-credentials connection names none.
pub const DEFAULT_SCOPE: &str = "read write";

/// Zendesk, for the registry.
pub static ZENDESK: ZendeskSpec = ZendeskSpec;

#[derive(Debug)]
pub struct ZendeskSpec;

/// A Zendesk connection's non-secret settings, as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ZendeskSettings {
    /// The scope a client-credentials token is minted with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// When an OAuth grant's refresh token stops working.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_expires_at: Option<DateTime<Utc>>,
}

const MODES: &[ModeDescription] = &[
    ModeDescription {
        mode: AuthMode::OauthCode,
        title: "Sign in with Zendesk",
        summary: "Sign in to Zendesk and approve access; access renews itself (OAuth \
                  authorization code with PKCE, rotating refresh tokens)",
        fields: &[
            InputField::text(
                "client_id",
                "the unique identifier of an OAuth client in the customer's Admin Center, when \
                 they bring their own",
            )
            .optional(),
            InputField::secret("client_secret", "that OAuth client's secret").optional(),
        ],
        posted: false,
        renews: true,
        revokes: true,
    },
    ModeDescription {
        mode: AuthMode::ClientCredentials,
        title: "Your own OAuth client",
        summary: "An OAuth client of the account (Admin Center → Apps and integrations → APIs \
                  → OAuth clients), with the client-credentials grant",
        fields: &[
            InputField::text("client_id", "the OAuth client's unique identifier"),
            InputField::secret("client_secret", "the OAuth client's secret"),
            InputField::text("scope", "space-separated scopes; `read write` by default").optional(),
        ],
        posted: true,
        renews: true,
        revokes: true,
    },
    ModeDescription {
        mode: AuthMode::ApiToken,
        title: "API token (legacy)",
        summary: "Legacy API token: Zendesk issues no new ones since 2026-10-27 and disables \
                  all of them on 2027-04-30",
        fields: &[
            InputField::email("email", "the email of the Zendesk user the token acts as"),
            InputField::secret(
                "token",
                "an API token (Admin Center → Apps and integrations → APIs → API tokens)",
            ),
        ],
        posted: true,
        renews: false,
        revokes: false,
    },
];

static DESCRIPTION: Description = Description {
    provider: Provider::Zendesk,
    title: "Zendesk",
    account_field: AccountField {
        name: "subdomain",
        description: "`acme` for acme.zendesk.com: a DNS label, never a URL",
        example: "acme",
        choices: &[],
    },
    modes: MODES,
    host_suffix: Some(ZENDESK_DOMAIN),
    capabilities,
};

fn subdomain(label: &str) -> Result<ZendeskSubdomain, StoredError> {
    ZendeskSubdomain::parse(label).map_err(|e| StoredError(format!("bad subdomain: {e}")))
}

/// The Zendesk auth of a stored connection.
fn stored_auth(stored: &Stored<'_>) -> Result<ZendeskAuth, StoredError> {
    let creds = stored.credentials;
    let settings: ZendeskSettings = stored.settings()?;
    Ok(match stored.mode {
        AuthMode::ApiToken => ZendeskAuth::ApiToken {
            email: creds.text(CredentialField::Email)?,
            token: creds.require(CredentialField::ApiToken)?.clone(),
        },
        AuthMode::ClientCredentials => ZendeskAuth::ClientCredentials {
            client_id: creds.text(CredentialField::ClientId)?,
            client_secret: creds.require(CredentialField::ClientSecret)?.clone(),
            scope: settings.scope.unwrap_or_else(|| DEFAULT_SCOPE.to_owned()),
            token: creds.require(CredentialField::AccessToken)?.clone(),
            expires_at: stored.token_expires_at,
        },
        AuthMode::OauthCode => ZendeskAuth::OAuth {
            access: creds.require(CredentialField::AccessToken)?.clone(),
            refresh: creds.get(CredentialField::RefreshToken).cloned(),
            expires_at: stored.token_expires_at,
            refresh_expires_at: settings.refresh_expires_at,
            client: OAuthClient {
                client_id: creds.text(CredentialField::ClientId)?,
                client_secret: creds.get(CredentialField::ClientSecret).cloned(),
            },
        },
        other => {
            return Err(StoredError(format!(
                "auth kind {} is not one zendesk uses",
                other.as_str()
            )));
        }
    })
}

fn input(stored: &Stored<'_>) -> Result<ConnectInput, StoredError> {
    Ok(ConnectInput {
        subdomain: subdomain(stored.account_label)?,
        auth: stored_auth(stored)?,
    })
}

/// What to store for a Zendesk auth: its secrets as credential fields, its settings, and
/// its expiry.
pub fn stored(subdomain: &ZendeskSubdomain, auth: &ZendeskAuth) -> NewAuth {
    let mut settings = ZendeskSettings::default();
    let credentials = match auth {
        ZendeskAuth::ApiToken { email, token } => Credentials::new()
            .with(CredentialField::Email, email.clone())
            .with(CredentialField::ApiToken, token.clone()),
        ZendeskAuth::ClientCredentials {
            client_id,
            client_secret,
            scope,
            token,
            ..
        } => {
            settings.scope = Some(scope.clone());
            Credentials::new()
                .with(CredentialField::ClientId, client_id.clone())
                .with(CredentialField::ClientSecret, client_secret.clone())
                .with(CredentialField::AccessToken, token.clone())
        }
        ZendeskAuth::OAuth {
            access,
            refresh,
            refresh_expires_at,
            client,
            ..
        } => {
            settings.refresh_expires_at = *refresh_expires_at;
            let mut creds = Credentials::new()
                .with(CredentialField::AccessToken, access.clone())
                .with(CredentialField::ClientId, client.client_id.clone());
            if let Some(refresh) = refresh {
                creds = creds.with(CredentialField::RefreshToken, refresh.clone());
            }
            if let Some(secret) = &client.client_secret {
                creds = creds.with(CredentialField::ClientSecret, secret.clone());
            }
            creds
        }
    };
    NewAuth {
        account_label: subdomain.as_str().to_owned(),
        mode: auth.mode(),
        credentials,
        settings: serde_json::to_value(settings).unwrap_or_default(),
        token_expires_at: auth.expires_at(),
    }
}

fn invalid(field: FieldError) -> ProviderError {
    ProviderError::Invalid(field)
}

#[async_trait]
impl ProviderSpec for ZendeskSpec {
    fn description(&self) -> &'static Description {
        &DESCRIPTION
    }

    /// Zendesk signs each webhook notification with the webhook's signing secret.
    fn hook_scheme(&self) -> HookScheme {
        hooks::SCHEME
    }

    fn verify_hook(&self, hook: &InboundHook<'_>, key: HookKey<'_>) -> Result<(), HookRefusal> {
        hooks::verify(hook, key)
    }

    fn budget_keys(&self, account_label: &str) -> Vec<BudgetKey> {
        // The account's budget, then the incremental export's own cap (10 a minute).
        ZendeskSubdomain::parse(account_label)
            .map(|s| vec![s.budget_key().clone(), s.export_budget_key()])
            .unwrap_or_default()
    }

    fn deprecation(&self, mode: AuthMode) -> Option<Deprecation> {
        (mode == AuthMode::ApiToken).then_some(Deprecation {
            after: API_TOKEN_DEPRECATED_AFTER,
            hint: API_TOKEN_MIGRATION_HINT,
        })
    }

    async fn connect(
        &self,
        upstream: &Upstream,
        account_label: &str,
        input: AuthInput,
    ) -> Result<NewAuth, ProviderError> {
        let subdomain = ZendeskSubdomain::parse(account_label)
            .map_err(|e| ProviderError::invalid("subdomain", e.to_string()))?;
        let auth = match input.mode() {
            AuthMode::ApiToken => ZendeskAuth::ApiToken {
                email: input.required_text("email").map_err(invalid)?.to_owned(),
                token: input.required_secret("token").map_err(invalid)?.clone(),
            },
            AuthMode::ClientCredentials => {
                let client_id = input.required_text("client_id").map_err(invalid)?;
                let secret = input.required_secret("client_secret").map_err(invalid)?;
                let scope = input.text("scope").unwrap_or(DEFAULT_SCOPE);
                ZendeskOAuth::new(upstream.clone(), subdomain.clone())
                    .client_credentials(client_id, secret, scope)
                    .await?
            }
            other => {
                return Err(ProviderError::invalid(
                    "auth.mode",
                    format!(
                        "`{}` connections are made by the connect page's redirect, not posted",
                        other.as_str()
                    ),
                ));
            }
        };
        let connector = ZendeskConnector::new(
            upstream.clone(),
            ConnectInput {
                subdomain: subdomain.clone(),
                auth: auth.clone(),
            },
        );
        deskgate_core::Connector::check(&connector).await?;
        Ok(stored(&subdomain, &auth))
    }

    fn connector(
        &self,
        upstream: &Upstream,
        stored: &Stored<'_>,
    ) -> Result<Arc<dyn Connector>, StoredError> {
        Ok(Arc::new(
            ZendeskConnector::new(upstream.clone(), input(stored)?)
                .with_connection_id(stored.connection_id),
        ))
    }

    /// A rotating refresh for an OAuth grant, a new token for client credentials; never
    /// retried once sent (see [`ZendeskOAuth::refresh`]).
    async fn refresh(
        &self,
        upstream: &Upstream,
        stored: &Stored<'_>,
    ) -> Result<NewAuth, ProviderError> {
        let input = input(stored)?;
        let renewed = ZendeskOAuth::new(upstream.clone(), input.subdomain.clone())
            .with_connection_id(stored.connection_id)
            .refresh(&input.auth)
            .await?;
        Ok(self::stored(&input.subdomain, &renewed))
    }

    /// `https://{subdomain}.zendesk.com/oauth/tokens`: every subdomain is its own
    /// authorization server.
    fn token_url(&self, account_label: &str) -> Option<String> {
        let subdomain = ZendeskSubdomain::parse(account_label).ok()?;
        Some(subdomain.browser_url(crate::auth::TOKEN_PATH).to_string())
    }

    /// `https://{subdomain}.zendesk.com/oauth/authorizations/new` with PKCE S256 and `state`.
    fn authorize_url(
        &self,
        request: &AuthorizeRequestInput<'_>,
    ) -> Result<Option<String>, ProviderError> {
        let subdomain = ZendeskSubdomain::parse(request.account_label)
            .map_err(|e| ProviderError::invalid("subdomain", e.to_string()))?;
        let url = AuthorizeRequest {
            subdomain: &subdomain,
            client_id: &request.client.client_id,
            redirect_uri: request.redirect_uri,
            scope: request.client.scopes.as_deref().unwrap_or(DEFAULT_SCOPE),
        }
        .url(
            &PkceVerifier::from_secret(request.verifier.clone()),
            &OAuthState::from_secret(request.state.clone()),
        );
        Ok(Some(url.to_string()))
    }

    /// The code (valid 120 s, single use) and the PKCE verifier for rotating tokens, then the
    /// same check as a posted mode.
    async fn exchange_code(
        &self,
        upstream: &Upstream,
        exchange: &CodeExchange<'_>,
    ) -> Result<NewAuth, ProviderError> {
        let subdomain = ZendeskSubdomain::parse(exchange.account_label)
            .map_err(|e| ProviderError::invalid("subdomain", e.to_string()))?;
        let client = OAuthClient {
            client_id: exchange.client.client_id.clone(),
            client_secret: exchange.client.client_secret.clone(),
        };
        let auth = ZendeskOAuth::new(upstream.clone(), subdomain.clone())
            .exchange_code(
                &client,
                exchange.code,
                exchange.redirect_uri,
                &PkceVerifier::from_secret(exchange.verifier.clone()),
            )
            .await?;
        let connector = ZendeskConnector::new(
            upstream.clone(),
            ConnectInput {
                subdomain: subdomain.clone(),
                auth: auth.clone(),
            },
        );
        deskgate_core::Connector::check(&connector).await?;
        Ok(stored(&subdomain, &auth))
    }

    async fn revoke(&self, upstream: &Upstream, stored: &Stored<'_>) -> Result<(), ProviderError> {
        let input = input(stored)?;
        ZendeskOAuth::new(upstream.clone(), input.subdomain.clone())
            .with_connection_id(stored.connection_id)
            .revoke(&input.auth)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_mode_reads_back_what_it_stored() {
        let sub = ZendeskSubdomain::parse("acme").unwrap();
        let auths = [
            ZendeskAuth::ApiToken {
                email: "a@b.test".into(),
                token: "t".into(),
            },
            ZendeskAuth::ClientCredentials {
                client_id: "c".into(),
                client_secret: "s".into(),
                scope: "read".into(),
                token: "t".into(),
                expires_at: Some(Utc::now()),
            },
            ZendeskAuth::OAuth {
                access: "a".into(),
                refresh: Some("r".into()),
                expires_at: Some(Utc::now()),
                refresh_expires_at: Some(Utc::now()),
                client: OAuthClient {
                    client_id: "c".into(),
                    client_secret: None,
                },
            },
        ];
        for auth in auths {
            let new = stored(&sub, &auth);
            let back = stored_auth(&Stored {
                account_label: &new.account_label,
                mode: new.mode,
                credentials: &new.credentials,
                settings: &new.settings,
                token_expires_at: new.token_expires_at,
                connection_id: "c1",
            })
            .unwrap();
            assert_eq!(back.mode(), auth.mode());
            assert_eq!(back.expires_at(), auth.expires_at());
            assert_eq!(stored(&sub, &back).settings, new.settings);
        }
    }

    #[test]
    fn only_posted_modes_are_accepted_from_a_backend_and_api_tokens_carry_a_deadline() {
        let posted: Vec<AuthMode> = ZENDESK
            .modes()
            .iter()
            .filter(|m| m.posted)
            .map(|m| m.mode)
            .collect();
        assert_eq!(
            posted,
            vec![AuthMode::ClientCredentials, AuthMode::ApiToken]
        );
        assert_eq!(
            ZENDESK
                .deprecation(AuthMode::ApiToken)
                .unwrap()
                .after
                .to_string(),
            "2027-04-30"
        );
        assert!(ZENDESK.deprecation(AuthMode::OauthCode).is_none());
        assert_eq!(ZENDESK.account_label("ACME").unwrap(), "acme");
        assert_eq!(
            ZENDESK
                .account_label("https://acme.zendesk.com")
                .unwrap_err()
                .field,
            "subdomain"
        );
    }
}
