//! [`INTERCOM`]: Intercom described once for the app's registry: the `region` account field,
//! the two auth modes (sign in with Intercom, a private app's access token), how the token is
//! stored and read back, the connect check, the OAuth legs, health and the rate-budget keys.
//!
//! The account label is the region (`us`, `eu`, `au`), which picks the API host. The
//! workspace itself is learned by the connect check (`GET /me`, `app.id_code`) and kept in
//! [`IntercomSettings`]: it names the rate budget (`intercom:{workspace_id}`), which is why
//! [`ProviderSpec::budget_keys`] of a bare region is empty and the keys of a connection come
//! from [`ProviderSpec::connection_budget_keys`].

use std::sync::Arc;

use async_trait::async_trait;
use deskgate_connector::{
    AccountField, AuthInput, AuthorizeRequest, CodeExchange, CredentialField, Credentials,
    Description, HookKey, HookRefusal, HookScheme, InboundHook, InputField, ModeDescription,
    NewAuth, ProviderError, ProviderSpec, Stored, StoredError,
};
use deskgate_core::{AuthMode, Connector, ConnectorError, FieldError, Provider};
use deskgate_upstream::{BudgetKey, Upstream};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::capabilities::capabilities;
use crate::client::{IntercomConnector, connect_budget, workspace_budget};
use crate::region::Region;
use crate::{auth, hooks};

/// Intercom, for the registry: `deskgate_intercom::INTERCOM`.
pub static INTERCOM: IntercomSpec = IntercomSpec;

/// Intercom's [`ProviderSpec`].
#[derive(Clone, Copy, Debug, Default)]
pub struct IntercomSpec;

/// What an Intercom connection stores besides its token, as the connect check found it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntercomSettings {
    /// The workspace (`app.id_code`): names the rate budget, and a later check must find the
    /// same one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<String>,
    /// The region the workspace was connected in (also the account label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    /// The admin the token acts as: replies, notes and tag changes are attributed to them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_id: Option<String>,
    /// The workspace's name, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_name: Option<String>,
}

const ACCESS_TOKEN: &str = "access_token";

const MODES: &[ModeDescription] = &[
    ModeDescription {
        title: "Sign in with Intercom",
        mode: AuthMode::OauthCode,
        summary: "Sign in to Intercom as an admin and approve this app. Access lasts until an \
                  admin uninstalls the app: Intercom's OAuth tokens do not expire and have no \
                  refresh token, so nothing is ever renewed.",
        fields: &[],
        posted: false,
        renews: false,
        revokes: false,
    },
    ModeDescription {
        title: "Access token",
        mode: AuthMode::AccessToken,
        summary: "A private app's access token; every call acts as the admin who owns the \
                  app. It does not expire: regenerating it in the Developer Hub revokes it.",
        fields: &[InputField::secret(
            ACCESS_TOKEN,
            "The access token of a private app in the workspace: Intercom Developer Hub → \
             Your apps → the app → Configure → Authentication → Access token.",
        )],
        posted: true,
        renews: false,
        revokes: false,
    },
];

static DESCRIPTION: Description = Description {
    provider: Provider::Intercom,
    title: "Intercom",
    account_field: AccountField {
        name: "region",
        description: "Where the Intercom workspace's data is hosted: `us` (api.intercom.io), \
                      `eu` (api.eu.intercom.io) or `au` (api.au.intercom.io). It is `us` \
                      unless the workspace was set up to keep its data in Europe or Australia.",
        example: "us",
        choices: &["us", "eu", "au"],
    },
    modes: MODES,
    host_suffix: None,
    capabilities,
};

fn region_error(message: String) -> FieldError {
    FieldError {
        field: "region".into(),
        message,
    }
}

fn region(label: &str) -> Result<Region, ProviderError> {
    Region::parse(label).map_err(|e| ProviderError::Invalid(region_error(e.to_string())))
}

fn setup(detail: String) -> ProviderError {
    ProviderError::Stored(StoredError(detail))
}

/// Checks a token with `GET /me`, then that it may read tickets (`GET /ticket_types`), and
/// builds what is stored: shared by the posted mode and the code exchange.
async fn checked_auth(
    upstream: &Upstream,
    region: Region,
    mode: AuthMode,
    token: SecretString,
) -> Result<NewAuth, ProviderError> {
    let connector =
        IntercomConnector::unverified(upstream.clone(), region, token.clone()).map_err(setup)?;
    let checked = connector.me().await.map_err(|e| match e {
        // A token for a workspace hosted elsewhere is unknown on this region's host.
        ConnectorError::Unauthorized { hint } => {
            ProviderError::Vendor(ConnectorError::Unauthorized {
                hint: format!(
                    "{hint}; a new token refused at once usually means the workspace is hosted \
                     in another region than `{region}` ({}): check the region",
                    region.api_host()
                ),
            })
        }
        other => ProviderError::Vendor(other),
    })?;
    crate::tickets::probe(&connector).await?;
    let settings = IntercomSettings {
        workspace_id: Some(checked.workspace_id),
        region: Some(region),
        admin_id: Some(checked.admin_id),
        workspace_name: checked.workspace_name,
    };
    let settings = serde_json::to_value(&settings)
        .map_err(|e| StoredError(format!("settings do not serialize: {e}")))?;
    Ok(NewAuth {
        account_label: region.as_str().to_owned(),
        mode,
        credentials: Credentials::new().with(CredentialField::AccessToken, token),
        settings,
        token_expires_at: None,
    })
}

