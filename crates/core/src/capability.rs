//! The capability matrix: what a connector can do, and which filters it does natively or
//! emulates. The same data documents the API and answers `GET /v1/connectors`.

use serde::Serialize;
use utoipa::ToSchema;

use crate::provider::Provider;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Capabilities {
    pub provider: Provider,
    pub auth_modes: Vec<AuthMode>,
    pub resources: Vec<ResourceCapability>,
}

impl Capabilities {
    pub fn resource(&self, resource: Resource) -> Option<&ResourceCapability> {
        self.resources.iter().find(|r| r.resource == resource)
    }

    pub fn supports(&self, resource: Resource, operation: Operation) -> bool {
        self.resource(resource)
            .is_some_and(|r| r.operations.contains(&operation))
    }
}

/// How a connection authenticates to its vendor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthMode {
    /// Zendesk's legacy `{email}/token:{token}` basic auth.
    ApiToken,
    /// OAuth authorization code with PKCE.
    OauthCode,
    /// OAuth client-credentials grant.
    ClientCredentials,
    /// A vendor API key (Freshdesk).
    ApiKey,
    /// A long-lived access token (Intercom private apps).
    AccessToken,
}

impl AuthMode {
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthMode::ApiToken => "api_token",
            AuthMode::OauthCode => "oauth_code",
            AuthMode::ClientCredentials => "client_credentials",
            AuthMode::ApiKey => "api_key",
            AuthMode::AccessToken => "access_token",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    Tickets,
    Comments,
    Users,
    Contacts,
    Accounts,
    Teams,
    Tags,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    List,
    Get,
    Create,
    Update,
    Delete,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ResourceCapability {
    pub resource: Resource,
    pub operations: Vec<Operation>,
    pub filters: Vec<FilterCapability>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FilterCapability {
    pub name: String,
    pub support: FilterSupport,
}

/// `native`: the vendor filters. `emulated`: deskgate filters pages the vendor returns, so a
/// page may hold fewer items than `limit` and a list costs more upstream calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FilterSupport {
    Native,
    Emulated,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_serialize_as_a_plain_matrix() {
        let caps = Capabilities {
            provider: Provider::Zendesk,
            auth_modes: vec![AuthMode::ApiToken, AuthMode::OauthCode],
            resources: vec![ResourceCapability {
                resource: Resource::Tickets,
                operations: vec![Operation::List, Operation::Get],
                filters: vec![FilterCapability {
                    name: "status".into(),
                    support: FilterSupport::Emulated,
                }],
            }],
        };
        let v = serde_json::to_value(&caps).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "provider": "zendesk",
                "auth_modes": ["api_token", "oauth_code"],
                "resources": [{"resource": "tickets", "operations": ["list", "get"],
                    "filters": [{"name": "status", "support": "emulated"}]}]
            })
        );
        assert!(caps.supports(Resource::Tickets, Operation::Get));
        assert!(!caps.supports(Resource::Tickets, Operation::Delete));
    }
}
