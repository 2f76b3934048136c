use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::AccountId;

/// An organization or company that contacts belong to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Account {
    pub id: AccountId,
    pub name: String,
    pub domains: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_data: Option<serde_json::Value>,
}
