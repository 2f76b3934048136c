use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::{AccountId, ContactId};

/// An end user: someone who asks for help.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Contact {
    pub id: ContactId,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub account_id: Option<AccountId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_data: Option<serde_json::Value>,
}
