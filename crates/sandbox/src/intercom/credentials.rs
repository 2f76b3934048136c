//! The seeded credentials of an Intercom workspace, as a test or the CLI needs them. They
//! are derived from the seed, so the same configuration always yields the same secrets.

use secrecy::SecretString;

use crate::config::IntercomRegion;

/// Credentials and identities of one seeded Intercom workspace. The access token goes in
/// `Authorization: Bearer {access_token}` on the region's API host.
#[derive(Debug, Clone)]
pub struct IntercomCredentials {
    /// The workspace's label in the sandbox (`acme`).
    pub name: String,
    /// Where the workspace lives.
    pub region: IntercomRegion,
    /// The real API host of the region (`api.eu.intercom.io`): send it as `Host`.
    pub api_host: &'static str,
    /// The workspace id (`app.id_code` in `GET /me`).
    pub workspace_id: String,
    /// A private app's access token, belonging to the owner admin. It never expires.
    pub access_token: SecretString,
    /// The owner admin's id (`GET /me`).
    pub admin_id: String,
    /// The owner admin's email.
    pub admin_email: String,
    /// The workspace's public OAuth app.
    pub oauth_client_id: String,
    /// The OAuth app's secret; it also signs the OAuth app's webhook notifications.
    pub oauth_client_secret: SecretString,
    /// The private app that owns the access token: its id.
    pub private_app_client_id: String,
    /// The private app's client secret, which signs its webhook notifications.
    pub private_app_client_secret: SecretString,
    /// The OAuth app's registered redirect URIs.
    pub redirect_uris: Vec<String>,
    /// A seeded contact (role user).
    pub contact_id: String,
    /// The seeded contact's email.
    pub contact_email: String,
    /// A seeded team.
    pub team_id: String,
    /// The "Customer" ticket type.
    pub ticket_type_id: String,
    /// A seeded tag.
    pub tag_id: String,
}
