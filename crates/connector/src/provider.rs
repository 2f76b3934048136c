//! [`ProviderSpec`]: a helpdesk described once — its account label, its auth modes with their
//! input fields, how its credentials are stored and read back, the account check, the
//! connector built for a call, renewal, revocation, health and rate-budget keys.
//!
//! Each connector crate implements it once; the app's registry is the only place that picks
//! an implementation by [`Provider`], and the API and connect page are built from these
//! descriptions.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use deskgate_core::{
    AccountIdentity, AuthMode, Capabilities, Connector, ConnectorError, FieldError, Provider,
};
use deskgate_upstream::{BudgetKey, Upstream};
use secrecy::SecretString;

use crate::credentials::{Credentials, StoredError};
use crate::hooks::{HookKey, HookRefusal, HookScheme, HookSecret, InboundHook};
use crate::input::AuthInput;
use crate::tenant::TenantAccount;

/// The account a connection reaches, as request bodies name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountField {
    /// `subdomain` (Zendesk), `domain` (Freshdesk).
    pub name: &'static str,
    pub description: &'static str,
    pub example: &'static str,
    /// The only values it takes, when it is a choice (Intercom's region); empty for free
    /// text (a subdomain).
    pub choices: &'static [&'static str],
}

/// One input field of an auth mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputField {
    /// The name in the `auth` object: `api_key`, `email`, `client_secret`.
    pub name: &'static str,
    /// What it is and where a person finds it.
    pub description: &'static str,
    /// Secret fields become `SecretString`s the moment they are parsed and are never shown.
    pub secret: bool,
    pub required: bool,
    /// `email` fields must look like an email address.
    pub email: bool,
    /// Longest value accepted, in characters.
    pub max_chars: usize,
}

impl InputField {
    /// A required secret of up to 512 characters.
    pub const fn secret(name: &'static str, description: &'static str) -> Self {
        Self {
            name,
            description,
            secret: true,
            required: true,
            email: false,
            max_chars: 512,
        }
    }

    /// A required non-secret text of up to 200 characters.
    pub const fn text(name: &'static str, description: &'static str) -> Self {
        Self {
            name,
            description,
            secret: false,
            required: true,
            email: false,
            max_chars: 200,
        }
    }

    /// A required email address.
    pub const fn email(name: &'static str, description: &'static str) -> Self {
        Self {
            email: true,
            max_chars: 254,
            ..Self::text(name, description)
        }
    }

    /// The same field, optional.
    #[must_use]
    pub const fn optional(self) -> Self {
        Self {
            required: false,
            ..self
        }
    }
}

/// One way a provider's connections authenticate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModeDescription {
    pub mode: AuthMode,
    /// What the connect page calls it: `Sign in with Zendesk`, `API key`.
    pub title: &'static str,
    /// One sentence for the API reference and the connect page.
    pub summary: &'static str,
    pub fields: &'static [InputField],
    /// Whether a backend may post this mode's fields to `POST /v1/connections`; modes that
    /// only a browser redirect can start (OAuth authorization code) are `false`.
    pub posted: bool,
    /// Whether deskgate renews the token before it expires.
    pub renews: bool,
    /// Whether disconnecting revokes the token at the vendor.
    pub revokes: bool,
}

/// A connection's stored auth, as a provider reads it back for a call.
#[derive(Clone, Copy, Debug)]
pub struct Stored<'a> {
    /// The canonical account label ([`ProviderSpec::account_label`]).
    pub account_label: &'a str,
    pub mode: AuthMode,
    pub credentials: &'a Credentials,
    /// The provider's own settings, as it wrote them ([`NewAuth::settings`]).
    pub settings: &'a serde_json::Value,
    pub token_expires_at: Option<DateTime<Utc>>,
    /// Logged with every vendor call.
    pub connection_id: &'a str,
}

impl Stored<'_> {
    /// The settings as the provider's typed struct.
    pub fn settings<T: serde::de::DeserializeOwned + Default>(&self) -> Result<T, StoredError> {
        if self.settings.is_null() {
            return Ok(T::default());
        }
        serde_json::from_value(self.settings.clone())
            .map_err(|e| StoredError(format!("settings do not read back: {e}")))
    }
}

/// Auth to store: after a connect check, a renewal or a reauthorization.
#[derive(Debug)]
pub struct NewAuth {
    pub account_label: String,
    pub mode: AuthMode,
    pub credentials: Credentials,
    /// The provider's typed settings, serialized.
    pub settings: serde_json::Value,
    pub token_expires_at: Option<DateTime<Utc>>,
}

