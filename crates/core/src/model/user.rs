use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::{TeamId, UserId};

/// An agent or admin of the helpdesk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: UserId,
    pub name: Option<String>,
    pub email: Option<String>,
    /// The vendor's role name, as the vendor spells it.
    pub role: Option<String>,
    pub active: bool,
    pub team_ids: Vec<TeamId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_data: Option<serde_json::Value>,
}
