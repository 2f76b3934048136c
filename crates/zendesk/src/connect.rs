//! [`ConnectInput`]: what a Zendesk connector is built from.

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
