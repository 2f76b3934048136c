//! The seeded credentials of an account, as a test or the CLI needs them. They are derived
//! from the seed, so the same configuration always yields the same credentials.

use secrecy::SecretString;

/// Credentials and identities of one seeded Zendesk account.
#[derive(Debug, Clone)]
pub struct ZendeskCredentials {
    /// The account's subdomain label.
    pub subdomain: String,
    /// The account's number (`account_id` in webhook events).
    pub account_id: u64,
    /// The seeded admin (`admin@{subdomain}.test`).
    pub admin_email: String,
    /// The seeded admin's user id.
    pub admin_user_id: u64,
    /// The seeded agent (`agent@{subdomain}.test`).
    pub agent_email: String,
    /// The seeded agent's user id.
    pub agent_user_id: u64,
    /// The seeded end user (`customer@{subdomain}.test`).
    pub end_user_email: String,
    /// The seeded end user's user id.
    pub end_user_id: u64,
    /// The account's API token; any user's email pairs with it as `{email}/token:{token}`.
    pub api_token: SecretString,
    /// The OAuth client's unique identifier (`client_id`).
    pub oauth_client_id: String,
    /// The OAuth client's secret.
    pub oauth_client_secret: SecretString,
    /// The redirect URIs registered on the OAuth client. Loopback URIs match on any port.
    pub oauth_redirect_uris: Vec<String>,
}

/// The default redirect URIs of a seeded OAuth client: the gateway's Zendesk callback on a
/// loopback host.
pub(crate) fn default_redirect_uris() -> Vec<String> {
    vec![
        "http://127.0.0.1/oauth/callback/zendesk".to_owned(),
        "http://localhost/oauth/callback/zendesk".to_owned(),
    ]
}

pub(crate) use crate::secret::derive;
