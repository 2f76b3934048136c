//! [`FRESHDESK`]: Freshdesk described once for the app's registry: the `domain` account
//! field, the one auth mode (an agent's API key), how the key is stored and read back, the
//! connect check with its diagnoses, and the rate-budget keys.

use std::sync::Arc;

use async_trait::async_trait;
use deskgate_connector::{
    AccountField, AuthInput, CredentialField, Credentials, Description, InputField,
    ModeDescription, NewAuth, ProviderError, ProviderSpec, Stored, StoredError,
};
use deskgate_core::{AuthMode, Connector, FieldError, Provider};
use deskgate_upstream::{BudgetKey, Upstream};
use serde::{Deserialize, Serialize};

use crate::budget::EndpointCap;
use crate::capabilities::capabilities;
use crate::client::FreshdeskConnector;
use crate::domain::{FRESHDESK_DOMAIN, FreshdeskDomain};

/// Freshdesk, for the registry: `deskgate_freshdesk::FRESHDESK`.
pub static FRESHDESK: FreshdeskSpec = FreshdeskSpec;

/// Freshdesk's [`ProviderSpec`].
#[derive(Clone, Copy, Debug, Default)]
pub struct FreshdeskSpec;

/// What a Freshdesk connection stores besides its key. The key is all Freshdesk needs; the
/// agent it belongs to is kept for reference.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreshdeskSettings {
    /// The agent whose key this is, as the connect check found it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
}

const API_KEY: &str = "api_key";

const MODES: &[ModeDescription] = &[ModeDescription {
    title: "API key",
    mode: AuthMode::ApiKey,
    summary: "An agent's API key; every call acts with that agent's permissions.",
    fields: &[InputField::secret(
        API_KEY,
        "The agent's API key: in Freshdesk, profile picture → Profile settings → \"Your API \
         Key\". Resetting it there revokes it everywhere.",
    )],
    posted: true,
    renews: false,
    revokes: false,
}];

fn domain_error(message: String) -> FieldError {
    FieldError {
        field: "domain".into(),
        message,
    }
}

static DESCRIPTION: Description = Description {
    provider: Provider::Freshdesk,
    title: "Freshdesk",
    account_field: AccountField {
        name: "domain",
        description: "The Freshdesk domain label: `acme` for acme.freshdesk.com. A label, never \
                      a URL; custom helpdesk domains do not work with the API.",
        example: "acme",
        choices: &[],
    },
    modes: MODES,
    host_suffix: Some(FRESHDESK_DOMAIN),
    capabilities,
};

