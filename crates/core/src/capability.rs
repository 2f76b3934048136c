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
    /// How a connection's sync finds changes and deletes, per resource; empty for a
    /// connector whose changes cannot be followed.
    pub changes: Vec<ChangeCapability>,
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
    pub const ALL: [AuthMode; 5] = [
        AuthMode::ApiToken,
        AuthMode::OauthCode,
        AuthMode::ClientCredentials,
        AuthMode::ApiKey,
        AuthMode::AccessToken,
    ];

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

/// An auth kind name that is not one of [`AuthMode::ALL`].
#[derive(Debug, thiserror::Error)]
#[error("unknown auth kind `{0}`")]
pub struct UnknownAuthMode(pub String);

impl std::str::FromStr for AuthMode {
    type Err = UnknownAuthMode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AuthMode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| UnknownAuthMode(s.to_owned()))
    }
}

impl TryFrom<String> for AuthMode {
    type Error = UnknownAuthMode;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
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

/// How changes of one resource are found, and whether deletes are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ChangeCapability {
    pub resource: Resource,
    pub detection: ChangeDetection,
    pub deletes: DeleteDetection,
    /// The vendor endpoints the sync reads, e.g. `GET /api/v2/incremental/tickets/cursor`.
    pub via: Vec<String>,
}

/// Where the sync learns what changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeDetection {
    /// The vendor's change feed (an incremental export with its own cursor).
    Feed,
    /// A list ordered by `updated_at`, read from the last `updated_at` seen.
    UpdatedSince,
    /// A search on `updated_at`.
    Search,
    /// Read for each changed ticket (comments).
    ChangedTickets,
}

/// How deletes are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeleteDetection {
    /// The vendor reports them.
    Native,
    /// deskgate compares the ids it knows with the vendor's, a bounded number per round.
    Reconciled,
    /// Deletes are not detected.
    None,
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
            changes: vec![ChangeCapability {
                resource: Resource::Tickets,
                detection: ChangeDetection::Feed,
                deletes: DeleteDetection::Native,
                via: vec!["GET /api/v2/incremental/tickets/cursor".into()],
            }],
        };
        let v = serde_json::to_value(&caps).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "provider": "zendesk",
                "auth_modes": ["api_token", "oauth_code"],
                "resources": [{"resource": "tickets", "operations": ["list", "get"],
                    "filters": [{"name": "status", "support": "emulated"}]}],
                "changes": [{"resource": "tickets", "detection": "feed", "deletes": "native",
                    "via": ["GET /api/v2/incremental/tickets/cursor"]}]
            })
        );
        assert!(caps.supports(Resource::Tickets, Operation::Get));
        assert!(!caps.supports(Resource::Tickets, Operation::Delete));
    }
}