/// The day a mode's credentials stop working whatever deskgate does, and what to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deprecation {
    pub after: NaiveDate,
    pub hint: &'static str,
}

/// What a live check found.
#[derive(Clone, Debug, PartialEq)]
pub struct Health {
    pub identity: Option<AccountIdentity>,
    pub problem: Option<ConnectorError>,
}

/// The OAuth client a redirect mode authorizes with: the tenant's app, or the customer's own
/// client entered on the connect page.
#[derive(Clone)]
pub struct OAuthClientInput {
    pub client_id: String,
    /// Absent for a public client that relies on PKCE alone.
    pub client_secret: Option<SecretString>,
    /// Space-separated scopes; the provider's default when absent.
    pub scopes: Option<String>,
}

impl fmt::Debug for OAuthClientInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClientInput")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// The first leg of a redirect mode: where the person is sent.
#[derive(Debug)]
pub struct AuthorizeRequest<'a> {
    pub account_label: &'a str,
    pub client: &'a OAuthClientInput,
    /// deskgate's callback, registered on the client.
    pub redirect_uri: &'a str,
    /// Random, single-use; comes back on the callback.
    pub state: &'a SecretString,
    /// The PKCE verifier the provider derives its S256 challenge from (kept by the caller
    /// for the code exchange; never sent in the URL).
    pub verifier: &'a SecretString,
}

/// The second leg: the code the vendor sent to the callback, exchanged for tokens.
#[derive(Debug)]
pub struct CodeExchange<'a> {
    pub account_label: &'a str,
    pub client: &'a OAuthClientInput,
    pub code: &'a SecretString,
    /// The same redirect URI the authorize URL named.
    pub redirect_uri: &'a str,
    pub verifier: &'a SecretString,
}

/// Why a provider operation failed, by who is at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    /// The caller's input is wrong; nothing was sent to the vendor.
    #[error("{}: {}", .0.field, .0.message)]
    Invalid(FieldError),
    /// The vendor refused or failed.
    #[error(transparent)]
    Vendor(#[from] ConnectorError),
    /// What is stored cannot be used.
    #[error(transparent)]
    Stored(#[from] StoredError),
}

impl ProviderError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(FieldError {
            field: field.into(),
            message: message.into(),
        })
    }
}

/// What a provider is, as plain data: the API's bodies, the OpenAPI document and the
/// connect page are built from it.
#[derive(Clone, Copy, Debug)]
pub struct Description {
    pub provider: Provider,
    /// The vendor's name as people write it: `Zendesk`.
    pub title: &'static str,
    /// The body field naming the account, and what it holds.
    pub account_field: AccountField,
    /// Every auth mode, in the order a person should prefer them.
    pub modes: &'static [ModeDescription],
    /// `zendesk.com` for vendors whose accounts live on `{label}.{suffix}`: the account
    /// field is then a DNS label checked by [`TenantAccount`]. `None` for a vendor that must
    /// check its account field itself.
    pub host_suffix: Option<&'static str>,
    pub capabilities: fn() -> Capabilities,
}

/// A helpdesk, described once.
#[async_trait]
pub trait ProviderSpec: Send + Sync + fmt::Debug {
    /// The provider's data: its name, account field and auth modes.
    fn description(&self) -> &'static Description;

    fn provider(&self) -> Provider {
        self.description().provider
    }

    /// The body field naming the account, and what it holds.
    fn account_field(&self) -> AccountField {
        self.description().account_field
    }