#[async_trait]
impl ProviderSpec for FreshdeskSpec {
    fn description(&self) -> &'static Description {
        &DESCRIPTION
    }

    fn budget_keys(&self, account_label: &str) -> Vec<BudgetKey> {
        let Ok(domain) = FreshdeskDomain::parse(account_label) else {
            return Vec::new();
        };
        std::iter::once(domain.budget_key().clone())
            .chain(
                EndpointCap::ALL
                    .into_iter()
                    .map(|cap| domain.endpoint_key(cap)),
            )
            .collect()
    }

    async fn connect(
        &self,
        upstream: &Upstream,
        account_label: &str,
        input: AuthInput,
    ) -> Result<NewAuth, ProviderError> {
        let domain = FreshdeskDomain::parse(account_label)
            .map_err(|e| ProviderError::Invalid(domain_error(e.to_string())))?;
        if input.mode() != AuthMode::ApiKey {
            return Err(ProviderError::invalid(
                "auth.mode",
                "freshdesk connects with an api key only",
            ));
        }
        let api_key = input
            .required_secret(API_KEY)
            .map_err(ProviderError::Invalid)?
            .clone();
        let connector = FreshdeskConnector::new(upstream.clone(), domain.clone(), api_key.clone());
        let identity = connector.check().await.map_err(ProviderError::Vendor)?;
        let settings = FreshdeskSettings {
            agent_id: identity.user_id,
        };
        let settings = serde_json::to_value(&settings)
            .map_err(|e| StoredError(format!("settings do not serialize: {e}")))?;
        Ok(NewAuth {
            account_label: domain.as_str().to_owned(),
            mode: AuthMode::ApiKey,
            credentials: Credentials::new().with(CredentialField::ApiKey, api_key),
            settings,
            token_expires_at: None,
        })
    }

    fn connector(
        &self,
        upstream: &Upstream,
        stored: &Stored<'_>,
    ) -> Result<Arc<dyn Connector>, StoredError> {
        if stored.mode != AuthMode::ApiKey {
            return Err(StoredError(format!(
                "freshdesk has no auth kind {}",
                stored.mode.as_str()
            )));
        }
        let domain = FreshdeskDomain::parse(stored.account_label)
            .map_err(|e| StoredError(format!("the stored domain does not read back: {e}")))?;
        let _settings: FreshdeskSettings = stored.settings()?;
        let api_key = stored.credentials.require(CredentialField::ApiKey)?.clone();
        Ok(Arc::new(
            FreshdeskConnector::new(upstream.clone(), domain, api_key)
                .with_connection_id(stored.connection_id),
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn there_is_no_redirect_to_start() {
        let client = deskgate_connector::OAuthClientInput {
            client_id: "c".into(),
            client_secret: None,
            scopes: None,
        };
        let secret = secrecy::SecretString::from("s");
        let request = deskgate_connector::AuthorizeRequest {
            account_label: "acme",
            client: &client,
            redirect_uri: "https://gw.example/oauth/callback/freshdesk",
            state: &secret,
            verifier: &secret,
        };
        assert_eq!(FRESHDESK.authorize_url(&request).unwrap(), None);
    }

    #[test]
    fn the_one_mode_is_an_api_key_that_neither_renews_nor_revokes() {
        let modes = FRESHDESK.modes();
        assert_eq!(modes.len(), 1);
        let mode = &modes[0];
        assert_eq!(mode.mode, AuthMode::ApiKey);
        assert!(!mode.renews && !mode.revokes && mode.posted);
        assert_eq!(mode.fields.len(), 1);
        assert_eq!(mode.fields[0].name, "api_key");
        assert!(mode.fields[0].secret);
        assert!(mode.fields[0].description.contains("\"Your API Key\""));
    }

    #[test]
    fn the_account_field_is_a_domain_label_and_urls_are_refused_on_it() {
        assert_eq!(FRESHDESK.account_field().name, "domain");
        assert_eq!(FRESHDESK.account_label("Acme").unwrap(), "acme");
        let e = FRESHDESK
            .account_label("https://acme.freshdesk.com")
            .unwrap_err();
        assert_eq!(e.field, "domain");
        assert!(FRESHDESK.account_label("acme.freshdesk.com").is_err());
    }

    #[test]
    fn budget_keys_are_the_account_first_then_each_endpoint_cap() {
        let keys: Vec<String> = FRESHDESK
            .budget_keys("acme")
            .iter()
            .map(|k| k.to_string())
            .collect();
        assert_eq!(
            keys,
            [
                "freshdesk:acme",
                "freshdesk:acme/tickets_list",
                "freshdesk:acme/contacts_list",
                "freshdesk:acme/ticket_create",
                "freshdesk:acme/ticket_update"
            ]
        );
    }

    #[test]
    fn settings_are_typed_json_and_read_back() {
        let settings = FreshdeskSettings {
            agent_id: Some("44".into()),
        };
        let value = serde_json::to_value(&settings).unwrap();
        assert_eq!(value, serde_json::json!({"agent_id": "44"}));
        assert_eq!(
            serde_json::from_value::<FreshdeskSettings>(value).unwrap(),
            settings
        );
        assert_eq!(
            serde_json::to_value(FreshdeskSettings::default()).unwrap(),
            serde_json::json!({})
        );
    }

    #[test]
    fn a_stored_connection_builds_a_connector_that_never_shows_its_key() {
        let upstream = Upstream::new(deskgate_upstream::UpstreamConfig::default()).unwrap();
        let credentials = Credentials::new().with(CredentialField::ApiKey, "canary-key-77aa");
        let settings = serde_json::json!({});
        let stored = Stored {
            account_label: "acme",
            mode: AuthMode::ApiKey,
            credentials: &credentials,
            settings: &settings,
            token_expires_at: None,
            connection_id: "c-1",
        };
        let connector = FRESHDESK.connector(&upstream, &stored).unwrap();
        assert_eq!(connector.provider(), Provider::Freshdesk);
        assert!(!format!("{connector:?}").contains("canary-key-77aa"));
        let empty = Credentials::new();
        let missing = Stored {
            credentials: &empty,
            ..stored
        };
        assert!(FRESHDESK.connector(&upstream, &missing).is_err());
    }
}
