//! API-key auth: every request carries `Authorization: Basic base64("{api_key}:X")` (the
//! password is a dummy Freshdesk ignores), and the account check behind `connect` and
//! `health`, with its diagnoses.

use std::fmt;

use deskgate_connector::vendor_error::from_upstream;
use deskgate_connector::{CallPolicy, Endpoint, VendorClient, bad_response};
use deskgate_core::{AccountIdentity, ConnectorError, FieldError};
use deskgate_upstream::{UpstreamRequest, UpstreamResponse};
use http::{Method, StatusCode};
use secrecy::SecretString;

use crate::domain::{FreshdeskDomain, VENDOR};
use crate::errors;
use crate::wire::WireAgent;

/// The agent the key belongs to.
const AGENTS_ME: Endpoint = Endpoint::new("/api/v2/agents/me");

/// An agent's API key, sent as the basic-auth user name.
pub(crate) struct ApiKeyPolicy {
    api_key: SecretString,
}

impl ApiKeyPolicy {
    pub(crate) fn new(api_key: SecretString) -> Self {
        Self { api_key }
    }
}

impl CallPolicy for ApiKeyPolicy {
    fn authorize(&self, request: UpstreamRequest) -> UpstreamRequest {
        request.basic_auth(self.api_key.clone(), SecretString::from("X"))
    }

    fn refused(&self, response: &UpstreamResponse) -> ConnectorError {
        errors::from_response(response)
    }

    fn unauthorized_hint(&self) -> String {
        errors::unauthorized_hint()
    }
}

impl fmt::Debug for ApiKeyPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeyPolicy")
            .field("api_key", &"[redacted]")
            .finish()
    }
}

/// The error for a domain with no helpdesk behind it, naming the `domain` field.
pub(crate) fn unknown_domain(domain: &FreshdeskDomain) -> ConnectorError {
    ConnectorError::Invalid {
        message: format!("there is no freshdesk helpdesk at {domain}.freshdesk.com"),
        fields: vec![FieldError {
            field: "domain".into(),
            message: format!(
                "has no freshdesk helpdesk: check the `{domain}` in {domain}.freshdesk.com"
            ),
        }],
    }
}

/// The check's answer read: 401 a wrong or reset key, 403 a role without access, a 404
/// that is not JSON an unknown domain (Freshdesk answers "There is no helpdesk here" as an
/// HTML page), anything else as any call's error.
pub(crate) fn diagnose(
    domain: &FreshdeskDomain,
    response: &UpstreamResponse,
) -> Result<AccountIdentity, ConnectorError> {
    if response.status() == StatusCode::NOT_FOUND && !errors::is_json(response.body()) {
        return Err(unknown_domain(domain));
    }
    if !response.status().is_success() {
        return Err(errors::from_response(response));
    }
    let agent: WireAgent = serde_json::from_slice(response.body()).map_err(|e| {
        bad_response(format!(
            "freshdesk's agents/me answer could not be read: {e}"
        ))
    })?;
    Ok(AccountIdentity {
        account_label: domain.as_str().to_owned(),
        user_id: Some(agent.id.0),
        user_email: agent.contact.email,
        role: agent.agent_type,
    })
}

/// `GET /api/v2/agents/me` with the key, diagnosed.
pub(crate) async fn check(
    client: &VendorClient,
    domain: &FreshdeskDomain,
) -> Result<AccountIdentity, ConnectorError> {
    let request = client.request(Method::GET, AGENTS_ME, &[])?;
    // Sent on the engine directly: the diagnosis needs the body of a refusal too.
    let response = client
        .upstream()
        .send(request)
        .await
        .map_err(|e| from_upstream(VENDOR, e, errors::from_response))?;
    diagnose(domain, &response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key() {
        let policy = ApiKeyPolicy::new(SecretString::from("canary-key-0f9e"));
        let shown = format!("{policy:?}");
        assert!(!shown.contains("canary-key-0f9e"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn an_unknown_domain_names_the_domain_field() {
        let domain = FreshdeskDomain::parse("nosuch").unwrap_or_else(|_| unreachable!());
        let ConnectorError::Invalid { fields, message } = unknown_domain(&domain) else {
            unreachable!()
        };
        assert_eq!(fields[0].field, "domain");
        assert!(message.contains("nosuch.freshdesk.com"));
    }
}
