//! The seeded credentials of a Freshdesk account, as a test or the CLI needs them. They are
//! derived from the seed, so the same configuration always yields the same keys.

use secrecy::SecretString;

/// Credentials and identities of one seeded Freshdesk account. API keys go in
/// `Authorization: Basic base64("{api_key}:X")`.
#[derive(Debug, Clone)]
pub struct FreshdeskCredentials {
    /// The account's domain label (`acme` for `acme.freshdesk.com`).
    pub domain: String,
    /// The seeded admin agent's id.
    pub admin_agent_id: u64,
    /// The seeded admin agent's email.
    pub admin_email: String,
    /// The admin agent's API key.
    pub admin_api_key: SecretString,
    /// An agent whose role has no API access: every call with its key answers 403.
    pub restricted_agent_id: u64,
    /// The restricted agent's email.
    pub restricted_email: String,
    /// The restricted agent's API key.
    pub restricted_api_key: SecretString,
    /// A seeded contact (customer).
    pub contact_id: u64,
    /// The seeded contact's email.
    pub contact_email: String,
    /// A seeded group.
    pub group_id: u64,
    /// A seeded company.
    pub company_id: u64,
}