#[async_trait]
impl ProviderSpec for IntercomSpec {
    fn description(&self) -> &'static Description {
        &DESCRIPTION
    }

    /// Exactly `us`, `eu` or `au` (trimmed, any case); anything else is refused naming the
    /// `region` field.
    fn account_label(&self, input: &str) -> Result<String, FieldError> {
        Region::parse(input)
            .map(|r| r.as_str().to_owned())
            .map_err(|e| region_error(e.to_string()))
    }

    /// A region names no workspace, so it has no budget of its own: a connection's key,
    /// `intercom:{workspace_id}`, comes from its settings
    /// ([`ProviderSpec::connection_budget_keys`]).
    /// Intercom signs each notification with the app's client secret.
    fn hook_scheme(&self) -> HookScheme {
        hooks::SCHEME
    }

    fn verify_hook(&self, hook: &InboundHook<'_>, key: HookKey<'_>) -> Result<(), HookRefusal> {
        hooks::verify(hook, key)
    }

    fn budget_keys(&self, _account_label: &str) -> Vec<BudgetKey> {
        Vec::new()
    }

    fn connection_budget_keys(
        &self,
        _account_label: &str,
        settings: &serde_json::Value,
    ) -> Vec<BudgetKey> {
        serde_json::from_value::<IntercomSettings>(settings.clone())
            .ok()
            .and_then(|s| s.workspace_id)
            .and_then(|id| workspace_budget(&id))
            .into_iter()
            .collect()
    }

    async fn connect(
        &self,
        upstream: &Upstream,
        account_label: &str,
        input: AuthInput,
    ) -> Result<NewAuth, ProviderError> {
        let region = region(account_label)?;
        if input.mode() != AuthMode::AccessToken {
            return Err(ProviderError::invalid(
                "auth.mode",
                "intercom connects by posting an access token, or by signing in with intercom \
                 on the connect page",
            ));
        }
        let token = input
            .required_secret(ACCESS_TOKEN)
            .map_err(ProviderError::Invalid)?
            .clone();
        checked_auth(upstream, region, AuthMode::AccessToken, token).await
    }

    fn connector(
        &self,
        upstream: &Upstream,
        stored: &Stored<'_>,
    ) -> Result<Arc<dyn Connector>, StoredError> {
        if !matches!(stored.mode, AuthMode::AccessToken | AuthMode::OauthCode) {
            return Err(StoredError(format!(
                "intercom has no auth kind {}",
                stored.mode.as_str()
            )));
        }
        let region = Region::parse(stored.account_label)
            .map_err(|e| StoredError(format!("the stored region does not read back: {e}")))?;
        let settings: IntercomSettings = stored.settings()?;
        if settings.region.is_some_and(|r| r != region) {
            return Err(StoredError(
                "the stored region and the settings' region differ".into(),
            ));
        }
        let workspace_id = settings
            .workspace_id
            .ok_or_else(|| StoredError("no stored `workspace_id`".into()))?;
        let token = stored
            .credentials
            .require(CredentialField::AccessToken)?
            .clone();
        let connector = IntercomConnector::new(
            upstream.clone(),
            region,
            workspace_id,
            settings.admin_id,
            token,
        )
        .map_err(StoredError)?;
        Ok(Arc::new(connector.with_connection_id(stored.connection_id)))
    }

    /// Intercom's tokens do not expire and there is no refresh token.
    async fn refresh(
        &self,
        _upstream: &Upstream,
        _stored: &Stored<'_>,
    ) -> Result<NewAuth, ProviderError> {
        Err(ProviderError::Vendor(ConnectorError::Unsupported {
            operation: "renew an intercom token (they do not expire and have no refresh token)",
        }))
    }

    fn token_url(&self, account_label: &str) -> Option<String> {
        Region::parse(account_label).ok().map(Region::token_url)
    }

    /// `https://app.intercom.io/oauth` with `client_id`, `state` and `redirect_uri`. Intercom
    /// documents no scopes and no PKCE, so neither is sent (the verifier goes unused).
    fn authorize_url(
        &self,
        request: &AuthorizeRequest<'_>,
    ) -> Result<Option<String>, ProviderError> {
        region(request.account_label)?;
        auth::authorize_url(
            &request.client.client_id,
            request.redirect_uri,
            request.state,
        )
        .map(Some)
        .map_err(|e| setup(format!("the authorize url could not be built: {e}")))
    }

    /// `POST https://{regional api host}/auth/eagle/token` with `code`, `client_id` and
    /// `client_secret`, then the same check as the posted mode.
    async fn exchange_code(
        &self,
        upstream: &Upstream,
        exchange: &CodeExchange<'_>,
    ) -> Result<NewAuth, ProviderError> {
        let region = region(exchange.account_label)?;
        let secret = exchange.client.client_secret.as_ref().ok_or_else(|| {
            ProviderError::invalid(
                "client_secret",
                "intercom's token exchange needs the app's client secret",
            )
        })?;
        let budget = connect_budget(region).ok_or_else(|| setup("no connect budget key".into()))?;
        let token = auth::exchange_code(
            upstream,
            region,
            budget,
            &exchange.client.client_id,
            secret,
            exchange.code,
        )
        .await?;
        checked_auth(upstream, region, AuthMode::OauthCode, token).await
    }
}

#[cfg(test)]
#[path = "provider_tests.rs"]
mod provider_tests;