    /// Every auth mode, in the order a person should prefer them.
    fn modes(&self) -> &'static [ModeDescription] {
        self.description().modes
    }

    fn capabilities(&self) -> Capabilities {
        (self.description().capabilities)()
    }

    /// The canonical account label for what a caller typed, or an error naming the
    /// account field. Nothing is sent anywhere.
    fn account_label(&self, input: &str) -> Result<String, FieldError> {
        let d = self.description();
        let refused = |message: String| FieldError {
            field: d.account_field.name.to_owned(),
            message,
        };
        let suffix = d
            .host_suffix
            .ok_or_else(|| refused(format!("{} checks its account itself", d.provider)))?;
        TenantAccount::parse(
            d.provider.as_str(),
            suffix,
            d.account_field.name,
            input.trim(),
        )
        .map(|account| account.as_str().to_owned())
        .map_err(|e| refused(e.to_string()))
    }

    /// The rate-budget keys a connection's calls spend (the account's first, then any
    /// per-endpoint caps), for health reports.
    fn budget_keys(&self, account_label: &str) -> Vec<BudgetKey>;

    /// The rate-budget keys of one stored connection, for health reports: by default
    /// [`ProviderSpec::budget_keys`] of its account label. A provider whose budget is named
    /// by what the connect check found rather than by the label (Intercom's workspace id)
    /// reads it from the connection's settings here.
    fn connection_budget_keys(
        &self,
        account_label: &str,
        _settings: &serde_json::Value,
    ) -> Vec<BudgetKey> {
        self.budget_keys(account_label)
    }

    /// When a mode's credentials stop working for good, if they do.
    fn deprecation(&self, _mode: AuthMode) -> Option<Deprecation> {
        None
    }

    /// Validates `input`, obtains tokens where the mode mints them, and checks the
    /// credentials with the vendor. Nothing is stored here.
    async fn connect(
        &self,
        upstream: &Upstream,
        account_label: &str,
        input: AuthInput,
    ) -> Result<NewAuth, ProviderError>;

    /// A connector over stored auth. The app keeps it for the connection's later calls while
    /// the stored auth it was built from is unchanged: it must keep no state of one call.
    fn connector(
        &self,
        upstream: &Upstream,
        stored: &Stored<'_>,
    ) -> Result<Arc<dyn Connector>, StoredError>;

    /// Renews an expiring token; the caller stores the result before anyone uses it.
    async fn refresh(
        &self,
        _upstream: &Upstream,
        stored: &Stored<'_>,
    ) -> Result<NewAuth, ProviderError> {
        Err(ProviderError::Stored(StoredError(format!(
            "auth kind {} does not renew",
            stored.mode.as_str()
        ))))
    }

    /// Revokes the token at the vendor on disconnect, where the mode allows it.
    async fn revoke(
        &self,
        _upstream: &Upstream,
        _stored: &Stored<'_>,
    ) -> Result<(), ProviderError> {
        Ok(())
    }

    /// Checks the credentials with the vendor now.
    async fn health(
        &self,
        upstream: &Upstream,
        stored: &Stored<'_>,
    ) -> Result<Health, StoredError> {
        let connector = self.connector(upstream, stored)?;
        Ok(match connector.check().await {
            Ok(identity) => Health {
                identity: Some(identity),
                problem: None,
            },
            Err(problem) => Health {
                identity: None,
                problem: Some(problem),
            },
        })
    }

    /// The token URL the code of a redirect mode is exchanged at for `account_label`: kept
    /// with the OAuth session, and compared again before the exchange (mix-up defense).
    fn token_url(&self, _account_label: &str) -> Option<String> {
        None
    }

    /// The vendor's authorize URL for the provider's redirect mode (OAuth authorization code),
    /// or `None` when it has none.
    fn authorize_url(
        &self,
        _request: &AuthorizeRequest<'_>,
    ) -> Result<Option<String>, ProviderError> {
        Ok(None)
    }

    /// Exchanges an authorization code for auth to store, checked with the vendor like a
    /// posted mode's. Nothing is stored here.
    async fn exchange_code(
        &self,
        _upstream: &Upstream,
        _exchange: &CodeExchange<'_>,
    ) -> Result<NewAuth, ProviderError> {
        Err(ProviderError::invalid(
            "provider",
            format!("{} has no redirect mode", self.provider()),
        ))
    }

    /// How the vendor's webhooks to `/hooks/{provider}/{token}` are verified. By default the
    /// vendor does not sign them and the path token is the only proof.
    fn hook_scheme(&self) -> HookScheme {
        HookScheme {
            secret: HookSecret::PathToken,
            summary: "The vendor does not sign its webhooks; the secret token in the hook URL is the proof.",
        }
    }

    /// Verifies one notification with `key`, the secret [`ProviderSpec::hook_scheme`] names
    /// (`None` when none is set). By default there is nothing to verify beyond the path token,
    /// which the caller has already checked.
    fn verify_hook(&self, _hook: &InboundHook<'_>, _key: HookKey<'_>) -> Result<(), HookRefusal> {
        Ok(())
    }

    /// The description of one mode, if the provider has it.
    fn mode(&self, mode: AuthMode) -> Option<&'static ModeDescription> {
        self.modes().iter().find(|m| m.mode == mode)
    }
}
